/**
 * Role changes: applying a committed partition state (metadataChanged, alterPartitionReply),
 * becoming leader (epoch cache entry durable before produce opens, leader address, followers'
 * progress reset), stepping down (every waiter answered, unissued batches dropped) and becoming
 * follower. A storage write failure sends the replica back to `recovering`: the log on disk, not
 * memory, is the truth after an I/O error.
 */
import { assert } from '../assert.js';
import { initialProgress } from './isr.js';
import { assignEpoch, epochStartOffset, latestEpoch } from './log-state.js';
import { dropFrom } from './log-writes.js';
import { takeAll } from './purgatory.js';
import { notLeader } from './step.js';
import { logLine, report, send, type Fx } from '../kit/fx.js';
import type { LeaderState, PartitionConfigs, PartitionContext, PartitionState } from './types.js';
import { advanceLeaderHw, startLeaderEpoch } from './leader.js';
import { failParkedFetches } from './serve-fetch.js';
import { maybeSendFetch } from './follower.js';
import { startRecovery } from './recovery.js';
import { applyThrottle, type ReplicaThrottle } from './throttle.js';

export function onMetadataChanged(ctx: PartitionContext, fx: Fx, state: PartitionState, configs: Partial<PartitionConfigs> | undefined,
    throttle: ReplicaThrottle | undefined): void {
  if (configs !== undefined) ctx.configs = { ...ctx.configs, ...configs };
  ctx.throttle = applyThrottle(ctx.throttle, throttle, ctx.nowMs);
  applyState(ctx, fx, state);
}

/** Adopts a newer committed state; a stale or equal partition epoch is ignored. */
export function applyState(ctx: PartitionContext, fx: Fx, state: PartitionState): void {
  if (state.partitionEpoch <= ctx.state.partitionEpoch) return;
  const before = ctx.state;
  ctx.state = state;
  logLine(fx, 'debug', 'partitionStateApplied', { leader: state.leader, leaderEpoch: state.leaderEpoch, partitionEpoch: state.partitionEpoch,
    isr: state.isr, replicas: state.replicas, role: ctx.role, leo: ctx.leo, hw: ctx.hw });
  if (ctx.role === 'recovering') return; // Recovery picks the role from ctx.state when it ends.
  const leading = state.leader === ctx.nodeId && state.replicas.includes(ctx.nodeId);
  if (ctx.role === 'leader' && leading && state.leaderEpoch === before.leaderEpoch) {
    const l = ctx.leader as LeaderState;
    l.isr = { kind: 'committed', isr: state.isr }; // Also ends a pending proposal.
    advanceLeaderHw(ctx, fx);
    return;
  }
  if (ctx.role === 'leader') stepDown(ctx, fx);
  if (leading) return becomeLeader(ctx, fx);
  const f = ctx.follower;
  if (f !== undefined && f.leaderId === state.leader && f.leaderEpoch === state.leaderEpoch) return; // ISR-only change.
  becomeFollower(ctx, fx);
}

export function decideRole(ctx: PartitionContext, fx: Fx): void {
  assert(ctx.role === 'recovering', 'decideRole ends recovery');
  if (ctx.state.leader === ctx.nodeId && ctx.state.replicas.includes(ctx.nodeId)) becomeLeader(ctx, fx);
  else becomeFollower(ctx, fx);
}

export function becomeLeader(ctx: PartitionContext, fx: Fx): void {
  const leaderEpoch = ctx.state.leaderEpoch;
  const epochs = assignEpoch(ctx.epochs, leaderEpoch, ctx.leoPending);
  if (epochs === undefined && latestEpoch(ctx.epochs) > leaderEpoch) {
    // Metadata older than our own log: never lead an epoch below one we have seen.
    logLine(fx, 'error', 'staleLeaderEpoch', { leaderEpoch, cached: latestEpoch(ctx.epochs) });
    return becomeFollower(ctx, fx);
  }
  if (epochs !== undefined) ctx.epochs = epochs;
  const followers = new Map(ctx.state.replicas.filter((id) => id !== ctx.nodeId).map((id) => [id, initialProgress(ctx.nowMs)] as const));
  const start = epochStartOffset(ctx.epochs, leaderEpoch);
  assert(start !== undefined, 'the leader epoch is cached');
  const l: LeaderState = { leaderEpoch, ready: false, epochStartOffset: start, queue: [], queueBytes: 0, waiters: [], parked: [],
    readsInFlight: 0, followers, isr: { kind: 'committed', isr: ctx.state.isr }, isrRetryAtMs: 0 };
  ctx.role = 'leader';
  ctx.leader = l;
  ctx.follower = undefined;
  report(fx, 'partitionLeader', { topic: ctx.topic, partition: ctx.partition, nodeId: ctx.nodeId, leaderEpoch });
  startLeaderEpoch(ctx, fx, l, epochs !== undefined);
  if (l.ready) advanceLeaderHw(ctx, fx);
}

/** Leadership ends: answer every waiter, drop batches accepted but never issued. */
export function stepDown(ctx: PartitionContext, fx: Fx): void {
  const l = ctx.leader;
  assert(ctx.role === 'leader' && l !== undefined, 'stepDown from leader only');
  const answer = notLeader(ctx);
  for (const w of takeAll(l.waiters)) send(fx, w.to, 'produceReply', answer, w.corr);
  failParkedFetches(ctx, fx, l);
  const firstQueued = l.queue[0];
  if (firstQueued !== undefined) dropFrom(ctx, firstQueued.baseOffset);
  ctx.leader = undefined;
  ctx.role = 'follower';
}

export function becomeFollower(ctx: PartitionContext, fx: Fx): void {
  assert(ctx.leader === undefined, 'a leader steps down before following');
  ctx.role = 'follower';
  ctx.follower = { leaderId: ctx.state.leader, leaderEpoch: ctx.state.leaderEpoch, fetch: undefined, backoffUntilMs: 0,
    leaderHw: -1, leaderLogStart: -1 };
  maybeSendFetch(ctx, fx);
}

/** A log or epoch write failed: stop serving and rebuild from storage. */
export function storageFailed(ctx: PartitionContext, fx: Fx, what: string, error: string): void {
  logLine(fx, 'error', 'storageFailed', { what, error });
  if (ctx.role === 'leader') stepDown(ctx, fx);
  ctx.follower = undefined;
  startRecovery(ctx, fx);
}
