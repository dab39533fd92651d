/**
 * The leader's purgatories (Kafka's DelayedProduce and DelayedFetch), and the high watermark that
 * completes them. A produce waits, ordered by its last offset, until the LEO (acks=1: the
 * leader's own write) or the HW (acks=all: committed) passes it, or its deadline. A long-poll
 * fetch waits until there is data for it or its deadline. Whatever moves the LEO, the HW or the
 * ISR calls advanceLeaderHw (HW = min LEO over the maximal ISR), which answers every produce it
 * now satisfies and wakes the parked fetches; fetches are answered from the tail cache or one
 * storage read. Both lists are bounded by their knobs, checked before anything is added.
 */
import { assert } from '../assert.js';
import { isStoredBatch, type StoredBatch } from './batch.js';
import { computeHw, maximalIsr } from './isr.js';
import { setHw } from './log-writes.js';
import { leaderOf, notLeader } from './step.js';
import { reply, send, type Fx } from '../kit/fx.js';
import { newToken } from '../kit/ops.js';
import { own } from '../kit/draft.js';
import { tailCollect } from './log-cache.js';
import type { FetchReply, FetchRequest, LeaderState, PartitionContext, ProduceReply, ProduceWaiter } from './types.js';

/** A new list with `waiter` inserted in lastOffset order (a duplicate retry may wait on an older offset). */
export function withWaiter(waiters: readonly ProduceWaiter[], waiter: ProduceWaiter): ProduceWaiter[] {
  let i = waiters.length;
  while (i > 0 && (waiters[i - 1] as ProduceWaiter).lastOffset > waiter.lastOffset) i--;
  const out = waiters.slice(0, i);
  out.push(waiter);
  for (let j = i; j < waiters.length; j++) out.push(waiters[j] as ProduceWaiter);
  assert(out.length === waiters.length + 1, 'one waiter added');
  return out;
}

/** The waiters whose offset `leo` or `hw` now covers, and the rest (the same list when none is). */
export function splitCompleted(waiters: readonly ProduceWaiter[], leo: number, hw: number): [done: ProduceWaiter[], rest: readonly ProduceWaiter[]] {
  assert(hw <= leo, 'splitCompleted: hw <= leo');
  return split(waiters, (w) => w.lastOffset < (w.waitFor === 'leo' ? leo : hw));
}

/** The entries whose deadline passed, and the rest (the same list when none did). */
export function splitExpired<T extends { deadlineMs: number }>(items: readonly T[], nowMs: number): [expired: T[], rest: readonly T[]] {
  return split(items, (item) => item.deadlineMs <= nowMs);
}

/** Never changes `items`: the caller replaces its list with `rest`. */
function split<T>(items: readonly T[], taken: (item: T) => boolean): [T[], readonly T[]] {
  const out: T[] = [];
  const rest: T[] = [];
  for (const item of items) (taken(item) ? out : rest).push(item);
  assert(out.length + rest.length === items.length, 'split keeps every item');
  return [out, out.length === 0 ? items : rest];
}

/** HW = min LEO over the maximal ISR; then every waiter it or the LEO satisfies is answered. */
export function advanceLeaderHw(ctx: PartitionContext, fx: Fx): void {
  const l = leaderOf(ctx);
  const hw = computeHw(ctx.hw, ctx.leo, ctx.nodeId, maximalIsr(l.isr), l.followers);
  const moved = setHw(ctx, fx, hw);
  completeProduces(ctx, fx);
  if (moved) wakeParkedFetches(ctx, fx, 'hw');
}

export function completeProduces(ctx: PartitionContext, fx: Fx): void {
  const l = leaderOf(ctx);
  const enough = ctx.state.isr.length >= ctx.configs.minInsyncReplicas;
  const [done, rest] = splitCompleted(l.waiters, ctx.leo, ctx.hw);
  l.waiters = rest;
  for (const w of done) {
    const body: ProduceReply = w.waitFor === 'hw' && !enough
      ? { code: 'NOT_ENOUGH_REPLICAS_AFTER_APPEND', message: `isr ${ctx.state.isr.length} < ${ctx.configs.minInsyncReplicas}` }
      : { code: 'OK', baseOffset: w.baseOffset, logStartOffset: ctx.logStart };
    send(fx, w.to, 'produceReply', body, w.corr);
  }
}

export function expireProduces(ctx: PartitionContext, fx: Fx): void {
  const l = leaderOf(ctx);
  const [expired, rest] = splitExpired(l.waiters, ctx.nowMs);
  l.waiters = rest;
  for (const w of expired) {
    send(fx, w.to, 'produceReply', { code: 'REQUEST_TIMED_OUT', message: `offset ${w.lastOffset} not ${w.waitFor === 'hw' ? 'committed' : 'stored'} in time` }, w.corr);
  }
}

export function outOfRange(ctx: PartitionContext): FetchReply {
  return { code: 'OFFSET_OUT_OF_RANGE', logStartOffset: ctx.logStart, leo: ctx.leo };
}

function endFor(ctx: PartitionContext, request: FetchRequest): number {
  return request.replicaId >= 0 ? ctx.leo : ctx.hw;
}

function okReply(ctx: PartitionContext, request: FetchRequest, batches: StoredBatch[]): FetchReply {
  return request.replicaId >= 0
    ? { code: 'OK', hw: ctx.hw, logStartOffset: ctx.logStart, leo: ctx.leo, batches }
    : { code: 'OK', hw: ctx.hw, logStartOffset: ctx.logStart, batches };
}

/** Answers now when there is enough data (or `mustAnswer`), else parks until data or deadline. */
export function serveOrPark(ctx: PartitionContext, fx: Fx, request: FetchRequest, deadlineMs: number, mustAnswer: boolean): void {
  const l = leaderOf(ctx);
  if (request.fetchOffset < ctx.logStart) return reply(fx, request, outOfRange(ctx));
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
  const canWait = request.maxWaitMs > 0 && deadlineMs > ctx.nowMs && l.parked.length < ctx.knobs.fetchesParkedMax;
  if (enough || mustAnswer || !canWait) return reply(fx, request, okReply(ctx, request, batches));
  l.parked = [...l.parked, { request, deadlineMs }]; // Bounded by fetchesParkedMax, and few in practice.
}

/** New data ('leo': wakes followers) or a new HW ('hw': wakes consumers). */
export function wakeParkedFetches(ctx: PartitionContext, fx: Fx, reason: 'leo' | 'hw'): void {
  const l = leaderOf(ctx);
  if (l.parked.length === 0) return;
  // A woken follower fetch was at our LEO until this append.
  if (reason === 'leo') parkedFollowersCaughtUp(ctx);
  const parked = l.parked;
  l.parked = parked.filter((p) => (p.request.replicaId >= 0) !== (reason === 'leo'));
  for (const p of parked) {
    const interested = (p.request.replicaId >= 0) === (reason === 'leo');
    if (interested) serveOrPark(ctx, fx, p.request, p.deadlineMs, false);
  }
}

export function expireParkedFetches(ctx: PartitionContext, fx: Fx): void {
  const l = leaderOf(ctx);
  parkedFollowersCaughtUp(ctx);
  const [expired, rest] = splitExpired(l.parked, ctx.nowMs);
  l.parked = rest;
  for (const p of expired) serveOrPark(ctx, fx, p.request, p.deadlineMs, true);
}

/** A fetch's storage read finished: answer with the batches the reader may see now. */
export function fetchReadDone(ctx: PartitionContext, fx: Fx, request: FetchRequest, entries: ReadonlyArray<{ offset: number; value: unknown }>,
    error: string | undefined): void {
  if (ctx.leader === undefined) return reply(fx, request, notLeader(ctx));
  const l = leaderOf(ctx);
  // A read issued under an earlier leader epoch is not counted by this leader state.
  if (l.readsInFlight > 0) l.readsInFlight--;
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
  reply(fx, request, okReply(ctx, request, batches));
}

/** Leadership lost: every parked fetch learns who leads now (the caller drops the leader state). */
export function failParkedFetches(ctx: PartitionContext, fx: Fx, l: LeaderState): void {
  for (const p of l.parked) reply(fx, p.request, notLeader(ctx));
}

/**
 * A follower fetch parks only when there is nothing to send it, and every LEO move wakes it: a
 * follower with a fetch parked here holds our whole log until the moment that fetch leaves the
 * purgatory, however long it waited. Its caught-up time is that moment, not the fetch's arrival;
 * otherwise a long poll longer than replicaLagTimeMaxMs drops every follower of an idle partition
 * from the ISR and its next fetch brings it back: two metadata records per follower per long
 * poll, for as long as the partition stays idle. A fetch from an earlier life of the follower's
 * node (a lower node epoch than the leader has seen from it) counts for nothing.
 */
export function parkedFollowersCaughtUp(ctx: PartitionContext): void {
  const l = leaderOf(ctx);
  for (const { request } of l.parked) {
    if (request.replicaId < 0) continue;
    const progress = l.followers.get(request.replicaId);
    if (progress === undefined || (request.nodeEpoch ?? -1) < progress.nodeEpoch || progress.lastCaughtUpMs >= ctx.nowMs) continue;
    own(l, 'followers').set(request.replicaId, { ...progress, lastCaughtUpMs: ctx.nowMs });
  }
}
