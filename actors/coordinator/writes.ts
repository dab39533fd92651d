/**
 * The coordinator's only storage: records produced (acks=all, with the leader epoch it was spawned
 * in) to its own `__consumer_offsets` replica. State changes apply in memory at once; the replies
 * and reports that announce them wait in the batch's outbox until the batch is acknowledged, so
 * nothing is announced that a failover could forget. One batch in flight at a time, later records
 * queue (and coalesce) behind it: if a batch fails, nothing after it reached the log, and the
 * coordinator reloads from the log (the source of truth) answering COORDINATOR_NOT_AVAILABLE to
 * everything waiting — or, when a newer leader epoch refused it, goes fenced.
 */
import { logLine, reply, send, type Effect, type Fx } from '../kit/fx.js';
import { newCorr } from '../kit/ops.js';
import type { ProduceReply } from '../partition/types.js';
import { stamped, takeSequences } from './idempotence.js';
import { maybeCheckpoint, onCheckpointWritten } from './checkpoint.js';
import { recordBytes, toBatch, type CoordRecord } from './records.js';
import type { CoordinatorContext, Outbox, WriteBatch } from './types.js';

export function newOutbox(): Outbox { return { replies: [], effects: [] }; }

export function wallMs(ctx: CoordinatorContext): number { return ctx.nowMs + ctx.wallOffsetMs; }

/** Appends records; the outbox is sent once they are acknowledged (at once when there are none and nothing is queued). */
export function write(ctx: CoordinatorContext, fx: Fx, records: readonly CoordRecord[], outbox: Outbox): void {
  const queue = [...ctx.writes.queue];
  const last = queue[queue.length - 1];
  if (records.length === 0 && last === undefined && ctx.writes.inFlight === undefined) return emit(fx, outbox);
  const bytes = records.reduce((sum, r) => sum + recordBytes(r), 0);
  if (last !== undefined && last.checkpoint === undefined && last.bytes + bytes <= ctx.knobs.batchBytesMax) {
    queue[queue.length - 1] = { records: [...last.records, ...records], bytes: last.bytes + bytes,
      outbox: { replies: [...last.outbox.replies, ...outbox.replies], effects: [...last.outbox.effects, ...outbox.effects] } };
  } else {
    queue.push({ records: [...records], bytes, outbox });
  }
  ctx.writes = { ...ctx.writes, queue };
  flush(ctx, fx);
}

export function flush(ctx: CoordinatorContext, fx: Fx): void {
  const [batch, ...rest] = ctx.writes.queue;
  if (ctx.writes.inFlight !== undefined || batch === undefined) return;
  if (batch.records.length === 0) { // only an outbox, queued behind a batch for order
    ctx.writes = { ...ctx.writes, queue: rest };
    emit(fx, batch.outbox);
    return flush(ctx, fx);
  }
  const corr = newCorr(ctx);
  const baseSequence = takeSequences(ctx, batch.records.length);
  sendBatch(ctx, fx, batch, corr, baseSequence);
  ctx.writes = { ...ctx.writes, queue: rest,
    inFlight: { corr, deadlineMs: ctx.nowMs + ctx.knobs.writeTimeoutMs * 2, resendAtMs: ctx.nowMs + ctx.knobs.resendMs, batch, baseSequence } };
}

function sendBatch(ctx: CoordinatorContext, fx: Fx, batch: WriteBatch, corr: number, baseSequence: number): void {
  send(fx, ctx.produceTo, 'produce', { acks: -1, timeoutMs: ctx.knobs.writeTimeoutMs, leaderEpoch: ctx.leaderEpoch,
    batch: stamped(toBatch(batch.records, wallMs(ctx)), ctx.producer.epoch, baseSequence) }, corr);
}

function emit(fx: Fx, outbox: Outbox): void {
  for (const r of outbox.replies) reply(fx, r.head, r.body);
  for (const e of outbox.effects) fx.push(e);
}

/** A refusal that proves another leader epoch took over: this coordinator is over. */
export function isFencing(body: ProduceReply | { code: string; leaderEpoch?: number }, leaderEpoch: number): boolean {
  return body.code === 'FENCED_LEADER_EPOCH' || (body.code === 'NOT_LEADER' && 'leaderEpoch' in body && (body.leaderEpoch ?? -1) > leaderEpoch);
}

export function onWriteReply(ctx: CoordinatorContext, fx: Fx, corr: number | undefined, body: ProduceReply): void {
  const inFlight = ctx.writes.inFlight;
  if (inFlight === undefined || inFlight.corr !== corr) return; // a reply to a write before a reload
  if (body.code !== 'OK') return writeFailed(ctx, fx, body.code, isFencing(body, ctx.leaderEpoch));
  const batch: WriteBatch = inFlight.batch;
  ctx.writes = { ...ctx.writes, inFlight: undefined,
    recordsSinceCheckpoint: ctx.writes.recordsSinceCheckpoint + (batch.checkpoint === undefined ? batch.records.length : 0) };
  emit(fx, batch.outbox);
  if (batch.checkpoint !== undefined) onCheckpointWritten(ctx, fx, batch, body.baseOffset);
  maybeCheckpoint(ctx);
  flush(ctx, fx);
}

/** Tick: a write without reply is sent again every resendMs, and failed after twice its timeout (the replica may be gone). */
export function expireWrite(ctx: CoordinatorContext, fx: Fx): void {
  const inFlight = ctx.writes.inFlight;
  if (inFlight === undefined) return;
  if (ctx.nowMs >= inFlight.deadlineMs) return writeFailed(ctx, fx, 'REQUEST_TIMED_OUT', false);
  if (ctx.nowMs < inFlight.resendAtMs) return;
  logLine(fx, 'debug', 'groupWriteResent', { partition: ctx.partition, corr: inFlight.corr, records: inFlight.batch.records.length });
  sendBatch(ctx, fx, inFlight.batch, inFlight.corr, inFlight.baseSequence);
  ctx.writes = { ...ctx.writes, inFlight: { ...inFlight, resendAtMs: ctx.nowMs + ctx.knobs.resendMs } };
}

/** Fails everything waiting on a write; then reload, or stop serving when fenced. */
export function writeFailed(ctx: CoordinatorContext, fx: Fx, code: string, fenced: boolean): void {
  logLine(fx, 'warn', 'groupWriteFailed', { partition: ctx.partition, code, fenced });
  failPending(ctx, fx, fenced ? 'NOT_COORDINATOR' : 'COORDINATOR_NOT_AVAILABLE');
  // The `loading` state's entry starts the reload.
  ctx.phase = fenced ? 'fenced' : 'loading';
}

/** Answers every reply waiting on a write with `code`; their reports are dropped (nothing was announced). */
export function failPending(ctx: CoordinatorContext, fx: Fx, code: string): void {
  const batches = [...(ctx.writes.inFlight ? [ctx.writes.inFlight.batch] : []), ...ctx.writes.queue];
  const effects: Effect[] = [];
  for (const b of batches) for (const r of b.outbox.replies) reply(effects, r.head, { code, message: `the write to __consumer_offsets failed` });
  fx.push(...effects);
  ctx.writes = { inFlight: undefined, queue: [], recordsSinceCheckpoint: 0, checkpointStart: undefined };
}
