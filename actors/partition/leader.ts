/**
 * The leader's produce path (Kafka's appendRecordsToLeader): checks in Kafka's order, offsets
 * assigned at leoPending, one append in flight with later batches coalesced into the next one, and
 * a waiter in the purgatory (replication.ts) until the LEO (acks=1) or the HW (acks=all) passes the
 * batch. Also ListOffsets.
 */
import { assert } from '../assert.js';
import { batchDefect, toStoredBatch } from './batch.js';
import { acceptBatch, issueAppend, persistEpochs } from './log.js';
import { listOffset } from './offsets.js';
import { checkSequence } from './producer-state.js';
import { advanceLeaderHw, completeProduces, wakeParkedFetches, withWaiter } from './replication.js';
import { epochMismatch, leaderOf } from './step.js';
import { reply, type Fx } from '../kit/fx.js';
import { own } from '../kit/draft.js';
import type { LeaderState, ListOffsetsRequest, PartitionContext, ProduceReply, ProduceRequest } from './types.js';

/** acks=0 gets no reply at all, not even an error (Kafka closes the connection instead). */
function answer(fx: Fx, request: ProduceRequest, body: ProduceReply): void {
  if (request.acks !== 0) reply(fx, request, body);
}

/** Why this produce is refused before any offset is assigned, or undefined. */
function refusal(ctx: PartitionContext, l: LeaderState, request: ProduceRequest): ProduceReply | undefined {
  assert(l.leaderEpoch === ctx.state.leaderEpoch, 'a leader serves in the epoch the state names');
  assert(l.queueBytes >= 0 && l.queueBytes <= ctx.knobs.appendQueueBytesMax, 'the append queue is bounded');
  // The epoch first, as every other leader request checks it: a client on a stale epoch is told so at
  // once (it must refresh its metadata), not asked to retry a leader that is only getting ready.
  const mismatch = epochMismatch(ctx, request.leaderEpoch);
  if (mismatch) return mismatch;
  if (!l.ready) return { code: 'LEADER_NOT_AVAILABLE', leaderId: ctx.nodeId, leaderEpoch: l.leaderEpoch, message: 'epoch start not durable yet' };
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
  assert(l.ready, 'a produce passes the checks only once the epoch start is durable');
  const check = checkSequence(ctx.producers, request.batch);
  if (check.kind === 'refuse') return answer(fx, request, { code: check.code, message: check.message });
  const deadlineMs = ctx.nowMs + request.timeoutMs;
  // The first produce to wait after an idle spell starts the HW stall clock (actors/partition/watch.ts).
  if (l.waiters.length === 0 && !l.hwWatch.stalled) own(l, 'hwWatch').sinceMs = ctx.nowMs;
  const waitFor = request.acks === -1 ? 'hw' : 'leo';
  if (check.kind === 'duplicate') {
    // The original may not be stored or committed yet: the retry waits for it like the original would.
    if (request.acks === 0) return;
    l.waiters = withWaiter(l.waiters, { to: request.replyTo ?? request.from, corr: request.corr, baseOffset: check.baseOffset,
      lastOffset: check.lastOffset, waitFor, deadlineMs });
    return completeProduces(ctx, fx);
  }
  const batch = toStoredBatch(request.batch, ctx.leoPending, l.leaderEpoch);
  const epochChanged = acceptBatch(ctx, batch);
  assert(!epochChanged, 'a ready leader already has its epoch in the cache');
  own(l, 'queue').push(batch);
  l.queueBytes += batch.bytes;
  if (request.acks !== 0) {
    l.waiters = withWaiter(l.waiters, { to: request.replyTo ?? request.from, corr: request.corr, baseOffset: batch.baseOffset,
      lastOffset: batch.lastOffset, waitFor, deadlineMs });
  }
  flushQueue(ctx, fx);
  // Parallel replication: followers get the batch now, while the leader's own write is under way,
  // so an acknowledgement waits for the slower of the writes, not for both in series. The HW still
  // counts the leader's stored LEO, so nothing is committed that the leader has not stored.
  wakeParkedFetches(ctx, fx, 'leo');
}

/** Issues the queued batches as one append once the previous log write completed. */
export function flushQueue(ctx: PartitionContext, fx: Fx): void {
  const l = leaderOf(ctx);
  if (ctx.logWrite !== undefined || l.queue.length === 0) return;
  issueAppend(ctx, fx, l.queue, true);
  l.queue = [];
  l.queueBytes = 0;
}

/**
 * The leader's own append completed: the HW may move. Follower fetches were woken when the batches
 * were accepted; one parked since then waits only if the tail cache let its batches go (serveOrPark).
 */
export function leaderAppended(ctx: PartitionContext, fx: Fx): void {
  flushQueue(ctx, fx);
  advanceLeaderHw(ctx, fx);
  wakeParkedFetches(ctx, fx, 'leo');
}

/** The epoch cache entry of a new leader epoch is durable: produce opens. */
export function epochDurable(ctx: PartitionContext, fx: Fx, leaderEpoch: number): void {
  if (ctx.leader?.leaderEpoch !== leaderEpoch) return;
  leaderOf(ctx).ready = true;
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
  assert(ctx.logStart <= ctx.hw, 'listOffsets: logStart <= hw');
  assert(l.epochStartOffset <= ctx.leoPending, 'the epoch starts within the log');
  // A new leader's HW may trail what the old leader exposed until it reaches its epoch start.
  if (request.timestamp !== -2 && ctx.hw < l.epochStartOffset) {
    return reply(fx, request, { code: 'OFFSET_NOT_AVAILABLE', leaderEpoch: l.leaderEpoch });
  }
  reply(fx, request, { code: 'OK', ...listOffset(ctx.index, ctx.logStart, ctx.hw, request.timestamp) });
}
