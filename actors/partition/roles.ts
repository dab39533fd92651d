/**
 * Role changes: what a committed partition state (metadataChanged, alterPartitionReply) means for
 * the replica (roleChange: the machine's transitions follow it), adopting it, becoming leader
 * (epoch cache entry durable before produce opens, followers' progress reset), stepping down
 * (every waiter answered, unissued batches dropped) and becoming follower.
 */
import { assert } from '../assert.js';
import { initialProgress } from './isr.js';
import { assignEpoch, epochStartOffset, latestEpoch, dropFrom } from './log.js';
import { notLeader } from './step.js';
import { logLine, report, send, type Fx } from '../kit/fx.js';
import { fresh } from '../kit/draft.js';
import type { LeaderState, PartitionConfigs, PartitionContext, PartitionState } from './types.js';
import { startLeaderEpoch } from './leader.js';
import { advanceLeaderHw, failParkedFetches } from './replication.js';
import { leaderOf } from './step.js';
import { maybeSendFetch } from './follower.js';
import { applyThrottle, type ReplicaThrottle } from './throttle.js';
import { logFollowing, logIsrChanged, logLeading, logResigned } from './watch.js';

/** What a newer committed partition state means for this replica: nothing (older), the same leadership, or a role to take. */
export type RoleChange = 'stale' | 'same' | 'lead' | 'follow';

export function roleChange(ctx: PartitionContext, state: PartitionState): RoleChange {
  if (state.partitionEpoch <= ctx.state.partitionEpoch) return 'stale';
  if (ctx.recovery !== undefined) return 'same'; // Recovery picks the role from ctx.state when it ends.
  if (leads(ctx, state)) return ctx.leader !== undefined && state.leaderEpoch === ctx.state.leaderEpoch ? 'same' : 'lead';
  const f = ctx.follower;
  return f !== undefined && f.leaderId === state.leader && f.leaderEpoch === state.leaderEpoch ? 'same' : 'follow'; // 'same': an ISR-only change.
}

/**
 * Whether this replica may lead in `state`: it is named leader, the metadata is not older than
 * its own log (never lead an epoch below one it has seen; it follows instead until newer state),
 * and its node has not lost its controller session (resign below).
 */
export function leads(ctx: PartitionContext, state: PartitionState): boolean {
  return !ctx.resigned && named(ctx, state);
}

/** `state` names this replica leader and its log allows it, session or not (never in an epoch it abandoned). */
function named(ctx: PartitionContext, state: PartitionState): boolean {
  return state.leader === ctx.nodeId && state.replicas.includes(ctx.nodeId) && latestEpoch(ctx.epochs) <= state.leaderEpoch
    && state.leaderEpoch > ctx.abandonedEpoch;
}

/**
 * Leadership of `leaderEpoch` ends having lost batches followers may hold: it is never taken up
 * again (PartitionContext.abandonedEpoch); while the state still names this replica in it, the
 * replica follows no one and asks the controller to move on (follower.ts, askToResign).
 */
export function abandonEpoch(ctx: PartitionContext, fx: Fx, leaderEpoch: number, why: string): void {
  assert(leaderEpoch >= 0, 'an epoch this replica led');
  if (leaderEpoch <= ctx.abandonedEpoch) return;
  ctx.abandonedEpoch = leaderEpoch;
  logLine(fx, 'warn', 'leaderEpochAbandoned', { leaderEpoch, why, leo: ctx.leo, leoPending: ctx.leoPending });
  assert(!named(ctx, { ...ctx.state, leaderEpoch }), 'an abandoned epoch is never led');
}

/**
 * The node lost its controller session (actors/node/session.ts): the controller may have
 * fenced it and elected another leader. A leader resigns (the machine's transition to `follower`
 * steps it down: every waiting produce gets NOT_LEADER, nothing more is acknowledged), and no
 * state makes it lead until the session is back. A follower of itself sends no fetch.
 */
export function resign(ctx: PartitionContext): void {
  ctx.resigned = true;
}

/** The session is back and the image caught up: the machine leads again if the state still names this replica. */
export function unresign(ctx: PartitionContext): void {
  ctx.resigned = false;
}

/** Whether the session coming back makes this replica lead (the guard of that transition, taken before unresign). */
export function leadsOnceBack(ctx: PartitionContext): boolean {
  return ctx.resigned && ctx.recovery === undefined && named(ctx, ctx.state);
}

/**
 * The node runtime's metadataChanged: a new share of the reassignment throttle (taken even with a
 * state no newer: the share changes when other partitions start or end a move), then the state.
 */
export function adoptMetadata(ctx: PartitionContext, fx: Fx, state: PartitionState, configs: Partial<PartitionConfigs> | undefined,
    throttle: ReplicaThrottle | undefined): void {
  ctx.throttle = applyThrottle(ctx.throttle, throttle, ctx.nowMs);
  adoptState(ctx, fx, state, configs);
}

/** Adopts a newer committed state (a stale or equal partition epoch is ignored); the role it implies is the machine's transition. */
export function adoptState(ctx: PartitionContext, fx: Fx, state: PartitionState, configs: Partial<PartitionConfigs> | undefined): void {
  assert(state.isr.every((id) => state.replicas.includes(id)), 'a committed ISR lies within the replicas');
  assert(state.leader < 0 || state.isr.includes(state.leader), 'a committed leader is in the ISR');
  if (configs !== undefined) ctx.configs = { ...ctx.configs, ...configs };
  const change = roleChange(ctx, state);
  if (change === 'stale') return;
  const before = ctx.state;
  ctx.state = state;
  logLine(fx, 'debug', 'partitionStateApplied', { leader: state.leader, leaderEpoch: state.leaderEpoch, partitionEpoch: state.partitionEpoch,
    isr: state.isr, replicas: state.replicas, leo: ctx.leo, hw: ctx.hw });
  if (state.leader === ctx.nodeId && !named(ctx, state) && state.leaderEpoch > ctx.abandonedEpoch) {
    logLine(fx, 'error', 'staleLeaderEpoch', { leaderEpoch: state.leaderEpoch, cached: latestEpoch(ctx.epochs) });
  }
  if (change === 'same' && ctx.leader !== undefined) {
    leaderOf(ctx).isr = { kind: 'committed', isr: state.isr }; // Also ends a pending proposal.
    logIsrChanged(ctx, fx, before.isr);
    advanceLeaderHw(ctx, fx);
  }
}

/** Entering `leader`: the epoch cache entry is made durable before produce opens; followers' progress starts afresh. */
export function becomeLeader(ctx: PartitionContext, fx: Fx): void {
  assert(leads(ctx, ctx.state), 'only a replica the state names (and its log allows) leads');
  assert(ctx.leader === undefined && ctx.recovery === undefined, 'a leader starts from a recovered replica that does not lead');
  const leaderEpoch = ctx.state.leaderEpoch;
  const epochs = assignEpoch(ctx.epochs, leaderEpoch, ctx.leoPending);
  if (epochs !== undefined) ctx.epochs = epochs;
  const followers = new Map(ctx.state.replicas.filter((id) => id !== ctx.nodeId).map((id) => [id, initialProgress(ctx.nowMs)] as const));
  const start = epochStartOffset(ctx.epochs, leaderEpoch);
  assert(start !== undefined, 'the leader epoch is cached');
  // A proposal the previous leadership of these same epochs left in flight may still be accepted:
  // its maximal ISR keeps counting for the HW until an answer or a newer state ends it (seed 800135:
  // a leader rebuilt after a failed write forgot an expansion, acknowledged records the joining
  // member lacked, and that member was elected).
  const carried = ctx.isrInFlight;
  ctx.isrInFlight = undefined;
  const isr = carried !== undefined && carried.leaderEpoch === leaderEpoch && carried.partitionEpoch === ctx.state.partitionEpoch
    ? carried.isr : { kind: 'committed' as const, isr: ctx.state.isr };
  const l: LeaderState = fresh({ leaderEpoch, ready: false, epochStartOffset: start, queue: [], queueBytes: 0, waiters: [], parked: [],
    readsInFlight: 0, followers, isr, isrRetryAtMs: 0,
    hwWatch: { hw: ctx.hw, sinceMs: ctx.nowMs, stalled: false } });
  ctx.leader = l;
  ctx.follower = undefined;
  report(fx, 'partitionLeader', { topic: ctx.topic, partition: ctx.partition, nodeId: ctx.nodeId, leaderEpoch });
  logLeading(ctx, fx, l);
  startLeaderEpoch(ctx, fx, l, epochs !== undefined);
  if (l.ready) advanceLeaderHw(ctx, fx);
}

/** Leadership ends (a transition out of `leader`): answer every waiter, drop batches accepted but never issued. */
export function stepDown(ctx: PartitionContext, fx: Fx, why: string): void {
  const l = ctx.leader;
  assert(l !== undefined, 'stepDown from leader only');
  logResigned(ctx, fx, l.leaderEpoch, why);
  const answer = notLeader(ctx);
  assert(l.waiters.length <= ctx.knobs.producesPendingMax, 'the produce purgatory is bounded');
  for (const w of l.waiters) send(fx, w.to, 'produceReply', answer, w.corr);
  failParkedFetches(ctx, fx, l);
  const firstQueued = l.queue[0];
  if (firstQueued !== undefined) {
    abandonEpoch(ctx, fx, l.leaderEpoch, 'accepted batches dropped on stepping down');
    dropFrom(ctx, firstQueued.baseOffset);
  }
  ctx.isrInFlight = l.isr.kind === 'committed' ? undefined : { leaderEpoch: l.leaderEpoch, partitionEpoch: ctx.state.partitionEpoch, isr: l.isr };
  ctx.leader = undefined;
}

/** Entering `follower`: a fetch session with the leader the state names. */
export function becomeFollower(ctx: PartitionContext, fx: Fx): void {
  assert(ctx.leader === undefined, 'a leader steps down before following');
  assert(ctx.recovery === undefined, 'a follower starts from a recovered replica');
  ctx.follower = fresh({ leaderId: ctx.state.leader, leaderEpoch: ctx.state.leaderEpoch, fetch: undefined, backoffUntilMs: 0,
    leaderHw: -1, lastFetchOffset: -1, leaderLogStart: -1 });
  logFollowing(ctx, fx);
  maybeSendFetch(ctx, fx);
}
