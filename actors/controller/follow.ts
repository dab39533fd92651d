/**
 * Following (Raft §5.1-§5.3, the follower's side): a higher term seen in any message is adopted
 * (a leader steps down first, its parked replies fail with NOT_CONTROLLER), a leader's message
 * resets the election deadline, and a follower's acks wait until the entries they cover are
 * stored. The term and vote are stored (sync) before any Raft message that depends on them goes
 * out (step.ts raftSend). The handlers in election, replication, snapshot and leadership all
 * build on these; this file imports none of them.
 */
import { assert } from '../assert.js';
import { nextInt } from '../prng.js';
import { voterIdOf } from '../kit/addresses.js';
import type { ControllerContext } from './types.js';
import { lastIndex } from './log.js';
import { failAll } from './purgatory.js';
import { LEADER_ADDRESSES, notController, raftSend, STATE_KEY } from './step.js';
import { logLine, type Fx } from '../kit/fx.js';
import { newToken } from '../kit/ops.js';

export function resetElectionDeadline(ctx: ControllerContext): void {
  const base = ctx.knobs.electionTimeoutMs;
  const [timeoutMs, prng] = nextInt(ctx.prng, base, 2 * base - 1);
  ctx.prng = prng;
  ctx.electionDeadlineMs = ctx.nowMs + timeoutMs;
}

/** Store term and vote (sync); Raft messages wait for it (step.ts raftSend). */
export function persistState(ctx: ControllerContext, fx: Fx, candidacy = false): void {
  const token = newToken(ctx, { kind: 'state', term: ctx.term, votedFor: ctx.votedFor, candidacy });
  fx.push({ type: 'putMeta', params: { token, entries: [[STATE_KEY, { term: ctx.term, votedFor: ctx.votedFor ?? null }]], sync: true } });
}

/** A higher term seen in any message: follow it (Raft §5.1). */
export function adoptTerm(ctx: ControllerContext, fx: Fx, term: number, leaderId?: number): void {
  assert(term > ctx.term, 'adopt only higher terms');
  assert(ctx.role !== 'recovering', 'a recovering replica does not take part in Raft yet');
  if (ctx.role === 'leader') stepDown(ctx, fx, `term ${term} seen`);
  ctx.term = term;
  ctx.votedFor = undefined;
  ctx.role = 'follower';
  ctx.leaderId = leaderId;
  ctx.votes = [];
  ctx.pendingAcks = [];
  persistState(ctx, fx);
  resetElectionDeadline(ctx);
}

/** Leave leadership (same term unless the caller changes it): parked replies fail with NOT_CONTROLLER. */
export function stepDown(ctx: ControllerContext, fx: Fx, reason: string): void {
  assert(ctx.role === 'leader', 'only a leader steps down');
  ctx.role = 'follower';
  ctx.leaderId = undefined;
  ctx.working = undefined;
  assert(ctx.purgatory.every((w) => w.index > ctx.commitIndex), 'parked replies wait for uncommitted entries only');
  ctx.followers = {};
  ctx.sessions = {};
  ctx.sessionsHeard = {};
  ctx.producerIds = undefined;
  ctx.nodesApplied = {};
  ctx.probes = {};
  failAll(ctx, fx, notController(ctx));
  for (const address of LEADER_ADDRESSES) fx.push({ type: 'unlisten', params: { address } });
  logLine(fx, 'info', 'raftStepDown', { nodeId: ctx.nodeId, term: ctx.term, reason });
}

/** Same term, a leader exists: a (pre-)candidate gives up. */
export function followLeader(ctx: ControllerContext, leaderId: number): void {
  assert(ctx.role !== 'leader' || leaderId === ctx.nodeId, 'two leaders in one term');
  assert(ctx.voters.includes(leaderId), 'a leader is a voter');
  if (ctx.role !== 'follower') ctx.role = 'follower';
  ctx.leaderId = leaderId;
  ctx.votes = [];
  ctx.lastLeaderContactMs = ctx.nowMs;
  resetElectionDeadline(ctx);
}

export function flushAcks(ctx: ControllerContext, fx: Fx): void {
  assert(ctx.role !== 'leader', 'only a follower acks');
  assert(ctx.durableIndex <= lastIndex(ctx.log), 'durableIndex <= lastIndex');
  const keep = [];
  for (const ack of ctx.pendingAcks) {
    if (ack.term !== ctx.term) continue;
    if (ack.matchIndex > ctx.durableIndex) { keep.push(ack); continue; }
    const leader = voterIdOf(ack.to);
    if (leader === undefined) continue; // The validator admits Raft messages only from voter addresses.
    raftSend(ctx, fx, leader, ack.type, { term: ctx.term, followerId: ctx.nodeId, seq: ack.seq, success: true, matchIndex: ack.matchIndex, nextIndexHint: ack.matchIndex + 1 });
  }
  ctx.pendingAcks = keep;
}
