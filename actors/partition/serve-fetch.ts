/**
 * The leader's fetch path: fencing, the divergence check (KIP-595), range checks, follower
 * progress (which moves the HW and the ISR), then an answer from the tail cache, a storage read,
 * or a park in the long-poll purgatory until data arrives or the deadline passes. Followers see
 * the log up to the LEO; consumers only batches wholly below the HW. A replica being added by a
 * reassignment gets no more than the throttle allows (actors/partition/throttle.ts): while the
 * bucket is empty its fetch is parked, and its progress still counts from the moment it arrived.
 */
import { assert } from '../assert.js';
import { isStoredBatch, type StoredBatch } from './batch.js';
import { initialProgress, maximalIsr, recordFetch } from './isr.js';
import { divergence, latestEpoch } from './log-state.js';
import { takeAll, takeExpired } from './purgatory.js';
import { epochMismatch, notLeader } from './step.js';
import { reply, type Fx } from '../kit/fx.js';
import { newToken } from '../kit/ops.js';
import { tailCollect } from './tail-cache.js';
import type { FetchReply, FetchRequest, LeaderState, PartitionContext } from './types.js';
import { advanceLeaderHw, leaderOf } from './leader.js';
import { maybeProposeIsr, parkedFollowersCaughtUp } from './isr-control.js';
import { allowance, charge, readyAtMs, refill, throttles } from './throttle.js';

function refusal(ctx: PartitionContext, l: LeaderState, request: FetchRequest): FetchReply | undefined {
  const replica = request.replicaId >= 0;
  if (replica && (request.replicaId === ctx.nodeId || !ctx.state.replicas.includes(request.replicaId))) {
    return { code: 'INVALID_REQUEST', message: `node ${request.replicaId} is not a follower of this partition` };
  }
  const mismatch = epochMismatch(ctx, request.leaderEpoch);
  if (mismatch) return mismatch;
  const known = replica ? l.followers.get(request.replicaId)?.nodeEpoch ?? -1 : -1;
  if (request.nodeEpoch !== undefined && request.nodeEpoch < known) {
    return { code: 'STALE_NODE_EPOCH', message: `node epoch ${request.nodeEpoch} < ${known}` };
  }
  return undefined;
}

function outOfRange(ctx: PartitionContext): FetchReply {
  return { code: 'OFFSET_OUT_OF_RANGE', logStartOffset: ctx.logStart, leo: ctx.leo };
}

export function onFetch(ctx: PartitionContext, fx: Fx, request: FetchRequest): void {
  const l = leaderOf(ctx);
  const refused = refusal(ctx, l, request);
  if (refused) return reply(fx, request, refused);
  // A follower ahead of us in our own epoch means we lost writes (a restart without a new epoch):
  // never tell it to truncate; it waits until the controller moves leadership.
  const ownEpoch = request.lastFetchedEpoch === latestEpoch(ctx.epochs);
  const diverging = ownEpoch ? undefined : divergence(ctx.epochs, ctx.leo, request.fetchOffset, request.lastFetchedEpoch);
  if (diverging) {
    return reply(fx, request, { code: 'OK', divergingEpoch: diverging, hw: ctx.hw, logStartOffset: ctx.logStart });
  }
  if (request.fetchOffset < ctx.logStart || request.fetchOffset > ctx.leo) return reply(fx, request, outOfRange(ctx));
  if (request.replicaId >= 0) {
    const before = l.followers.get(request.replicaId) ?? initialProgress(ctx.nowMs);
    l.followers.set(request.replicaId, recordFetch(before, request.fetchOffset, ctx.leo, ctx.nowMs, request.nodeEpoch ?? -1));
    advanceLeaderHw(ctx, fx);
    maybeProposeIsr(ctx, fx, request.replicaId);
  }
  serveOrPark(ctx, fx, request, ctx.nowMs + request.maxWaitMs, false);
}

function endFor(ctx: PartitionContext, request: FetchRequest): number {
  return request.replicaId >= 0 ? ctx.leo : ctx.hw;
}

function okReply(ctx: PartitionContext, request: FetchRequest, batches: StoredBatch[]): FetchReply {
  return request.replicaId >= 0
    ? { code: 'OK', hw: ctx.hw, logStartOffset: ctx.logStart, leo: ctx.leo, batches }
    : { code: 'OK', hw: ctx.hw, logStartOffset: ctx.logStart, batches };
}

/** The bytes a throttled follower's fetch may get now (0: none yet), or undefined when it is not throttled. */
function throttledBytes(ctx: PartitionContext, request: FetchRequest): number | undefined {
  if (request.replicaId < 0 || !throttles(ctx.throttle, request.replicaId, maximalIsr(leaderOf(ctx).isr))) return undefined;
  const bucket = refill(ctx.throttle, ctx.nowMs);
  ctx.throttle = bucket;
  return allowance(bucket, request.bytesMax);
}

/** Replies with `batches`, charging a throttled follower's bucket for them. */
function answer(ctx: PartitionContext, fx: Fx, request: FetchRequest, batches: StoredBatch[]): void {
  if (batches.length > 0 && request.replicaId >= 0 && ctx.leader !== undefined && throttles(ctx.throttle, request.replicaId, maximalIsr(ctx.leader.isr))) {
    let bytes = 0;
    for (const b of batches) bytes += b.bytes;
    ctx.throttle = charge(refill(ctx.throttle, ctx.nowMs), bytes);
  }
  reply(fx, request, okReply(ctx, request, batches));
}

/** Answers now when there is enough data (or `mustAnswer`), else parks until data or deadline. */
function serveOrPark(ctx: PartitionContext, fx: Fx, original: FetchRequest, deadlineMs: number, mustAnswer: boolean): void {
  const l = leaderOf(ctx);
  if (original.fetchOffset < ctx.logStart) return reply(fx, original, outOfRange(ctx));
  const canWait = original.maxWaitMs > 0 && deadlineMs > ctx.nowMs && l.parked.length < ctx.knobs.fetchesParkedMax;
  const allowed = throttledBytes(ctx, original);
  if (allowed === 0 && ctx.throttle !== undefined) {
    if (mustAnswer || !canWait) return answer(ctx, fx, original, []);
    l.parked.push({ request: original, deadlineMs: Math.min(deadlineMs, readyAtMs(ctx.throttle)), heldBack: true });
    return;
  }
  const request = allowed === undefined ? original : { ...original, bytesMax: allowed };
  const end = endFor(ctx, request);
  const batches = request.fetchOffset >= end ? [] : tailCollect(ctx.tail, request.fetchOffset, end, request.bytesMax);
  if (batches === undefined) {
    if (l.readsInFlight >= ctx.knobs.readsInFlightMax) return reply(fx, request, { code: 'REPLICA_BUSY', message: 'too many fetch reads' });
    l.readsInFlight++;
    const token = newToken(ctx, { kind: 'fetchRead', request, deadlineMs });
    fx.push({ type: 'read', params: { token, log: ctx.logName, fromOffset: request.fetchOffset, bytesMax: request.bytesMax } });
    return;
  }
  let bytes = 0;
  for (const b of batches) bytes += b.bytes;
  const enough = batches.length > 0 && bytes >= request.minBytes;
  if (enough || mustAnswer || !canWait) return answer(ctx, fx, request, batches);
  l.parked.push({ request: original, deadlineMs });
}

/** New data ('leo': wakes followers) or a new HW ('hw': wakes consumers). */
export function wakeParkedFetches(ctx: PartitionContext, fx: Fx, reason: 'leo' | 'hw'): void {
  const l = leaderOf(ctx);
  if (l.parked.length === 0) return;
  // A woken follower fetch was at our LEO until this append.
  if (reason === 'leo') parkedFollowersCaughtUp(ctx);
  const parked = takeAll(l.parked);
  for (const p of parked) {
    const interested = (p.request.replicaId >= 0) === (reason === 'leo');
    if (interested) serveOrPark(ctx, fx, p.request, p.deadlineMs, false);
    else l.parked.push(p);
  }
}

export function expireParkedFetches(ctx: PartitionContext, fx: Fx): void {
  const l = leaderOf(ctx);
  parkedFollowersCaughtUp(ctx);
  for (const p of takeExpired(l.parked, ctx.nowMs)) serveOrPark(ctx, fx, p.request, p.deadlineMs, true);
}

/** A fetch's storage read finished: answer with the batches the reader may see now. */
export function fetchReadDone(ctx: PartitionContext, fx: Fx, request: FetchRequest, entries: ReadonlyArray<{ offset: number; value: unknown }>,
    error: string | undefined): void {
  if (ctx.role !== 'leader' || ctx.leader === undefined) return reply(fx, request, notLeader(ctx));
  // A read issued under an earlier leader epoch is not counted by this leader state.
  if (ctx.leader.readsInFlight > 0) ctx.leader.readsInFlight--;
  if (error !== undefined) return reply(fx, request, { code: 'STORAGE_ERROR', message: error });
  if (request.fetchOffset < ctx.logStart) return reply(fx, request, outOfRange(ctx));
  const end = endFor(ctx, request);
  const batches: StoredBatch[] = [];
  let bytes = 0;
  for (const entry of entries) {
    assert(isStoredBatch(entry.value), `log entry ${entry.offset} is a stored batch`);
    const batch = entry.value;
    if (batch.lastOffset < request.fetchOffset) continue;
    if (batch.lastOffset >= end) break;
    if (batches.length > 0 && bytes + batch.bytes > request.bytesMax) break;
    batches.push(batch);
    bytes += batch.bytes;
  }
  answer(ctx, fx, request, batches);
}

/** Leadership lost: every parked fetch learns who leads now. */
export function failParkedFetches(ctx: PartitionContext, fx: Fx, l: LeaderState): void {
  for (const p of takeAll(l.parked)) reply(fx, p.request, notLeader(ctx));
}
