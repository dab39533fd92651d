/**
 * Becoming the leader, and check-quorum. A new leader rebuilds its working image (the committed
 * image plus the uncommitted tail of its log), gives every registered node a fresh session,
 * listens on the controller leader addresses (actors/kit/addresses.ts) and appends a
 * `leaderChanged` no-op so that entries of earlier terms commit (Raft §5.4.2, §8). A leader steps
 * down (follow.ts stepDown) on a higher term, on a storage failure or when check-quorum finds it
 * has not heard from a majority within two election timeouts; it hands leadership on when its
 * node shuts down (resign).
 */
import { assert } from '../assert.js';
import { replay } from '../metadata/replay.js';
import { majority, type ControllerContext } from './types.js';
import { entryAt, lastIndex } from './log.js';
import { propose } from './replication.js';
import { stepDown } from './follow.js';
import { LEADER_ADDRESSES, raftSend } from './step.js';
import { logLine, report, type Fx } from '../kit/fx.js';

export function becomeLeader(ctx: ControllerContext, fx: Fx): void {
  assert(ctx.role === 'candidate' && ctx.votedFor === ctx.nodeId, 'only a candidate that voted for itself wins');
  assert(ctx.votes.length >= majority(ctx.voters) && ctx.votes.includes(ctx.nodeId), 'a majority, our own stored vote among it');
  ctx.role = 'leader';
  ctx.leaderId = ctx.nodeId;
  ctx.votes = [];
  let working = ctx.image; // Images are values (replay makes new ones), so the working image starts as the committed one.
  const last = lastIndex(ctx.log);
  for (let i = ctx.commitIndex + 1; i <= last; i++) working = replay(working, entryAt(ctx.log, i).record, i);
  ctx.working = working;
  ctx.followers = {};
  for (const id of ctx.voters) {
    if (id !== ctx.nodeId) ctx.followers[String(id)] = { nextIndex: last + 1, matchIndex: 0, inFlight: false, seqSent: 0, lastContactMs: ctx.nowMs };
  }
  ctx.sessions = {};
  ctx.sessionsHeard = {};
  ctx.producerIds = undefined;
  ctx.probes = {};
  for (const key of Object.keys(working.nodes)) ctx.sessions[key] = ctx.nowMs + ctx.knobs.nodeSessionTimeoutMs;
  ctx.heartbeatDueMs = ctx.nowMs + ctx.knobs.heartbeatIntervalMs;
  for (const address of LEADER_ADDRESSES) fx.push({ type: 'listen', params: { address } });
  report(fx, 'raftLeader', { nodeId: ctx.nodeId, term: ctx.term });
  logLine(fx, 'info', 'raftLeader', { nodeId: ctx.nodeId, term: ctx.term, lastIndex: last, commitIndex: ctx.commitIndex });
  propose(ctx, fx, [{ type: 'leaderChanged', leaderId: ctx.nodeId, term: ctx.term }], undefined);
}

/**
 * Check-quorum (Ongaro's thesis §6.2, etcd's CheckQuorum): a leader that has not heard from a
 * majority within two election timeouts steps down. Two, not one: on a loaded host (five node
 * processes on two cores) heartbeats and their replies queue for hundreds of ms while every voter
 * is healthy, and a leader that steps down then costs the cluster an election (seconds with a
 * split vote). Stepping down later is safe: a deposed leader commits nothing without a majority.
 * Silence during a stall of the leader's own process does not count (tick.ts).
 */
export function checkQuorum(ctx: ControllerContext, fx: Fx): boolean {
  assert(ctx.role === 'leader', 'check-quorum runs on the leader');
  assert(Object.keys(ctx.followers).length === ctx.voters.length - 1, 'progress for every other voter');
  const sinceMs = ctx.nowMs - 2 * ctx.knobs.electionTimeoutMs;
  let heard = 1;
  for (const p of Object.values(ctx.followers)) if (p.lastContactMs >= sinceMs) heard++;
  if (heard >= majority(ctx.voters)) return true;
  stepDown(ctx, fx, 'check-quorum: no majority heard within two election timeouts');
  ctx.lastLeaderContactMs = -Infinity;
  return false;
}

/**
 * Graceful resignation (KRaft's EndQuorumEpoch, KIP-595): the leader's node is shutting down. It
 * steps down and tells every voter, naming its most caught-up follower as successor, so the quorum
 * elects a new leader within a tick or two instead of an election timeout after the last
 * heartbeat; until then nodes cannot learn the leadership moves their own shutdown caused.
 */
export function resign(ctx: ControllerContext, fx: Fx): void {
  if (ctx.role !== 'leader') return;
  let successorId = -1;
  let bestMatch = -1;
  for (const id of ctx.voters) {
    const p = ctx.followers[String(id)];
    if (id === ctx.nodeId || p === undefined || p.matchIndex <= bestMatch) continue;
    successorId = id;
    bestMatch = p.matchIndex;
  }
  assert(successorId !== ctx.nodeId, 'the successor is another voter');
  stepDown(ctx, fx, 'resigned: node shutting down');
  assert(ctx.working === undefined && ctx.leaderId === undefined, 'a resigned leader leads nothing');
  ctx.electionDeadlineMs = Infinity; // It leaves: it campaigns no more.
  if (successorId < 0) return;
  for (const id of ctx.voters) if (id !== ctx.nodeId) raftSend(ctx, fx, id, 'endQuorumEpoch', { term: ctx.term, leaderId: ctx.nodeId, successorId });
}
