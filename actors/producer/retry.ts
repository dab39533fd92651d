/**
 * Produce replies, timeouts and retries. The error table decides (never the message): a retriable
 * code is retried after a jittered backoff (refreshing metadata first when the code says the
 * leader moved) until `retries` or deliveryTimeoutMs runs out; anything else fails the batch.
 *
 * Idempotent ordering: when a batch must be retried, every batch in flight behind it goes back
 * too, in sequence order, and all are resent with their original triples — the leader appends the
 * missing ones and answers the rest as duplicates with their original offsets. A batch refused as
 * OUT_OF_ORDER_SEQUENCE_NUMBER while an earlier batch is still unanswered (or was, when the refused
 * attempt left) is behind a gap that the retry will fill, so it counts as retriable. A batch that fails for good leaves a gap its
 * producer id can never fill, so the producer asks for a new producer id (sequences restart at 0).
 *
 * Settling: an OK reply gives each record of the batch its offset; a failure marks the records
 * failed. A send is delivered to the SDK once all of its records are settled (one `deliver` per
 * send); flush and close are delivered once every earlier send is.
 */
import { assert } from '../assert.js';
import { ERRORS } from '../errors.js';
import { backoffMs } from '../kit/backoff.js';
import { deliver, type Fx } from '../kit/fx.js';
import type { ProduceReplyEvent } from '../client/messages.js';
import { routeKey } from '../client/metadata.js';
import type { Batch, ErrorInfo, FlushResult, PartitionQueue, PendingSend, ProducerContext, SendError, SendResult } from './types.js';
import { isOwned, own } from '../kit/draft.js';
import { ownBatch, ownQueue, ownSend, withoutCorr } from './draft.js';
import { idDelete, idFirst, idHas } from '../kit/id-map.js';

export function onProduceReply(ctx: ProducerContext, fx: Fx, event: ProduceReplyEvent): void {
  const key = ctx.corrs.get(event.corr);
  if (key === undefined) return; // An abandoned attempt (retried since) or a duplicate reply.
  own(ctx, 'corrs').delete(event.corr);
  assert(ctx.queues.has(key), 'a corr maps to a queue');
  const q = ownQueue(ctx, key);
  const sent = q.inFlight.find((x) => x.corr === event.corr);
  assert(sent !== undefined, 'a live corr maps to a batch in flight');
  const b = ownBatch(q, sent);
  // Any answer but the transport's "nobody listens" comes from the replica itself.
  if (event.body.code !== 'UNKNOWN_ADDRESS') q.heardFrom = routeKey(b.sentLeaderId, b.sentLeaderEpoch);
  if (event.body.code === 'OK') {
    removeInFlight(q, b);
    q.failures = 0;
    if (b.producerId >= 0) q.acknowledgedProducerId = b.producerId;
    return settleOk(ctx, fx, b, event.body.baseOffset);
  }
  onBatchError(ctx, fx, q, b, { code: event.body.code, message: event.body.message ?? ERRORS[event.body.code].text });
}

/** Takes an owned batch out of flight in its owned queue. */
function removeInFlight(q: PartitionQueue, b: Batch): void {
  assert(isOwned(b), 'the step owns the batch it takes out of flight');
  const i = q.inFlight.indexOf(b);
  assert(i >= 0, 'batch is in flight');
  own(q, 'inFlight').splice(i, 1);
  b.corr = undefined;
}

/** An attempt of batch `b` failed; `q` and `b` are owned by this step (producer/draft.ts). */
export function onBatchError(ctx: ProducerContext, fx: Fx, q: PartitionQueue, b: Batch, error: ErrorInfo): void {
  assert(isOwned(q) && isOwned(b), 'the step owns the queue and batch it changes');
  assert(b.attempts >= 1 && q.inFlight.includes(b), 'an attempt in flight failed');
  b.lastError = error;
  const entry = ERRORS[error.code];
  if (entry.refreshMetadata) own(ctx, 'metadata').stale = true;
  // Behind a gap: an earlier batch is unanswered now, or was when this attempt left (replies may
  // arrive out of order: the earlier batch's OK can overtake this refusal). A retry fills the gap.
  const behindGap = b.producerId >= 0 && error.code === 'OUT_OF_ORDER_SEQUENCE_NUMBER' && (q.inFlight[0] !== b || b.sentBehind);
  const exhausted = b.attempts > ctx.config.retries || ctx.nowMs >= b.deliveryDeadlineMs;
  if (error.code === 'OUT_OF_ORDER_SEQUENCE_NUMBER' && b.producerId >= 0 && b.producerId === q.gapProducerId) {
    // Behind a batch of its producer id that failed for good after it was sent (usually its
    // delivery timed out: written or not, nobody knows): this one cannot be ordered after it. Its
    // outcome is as unknown as that batch's, and a new send (under a new producer id) may succeed:
    // timed out, retriable — never a final out-of-order error for a fault the producer rode through.
    return failBatch(ctx, fx, q, b, { code: 'REQUEST_TIMED_OUT', message: `not delivered: an earlier batch of this partition failed, so this one could not follow it (${error.message})` });
  }
  if (behindGap && !exhausted) return requeueBehindGap(ctx, q, b);
  // Out of time behind a gap: the refusal was about the batch before it, not this one. Its outcome
  // is unknown and a new send may succeed: timed out (retriable), as expireReady reports it.
  if (behindGap) return failBatch(ctx, fx, q, b, { code: 'REQUEST_TIMED_OUT', message: `not delivered in time behind an earlier batch of this partition (${error.message})` });
  if (entry.retriable && !exhausted) return requeue(ctx, q, b);
  failBatch(ctx, fx, q, b, error);
}

function requeue(ctx: ProducerContext, q: PartitionQueue, b: Batch): void {
  assert(isOwned(q) && isOwned(b), 'the step owns the queue and batch it requeues');
  assert(b.corr !== undefined || b.producerId >= 0, 'a requeued batch was in flight');
  if (b.producerId >= 0) {
    for (const f of q.inFlight) if (f.corr !== undefined) own(ctx, 'corrs').delete(f.corr);
    q.ready = q.inFlight.map(withoutCorr).concat(q.ready);
    q.inFlight = [];
  } else {
    if (b.corr !== undefined) own(ctx, 'corrs').delete(b.corr);
    removeInFlight(q, b);
    own(q, 'ready').unshift(b);
  }
  q.failures++;
  const [delayMs, prng] = backoffMs({ baseMs: ctx.config.retryBackoffMs, maxMs: ctx.config.retryBackoffMaxMs }, q.failures, ctx.prng);
  assert(q.ready.every((r) => r.corr === undefined), 'no batch waiting to go is in flight');
  ctx.prng = prng;
  q.retryAtMs = ctx.nowMs + delayMs;
}

/**
 * Refused because an earlier batch had not reached the leader yet: the earlier ones stay in flight
 * (nothing is wrong with them), this one and those sent after it go back, to follow once the
 * earlier ones are answered. No backoff: a reordering network, not a failing leader, caused it.
 */
function requeueBehindGap(ctx: ProducerContext, q: PartitionQueue, b: Batch): void {
  const i = q.inFlight.indexOf(b);
  assert(i >= 0, 'a refused batch is in flight');
  const back = q.inFlight.slice(i);
  for (const f of back) if (f.corr !== undefined) own(ctx, 'corrs').delete(f.corr);
  q.inFlight = q.inFlight.slice(0, i);
  q.ready = back.map(withoutCorr).concat(q.ready);
  b.holdBehind = true; // b is owned, so withoutCorr kept it (not a copy) in the ready list.
  assert(q.ready[0] === b && q.ready.every((r) => r.corr === undefined), 'the refused batch goes first, and nothing waiting to go is in flight');
}

/** Fails a batch for good, wherever it waits. */
export function failBatch(ctx: ProducerContext, fx: Fx, q: PartitionQueue, b: Batch, error: ErrorInfo): void {
  if (b.corr !== undefined) {
    own(ctx, 'corrs').delete(b.corr);
    removeInFlight(q, b);
  } else {
    const i = q.ready.indexOf(b);
    assert(i >= 0, 'a batch not in flight is ready');
    own(q, 'ready').splice(i, 1);
  }
  assert(!q.inFlight.includes(b) && !q.ready.includes(b), 'a failed batch waits nowhere');
  if (b.producerId >= 0 && b.attempts > 0) q.gapProducerId = b.producerId;
  if (b.producerId >= 0 && b.attempts > 0 && b.producerId === ctx.pid.producerId && ctx.pid.status === 'ready') {
    ctx.pid = { ...ctx.pid, status: 'none', retryAtMs: -Infinity };
  }
  settleFailed(ctx, fx, b, error);
}

/** Requests without a reply within requestTimeoutMs count as REQUEST_TIMED_OUT (retriable). */
export function expireInFlight(ctx: ProducerContext, fx: Fx): void {
  assert(ctx.config.requestTimeoutMs > 0, 'a request timeout');
  for (const [key, shared] of ctx.queues) {
    if (!shared.inFlight.some((x) => x.deadlineMs <= ctx.nowMs)) continue;
    const q = ownQueue(ctx, key);
    // Each pass handles one expired batch; an idempotent retry empties inFlight, so this is bounded.
    assert(q.inFlight.length <= ctx.config.maxInFlight, 'in flight bounded');
    for (let guard = q.inFlight.length; guard > 0; guard--) {
      const b = q.inFlight.find((x) => x.deadlineMs <= ctx.nowMs);
      if (b === undefined) break;
      onBatchError(ctx, fx, q, ownBatch(q, b), { code: 'REQUEST_TIMED_OUT', message: `no produce reply in ${ctx.config.requestTimeoutMs} ms` });
    }
  }
}

/**
 * Closed batches still unsent when deliveryTimeoutMs runs out fail as timed out (Kafka's delivery
 * timeout), naming the last error they met: that error was retriable or behind a gap, so the
 * caller may retry — reporting it as the cause would make a retriable outcome look final.
 */
export function expireReady(ctx: ProducerContext, fx: Fx): void {
  assert(ctx.config.deliveryTimeoutMs > 0, 'a delivery timeout');
  for (const [key, shared] of ctx.queues) {
    if (!shared.ready.some((b) => b.deliveryDeadlineMs <= ctx.nowMs)) continue;
    const q = ownQueue(ctx, key);
    const expired = q.ready.filter((b) => b.deliveryDeadlineMs <= ctx.nowMs).map((b) => ownBatch(q, b));
    assert(expired.every((b) => b.corr === undefined), 'a ready batch is not in flight');
    for (const b of expired) {
      const last = b.lastError === undefined ? 'no leader' : `last error ${b.lastError.code}: ${b.lastError.message}`;
      failBatch(ctx, fx, q, b, { code: 'REQUEST_TIMED_OUT', message: `not delivered within ${ctx.config.deliveryTimeoutMs} ms (${last})` });
    }
  }
}

// ---- settling ----

function finish(ctx: ProducerContext, fx: Fx, send: PendingSend): void {
  assert(send.unsettled === 0, 'finish a settled send');
  assert(idHas(ctx.sends, send.arrival), 'a send is answered once');
  idDelete(own(ctx, 'sends'), send.arrival);
  const result: SendResult = send.error === undefined
    ? { ok: true, partitions: send.partitions, offsets: send.offsets }
    : failure(send.error);
  deliver(fx, send.requestId, result);
}

/** Kafka names a failed batch's partition as `topic-partition`; the message says it too, for logs that print only the message. */
function failure(error: SendError): SendResult {
  const { code, message, topic, partition } = error;
  return { ok: false, code, message: `${topic}-${partition}: ${message}`, topic, partition };
}

function settle(ctx: ProducerContext, fx: Fx, batch: Batch, baseOffset: number, error: ErrorInfo | undefined): void {
  let position = 0;
  for (const slice of batch.slices) {
    const send = ownSend(ctx, slice.arrival);
    assert(send.unsettled >= slice.count, 'a batch settles records of a pending send');
    const offsets = own(send, 'offsets');
    for (let j = 0; j < slice.count; j++) offsets[slice.first + j] = baseOffset < 0 || error ? -1 : baseOffset + position + j;
    if (error !== undefined && send.error === undefined) send.error = { ...error, topic: batch.topic, partition: batch.partition };
    send.unsettled -= slice.count;
    position += slice.count;
    if (send.unsettled === 0) finish(ctx, fx, send);
  }
  assert(position === batch.records.length, 'slices cover the batch');
  ctx.bufferedBytes -= batch.bytes;
  assert(ctx.bufferedBytes >= 0, 'buffered bytes never negative');
}

/** The leader wrote the batch at `baseOffset` (-1: acks=0, offsets unknown). */
export function settleOk(ctx: ProducerContext, fx: Fx, batch: Batch, baseOffset: number): void {
  settle(ctx, fx, batch, baseOffset, undefined);
}

export function settleFailed(ctx: ProducerContext, fx: Fx, batch: Batch, error: ErrorInfo): void {
  settle(ctx, fx, batch, -1, error);
}

/** Delivers flushes whose earlier sends are all settled, then a pending close. */
export function settleFlushes(ctx: ProducerContext, fx: Fx): void {
  assert(!ctx.closed || ctx.sends.size === 0, 'a closed producer holds no sends');
  const oldestArrival = idFirst(ctx.sends)?.arrival ?? Infinity;
  let done = 0;
  while (done < ctx.flushes.length && (ctx.flushes[done] as { arrival: number }).arrival < oldestArrival) {
    deliver(fx, (ctx.flushes[done] as { requestId: number }).requestId, { ok: true } satisfies FlushResult);
    done++;
  }
  if (done > 0) ctx.flushes = ctx.flushes.slice(done);
  assert(ctx.flushes.every((f) => f.arrival >= oldestArrival), 'every flush left waits for an earlier send');
  if (ctx.closing !== undefined && ctx.sends.size === 0) {
    deliver(fx, ctx.closing.requestId, { ok: true } satisfies FlushResult);
    ctx.closing = undefined;
    ctx.closed = true;
  }
}
