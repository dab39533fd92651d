/**
 * Loading (Kafka's coordinator load): first a barrier record is produced with acks=all in the
 * coordinator's leader epoch. Its acknowledgement proves the epoch is current and that everything
 * before its offset is committed, so fetching from the log start up to it reads that state. Then a
 * second, fencing barrier — sequence 0 of a producer epoch above every one read — shuts out any
 * write of an earlier life still on its way, and the read goes on up to it. Any refusal other
 * than a newer leader epoch retries after a backoff; a newer epoch fences.
 */
import { logLine, report, send, type Fx } from '../kit/fx.js';
import { newCorr } from '../kit/ops.js';
import type { FetchReply, ProduceReply } from '../partition/types.js';
import { applyRecord } from './apply.js';
import { fromBatch, toBatch } from './records.js';
import type { CoordinatorContext } from './types.js';
import { emptyWrites, isFencing, wallMs } from './write-state.js';
import { COORDINATOR_PRODUCER_ID, stamped } from './idempotence.js';

export function startLoad(ctx: CoordinatorContext, fx: Fx): void {
  ctx.phase = 'loading';
  ctx.groups = {};
  ctx.offsets = {};
  ctx.writes = emptyWrites(ctx.nowMs);
  const corr = newCorr(ctx);
  ctx.load = { step: 'barrier', fencing: false, producerEpochSeen: ctx.producer.epoch, corr,
    deadlineMs: ctx.nowMs + ctx.knobs.writeTimeoutMs * 2, resendAtMs: ctx.nowMs + ctx.knobs.resendMs, endOffset: 0, nextOffset: 0, recordsRead: 0 };
  sendBarrier(ctx, fx, corr);
}

/** The first barrier is a plain write; the fencing one is sequence 0 of the new producer epoch. */
function sendBarrier(ctx: CoordinatorContext, fx: Fx, corr: number): void {
  const batch = toBatch([{ kind: 'barrier', value: null }], wallMs(ctx));
  send(fx, ctx.produceTo, 'produce', { acks: -1, timeoutMs: ctx.knobs.writeTimeoutMs, leaderEpoch: ctx.leaderEpoch,
    batch: ctx.load?.fencing === true ? stamped(batch, ctx.producer.epoch, 0) : batch }, corr);
  if (ctx.load?.fencing === true) ctx.producer = { ...ctx.producer, nextSequence: 1 };
}

function sendRead(ctx: CoordinatorContext, fx: Fx, nextOffset: number, corr: number): void {
  send(fx, ctx.fetchFrom, 'fetch', { replicaId: -1, fetchOffset: nextOffset, lastFetchedEpoch: -1, leaderEpoch: ctx.leaderEpoch,
    maxWaitMs: 0, minBytes: 0, bytesMax: ctx.knobs.fetchBytesMax }, corr);
}

function retryLater(ctx: CoordinatorContext, fx: Fx, why: string): void {
  logLine(fx, 'info', 'groupLoadRetry', { partition: ctx.partition, leaderEpoch: ctx.leaderEpoch, why });
  ctx.load = ctx.load === undefined ? undefined : { ...ctx.load, step: 'wait', corr: -1 };
  ctx.retryAtMs = ctx.nowMs + ctx.knobs.retryBackoffMs;
}

export function onLoadProduceReply(ctx: CoordinatorContext, fx: Fx, corr: number | undefined, body: ProduceReply): void {
  const load = ctx.load;
  if (load === undefined || load.step !== 'barrier' || load.corr !== corr) return;
  if (body.code !== 'OK') {
    if (isFencing(body, ctx.leaderEpoch)) { ctx.phase = 'fenced'; return; }
    return retryLater(ctx, fx, body.code);
  }
  // The fencing barrier's read goes on from where the first one's stopped, up to it.
  ctx.load = { ...load, step: 'read', endOffset: body.baseOffset, nextOffset: load.fencing ? load.nextOffset : body.logStartOffset };
  readNext(ctx, fx);
}

function readNext(ctx: CoordinatorContext, fx: Fx): void {
  const load = ctx.load;
  if (load === undefined) return;
  if (load.nextOffset >= load.endOffset && load.fencing) return finish(ctx, fx);
  if (load.nextOffset >= load.endOffset) {
    // Everything below the first barrier is read: take a producer epoch above every one in it.
    ctx.producer = { epoch: Math.max(load.producerEpochSeen, ctx.producer.epoch) + 1, nextSequence: 0 };
    const corr = newCorr(ctx);
    ctx.load = { ...load, step: 'barrier', fencing: true, corr, deadlineMs: ctx.nowMs + ctx.knobs.writeTimeoutMs * 2, resendAtMs: ctx.nowMs + ctx.knobs.resendMs };
    return sendBarrier(ctx, fx, corr);
  }
  const corr = newCorr(ctx);
  sendRead(ctx, fx, load.nextOffset, corr);
  ctx.load = { ...load, corr, deadlineMs: ctx.nowMs + ctx.knobs.writeTimeoutMs * 2, resendAtMs: ctx.nowMs + ctx.knobs.resendMs };
}

export function onLoadFetchReply(ctx: CoordinatorContext, fx: Fx, corr: number | undefined, body: FetchReply): void {
  const load = ctx.load;
  if (load === undefined || load.step !== 'read' || load.corr !== corr) return;
  if (body.code !== 'OK') {
    if (isFencing(body, ctx.leaderEpoch)) { ctx.phase = 'fenced'; return; }
    // The log start moved past what was read (a checkpoint's trim): start over from the new start.
    if (body.code === 'OFFSET_OUT_OF_RANGE') return startLoad(ctx, fx);
    return retryLater(ctx, fx, body.code);
  }
  if (!('batches' in body) || body.batches.length === 0) return retryLater(ctx, fx, 'no batches below the barrier');
  let next = load.nextOffset;
  let skipped = 0;
  let read = 0;
  let producerEpochSeen = load.producerEpochSeen;
  for (const batch of body.batches) {
    if (batch.producerId === COORDINATOR_PRODUCER_ID) producerEpochSeen = Math.max(producerEpochSeen, batch.producerEpoch);
    if (batch.lastOffset < next) continue;
    if (batch.baseOffset >= load.endOffset) { next = load.endOffset; break; }
    const decoded = fromBatch(batch);
    skipped += decoded.skipped;
    for (const r of decoded.records) applyRecord(ctx, r);
    read += decoded.records.length;
    next = batch.lastOffset + 1;
  }
  if (skipped > 0) logLine(fx, 'warn', 'groupRecordsSkipped', { partition: ctx.partition, skipped });
  ctx.load = { ...load, nextOffset: next, recordsRead: load.recordsRead + read, producerEpochSeen };
  readNext(ctx, fx);
}

function finish(ctx: CoordinatorContext, fx: Fx): void {
  const groups = Object.keys(ctx.groups).length;
  // A long log counts towards the next checkpoint, so the next load is short again.
  ctx.writes = { ...ctx.writes, recordsSinceCheckpoint: ctx.load?.recordsRead ?? 0 };
  ctx.load = undefined;
  ctx.phase = 'serving';
  logLine(fx, 'info', 'groupsLoaded', { partition: ctx.partition, leaderEpoch: ctx.leaderEpoch, groups });
  report(fx, 'groupLoaded', { partition: ctx.partition, leaderEpoch: ctx.leaderEpoch, groups });
}

/**
 * Tick while loading: a barrier or read without reply is sent again every resendMs (a second
 * barrier is harmless: the first acknowledged one bounds the read); after twice the write timeout
 * the load starts over after a backoff.
 */
export function loadTick(ctx: CoordinatorContext, fx: Fx): void {
  const load = ctx.load;
  if (load === undefined) return startLoad(ctx, fx);
  if (load.step === 'wait') { if (ctx.nowMs >= ctx.retryAtMs) startLoad(ctx, fx); return; }
  if (ctx.nowMs >= load.deadlineMs) return retryLater(ctx, fx, 'no reply');
  if (ctx.nowMs < load.resendAtMs) return;
  if (load.step === 'barrier') sendBarrier(ctx, fx, load.corr); else sendRead(ctx, fx, load.nextOffset, load.corr);
  ctx.load = { ...load, resendAtMs: ctx.nowMs + ctx.knobs.resendMs };
}
