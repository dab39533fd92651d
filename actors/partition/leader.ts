/**
 * The leader's produce path (Kafka's appendRecordsToLeader + DelayedProduce): checks in Kafka's
 * order, offsets assigned at leoPending, one append in flight with later batches coalesced into
 * the next one, and replies from the offset-ordered purgatory when the LEO (acks=1) or the HW
 * (acks=all) passes the batch. Also the HW rule and ListOffsets.
 */
import { assert } from '../assert.js';
import { batchDefect, toStoredBatch } from './batch.js';
import { computeHw, maximalIsr } from './isr.js';
import { acceptBatch, issueAppend, persistEpochs, setHw } from './log-writes.js';
import { listOffset } from './offsets.js';
import { checkSequence } from './producer-state.js';
import { addWaiter, takeCompleted, takeExpired } from './purgatory.js';
import { epochMismatch } from './step.js';
import { reply, send, type Fx } from '../kit/fx.js';
import type { LeaderState, ListOffsetsRequest, PartitionContext, ProduceReply, ProduceRequest } from './types.js';
import { wakeParkedFetches } from './serve-fetch.js';
import { hwMoved } from './watch.js';

export function leaderOf(ctx: PartitionContext): LeaderState {
  assert(ctx.role === 'leader' && ctx.leader !== undefined, 'leader state present when leading');
  return ctx.leader;
}

/** acks=0 gets no reply at all, not even an error (Kafka closes the connection instead). */
function answer(fx: Fx, request: ProduceRequest, body: ProduceReply): void {
  if (request.acks !== 0) reply(fx, request, body);
}

/** Why this produce is refused before any offset is assigned, or undefined. */
function refusal(ctx: PartitionContext, l: LeaderState, request: ProduceRequest): ProduceReply | undefined {
  if (!l.ready) return { code: 'LEADER_NOT_AVAILABLE', leaderId: ctx.nodeId, leaderEpoch: l.leaderEpoch, message: 'epoch start not durable yet' };
  const mismatch = epochMismatch(ctx, request.leaderEpoch);
  if (mismatch) return mismatch;
  const size = request.batch.records.byteLength;
  if (size > ctx.configs.maxMessageBytes) return { code: 'MESSAGE_TOO_LARGE', message: `${size} > ${ctx.configs.maxMessageBytes} bytes` };
  const defect = batchDefect(request.batch);
  if (defect !== undefined) return { code: 'CORRUPT_MESSAGE', message: defect };
  if (request.acks === -1 && ctx.state.isr.length < ctx.configs.minInsyncReplicas) {
    return { code: 'NOT_ENOUGH_REPLICAS', message: `isr ${ctx.state.isr.length} < ${ctx.configs.minInsyncReplicas}` };
  }
  if (request.acks !== 0 && l.waiters.length >= ctx.knobs.producesPendingMax) return { code: 'REPLICA_BUSY', message: 'too many produces pending' };
  if (l.queueBytes + size > ctx.knobs.appendQueueBytesMax) return { code: 'REPLICA_BUSY', message: 'append queue full' };
  return undefined;
}

export function onProduce(ctx: PartitionContext, fx: Fx, request: ProduceRequest): void {
  const l = leaderOf(ctx);
  const refused = refusal(ctx, l, request);
  if (refused) return answer(fx, request, refused);
  const check = checkSequence(ctx.producers, request.batch);
  if (check.kind === 'refuse') return answer(fx, request, { code: check.code, message: check.message });
  const deadlineMs = ctx.nowMs + request.timeoutMs;
  // The first produce to wait after an idle spell starts the HW stall clock (actors/partition/watch.ts).
  if (l.waiters.length === 0 && !l.hwWatch.stalled) l.hwWatch.sinceMs = ctx.nowMs;
  const waitFor = request.acks === -1 ? 'hw' : 'leo';
  if (check.kind === 'duplicate') {
    // The original may not be stored or committed yet: the retry waits for it like the original would.
    if (request.acks === 0) return;
    addWaiter(l.waiters, { to: request.replyTo ?? request.from, corr: request.corr, baseOffset: check.baseOffset,
      lastOffset: check.lastOffset, waitFor, deadlineMs });
    return completeProduces(ctx, fx);
  }
  const batch = toStoredBatch(request.batch, ctx.leoPending, l.leaderEpoch);
  const epochChanged = acceptBatch(ctx, batch);
  assert(!epochChanged, 'a ready leader already has its epoch in the cache');
  l.queue.push(batch);
  l.queueBytes += batch.bytes;
  if (request.acks !== 0) {
    addWaiter(l.waiters, { to: request.replyTo ?? request.from, corr: request.corr, baseOffset: batch.baseOffset,
      lastOffset: batch.lastOffset, waitFor, deadlineMs });
  }
  flushQueue(ctx, fx);
}

/** Issues the queued batches as one append once the previous log write completed. */
export function flushQueue(ctx: PartitionContext, fx: Fx): void {
  const l = leaderOf(ctx);
  if (ctx.logWrite !== undefined || l.queue.length === 0) return;
  issueAppend(ctx, fx, l.queue, true);
  l.queue = [];
  l.queueBytes = 0;
}

/** HW = min LEO over the maximal ISR; then every waiter it or the LEO satisfies is answered. */
export function advanceLeaderHw(ctx: PartitionContext, fx: Fx): void {
  const l = leaderOf(ctx);
  const hw = computeHw(ctx.hw, ctx.leo, ctx.nodeId, maximalIsr(l.isr), l.followers);
  const moved = setHw(ctx, fx, hw);
  completeProduces(ctx, fx);
  if (moved) {
    hwMoved(ctx, fx, l);
    wakeParkedFetches(ctx, fx, 'hw');
  }
}

export function completeProduces(ctx: PartitionContext, fx: Fx): void {
  const l = leaderOf(ctx);
  const enough = ctx.state.isr.length >= ctx.configs.minInsyncReplicas;
  for (const w of takeCompleted(l.waiters, ctx.leo, ctx.hw)) {
    const body: ProduceReply = w.waitFor === 'hw' && !enough
      ? { code: 'NOT_ENOUGH_REPLICAS_AFTER_APPEND', message: `isr ${ctx.state.isr.length} < ${ctx.configs.minInsyncReplicas}` }
      : { code: 'OK', baseOffset: w.baseOffset, logStartOffset: ctx.logStart };
    send(fx, w.to, 'produceReply', body, w.corr);
  }
}

export function expireProduces(ctx: PartitionContext, fx: Fx): void {
  const l = leaderOf(ctx);
  for (const w of takeExpired(l.waiters, ctx.nowMs)) {
    send(fx, w.to, 'produceReply', { code: 'REQUEST_TIMED_OUT', message: `offset ${w.lastOffset} not ${w.waitFor === 'hw' ? 'committed' : 'stored'} in time` }, w.corr);
  }
}

/** The leader's own append completed. */
export function leaderAppended(ctx: PartitionContext, fx: Fx): void {
  advanceLeaderHw(ctx, fx);
  wakeParkedFetches(ctx, fx, 'leo');
  flushQueue(ctx, fx);
}

/** The epoch cache entry of a new leader epoch is durable: produce opens. */
export function epochDurable(ctx: PartitionContext, fx: Fx, leaderEpoch: number): void {
  if (ctx.role !== 'leader' || ctx.leader?.leaderEpoch !== leaderEpoch) return;
  ctx.leader.ready = true;
  advanceLeaderHw(ctx, fx);
}

export function startLeaderEpoch(ctx: PartitionContext, fx: Fx, l: LeaderState, epochChanged: boolean): void {
  if (epochChanged) persistEpochs(ctx, fx, l.leaderEpoch, true);
  else l.ready = true;
}

export function onListOffsets(ctx: PartitionContext, fx: Fx, request: ListOffsetsRequest): void {
  const l = leaderOf(ctx);
  const mismatch = epochMismatch(ctx, request.leaderEpoch);
  if (mismatch) return reply(fx, request, mismatch);
  // A new leader's HW may trail what the old leader exposed until it reaches its epoch start.
  if (request.timestamp !== -2 && ctx.hw < l.epochStartOffset) {
    return reply(fx, request, { code: 'OFFSET_NOT_AVAILABLE', leaderEpoch: l.leaderEpoch });
  }
  reply(fx, request, { code: 'OK', ...listOffset(ctx.index, ctx.logStart, ctx.hw, request.timestamp) });
}
