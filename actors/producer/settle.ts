/**
 * Settling batches: an OK reply gives each record of the batch its offset; a failure marks the
 * records failed. A send is delivered to the SDK once all of its records are settled (one
 * `deliver` per send); flush and close are delivered once every earlier send is.
 */
import { assert } from '../assert.js';
import { deliver, type Fx } from '../kit/fx.js';
import type { Batch, ErrorInfo, FlushResult, PendingSend, ProducerContext, SendError, SendResult } from './types.js';

function finish(ctx: ProducerContext, fx: Fx, send: PendingSend): void {
  assert(send.unsettled === 0, 'finish a settled send');
  ctx.sends.delete(send.requestId);
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
    const send = ctx.sends.get(slice.requestId);
    assert(send !== undefined && send.unsettled >= slice.count, 'a batch settles records of a pending send');
    for (let j = 0; j < slice.count; j++) send.offsets[slice.first + j] = baseOffset < 0 || error ? -1 : baseOffset + position + j;
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
  const oldest = ctx.sends.values().next();
  const oldestArrival = oldest.done ? Infinity : oldest.value.arrival;
  while (ctx.flushes.length > 0 && (ctx.flushes[0] as { arrival: number }).arrival < oldestArrival) {
    const flush = ctx.flushes.shift() as { requestId: number };
    deliver(fx, flush.requestId, { ok: true } satisfies FlushResult);
  }
  if (ctx.closing !== undefined && ctx.sends.size === 0) {
    deliver(fx, ctx.closing.requestId, { ok: true } satisfies FlushResult);
    ctx.closing = undefined;
    ctx.closed = true;
  }
}
