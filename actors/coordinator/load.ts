/**
 * Loading (Kafka's coordinator load). A fencing barrier is produced with acks=all in the
 * coordinator's leader epoch: sequence 0 of the next producer epoch of this life's own range
 * (idempotence.ts), above every epoch an earlier load or life used. Its acknowledgement proves the
 * leader epoch is current, that everything before its offset is committed, and that every write an
 * earlier load left in flight is refused from now on; the load reads the log up to it and serves.
 * One replication round stands between a new leader and its groups being served.
 *
 * The long path, when the life's range is used up or the partition refuses the epoch anyway: a
 * plain barrier bounds a read of the whole log, then a fencing barrier goes out in a producer epoch
 * above every one read, and the read goes on up to it. Any other refusal but a newer leader epoch
 * retries after a backoff; a newer epoch fences.
 */
import { assert } from '../assert.js';
import { logLine, report, send, type Fx } from '../kit/fx.js';
import { newCorr } from '../kit/ops.js';
import { PRODUCER_EPOCH_MAX } from '../partition/batch.js';
import type { FetchReply, ProduceReply } from '../partition/types.js';
import { applyRecord } from './apply.js';
import { fromBatch, toBatch } from './records.js';
import type { CoordinatorContext, Load } from './types.js';
import { emptyWrites, isFencing, wallMs } from './write-state.js';
import { stamped } from './idempotence.js';

export function startLoad(ctx: CoordinatorContext, fx: Fx): void {
  assert(ctx.phase !== 'fenced', 'a fenced coordinator never loads again');
  const epochBefore = ctx.producer.epoch;
  ctx.phase = 'loading';
  ctx.groups = {};
  ctx.offsets = {};
  ctx.writes = emptyWrites(ctx.nowMs);
  const epoch = ctx.producer.epoch + 1;
  const direct = epoch <= ctx.producer.directUntil;
  // The long path reads first, and fences above every epoch read (and this life's last one).
  ctx.producer = { ...ctx.producer, epoch: direct ? epoch : ctx.producer.epoch, nextSequence: 0 };
  ctx.load = { step: 'barrier', fencing: direct, fellBack: !direct, producerEpochSeen: ctx.producer.epoch, corr: -1,
    deadlineMs: 0, resendAtMs: 0, endOffset: 0, nextOffset: 0, recordsRead: 0 };
  // A producer epoch taken again would let the partition take writes of an earlier load as this one's.
  assert(ctx.producer.epoch >= epochBefore && (!direct || ctx.producer.epoch > epochBefore), `producer epoch ${ctx.producer.epoch} after ${epochBefore}`);
  sendBarrier(ctx, fx);
}

/** Sends the load's barrier (a new attempt: new corr, deadline and resend time). */
function sendBarrier(ctx: CoordinatorContext, fx: Fx): void {
  const load = ctx.load as Load;
  const corr = newCorr(ctx);
  ctx.load = { ...load, step: 'barrier', corr, deadlineMs: ctx.nowMs + ctx.knobs.writeTimeoutMs * 2, resendAtMs: ctx.nowMs + ctx.knobs.resendMs };
  resendBarrier(ctx, fx);
}

/** The fencing barrier is sequence 0 of the load's producer epoch; a plain one has none. */
function resendBarrier(ctx: CoordinatorContext, fx: Fx): void {
  const load = ctx.load as Load;
  const batch = toBatch([{ kind: 'barrier', value: null }], wallMs(ctx));
  send(fx, ctx.produceTo, 'produce', { acks: -1, timeoutMs: ctx.knobs.writeTimeoutMs, leaderEpoch: ctx.leaderEpoch,
    batch: load.fencing ? stamped(batch, ctx.producer, 0) : batch }, load.corr);
  if (load.fencing) ctx.producer = { ...ctx.producer, nextSequence: 1 };
}

function sendRead(ctx: CoordinatorContext, fx: Fx, nextOffset: number, corr: number): void {
  send(fx, ctx.fetchFrom, 'fetch', { replicaId: -1, fetchOffset: nextOffset, lastFetchedEpoch: -1, leaderEpoch: ctx.leaderEpoch,
    maxWaitMs: 0, minBytes: 0, bytesMax: ctx.knobs.fetchBytesMax }, corr);
}

/**
 * After a backoff the load starts over. A replica whose leader epoch is not durable yet
 * (LEADER_NOT_AVAILABLE: one local write away) is asked again at the next tick.
 */
function retryLater(ctx: CoordinatorContext, fx: Fx, why: string): void {
  logLine(fx, 'info', 'groupLoadRetry', { partition: ctx.partition, leaderEpoch: ctx.leaderEpoch, why });
  ctx.load = ctx.load === undefined ? undefined : { ...ctx.load, step: 'wait', corr: -1 };
  ctx.retryAtMs = ctx.nowMs + (why === 'LEADER_NOT_AVAILABLE' ? 0 : ctx.knobs.retryBackoffMs);
}

/** The partition refused the fencing epoch: take the long path from the log start. */
function fallBack(ctx: CoordinatorContext, fx: Fx, why: string): void {
  logLine(fx, 'info', 'groupLoadFallBack', { partition: ctx.partition, leaderEpoch: ctx.leaderEpoch, producerEpoch: ctx.producer.epoch, why });
  ctx.groups = {};
  ctx.offsets = {};
  ctx.load = { ...(ctx.load as Load), fencing: false, fellBack: true, nextOffset: 0, recordsRead: 0 };
  sendBarrier(ctx, fx);
}

export function onLoadProduceReply(ctx: CoordinatorContext, fx: Fx, corr: number | undefined, body: ProduceReply): void {
  const load = ctx.load;
  if (load === undefined || load.step !== 'barrier' || load.corr !== corr) return;
  if (body.code !== 'OK') {
    if (isFencing(body, ctx.leaderEpoch)) { ctx.phase = 'fenced'; return; }
    // The epoch is taken (a higher one, or this one with other sequences): not this life's to use unread.
    if (load.fencing && !load.fellBack && (body.code === 'INVALID_PRODUCER_EPOCH' || body.code === 'OUT_OF_ORDER_SEQUENCE_NUMBER')) {
      return fallBack(ctx, fx, body.code);
    }
    return retryLater(ctx, fx, body.code);
  }
  assert(body.baseOffset >= body.logStartOffset, `the barrier landed at ${body.baseOffset}, below the log start ${body.logStartOffset}`);
  // The second barrier of the long path lands after the first: the read so far stays below it.
  assert(!(load.fencing && load.fellBack) || load.nextOffset <= body.baseOffset, `a fencing barrier at ${body.baseOffset}, below what was read (${load.nextOffset})`);
  // A read starts at the log start, except the long path's second one: it goes on where the first stopped.
  ctx.load = { ...load, step: 'read', endOffset: body.baseOffset, nextOffset: load.fencing && load.fellBack ? load.nextOffset : body.logStartOffset };
  readNext(ctx, fx);
}

function readNext(ctx: CoordinatorContext, fx: Fx): void {
  const load = ctx.load;
  if (load === undefined) return;
  assert(ctx.phase === 'loading' && load.step === 'read', 'a read only while loading, after the barrier');
  assert(load.nextOffset <= load.endOffset, `the read reached ${load.nextOffset}, past its barrier at ${load.endOffset}`);
  if (load.nextOffset >= load.endOffset && load.fencing) return finish(ctx, fx);
  if (load.nextOffset >= load.endOffset) return fenceAboveRead(ctx, fx, load);
  const corr = newCorr(ctx);
  sendRead(ctx, fx, load.nextOffset, corr);
  ctx.load = { ...load, corr, deadlineMs: ctx.nowMs + ctx.knobs.writeTimeoutMs * 2, resendAtMs: ctx.nowMs + ctx.knobs.resendMs };
}

/** The long path read everything below its plain barrier: fence in a producer epoch above every one in it. */
function fenceAboveRead(ctx: CoordinatorContext, fx: Fx, load: Load): void {
  assert(load.fellBack && !load.fencing, 'only the long path fences after reading');
  assert(load.nextOffset === load.endOffset, 'the long path fences once it read up to its plain barrier');
  const epoch = Math.max(load.producerEpochSeen, ctx.producer.epoch) + 1;
  if (epoch > PRODUCER_EPOCH_MAX) {
    // Only after thousands of loads in one leader epoch; the next leader epoch starts a new producer.
    logLine(fx, 'error', 'groupLoadEpochsExhausted', { partition: ctx.partition, leaderEpoch: ctx.leaderEpoch, producerEpoch: epoch });
    return retryLater(ctx, fx, 'producer epochs exhausted');
  }
  ctx.producer = { ...ctx.producer, epoch, nextSequence: 0 };
  ctx.load = { ...load, fencing: true };
  sendBarrier(ctx, fx);
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
    if (batch.producerId === ctx.producer.producerId) producerEpochSeen = Math.max(producerEpochSeen, batch.producerEpoch);
    if (batch.lastOffset < next) continue;
    if (batch.baseOffset >= load.endOffset) { next = load.endOffset; break; }
    // The log has no holes: a batch read starts at or before where the read stands.
    assert(batch.baseOffset <= next, `a gap in __consumer_offsets/${ctx.partition} from ${next} to ${batch.baseOffset}`);
    const decoded = fromBatch(batch);
    skipped += decoded.skipped;
    for (const r of decoded.records) applyRecord(ctx, r);
    read += decoded.records.length;
    next = batch.lastOffset + 1;
  }
  if (skipped > 0) logLine(fx, 'warn', 'groupRecordsSkipped', { partition: ctx.partition, skipped });
  assert(next > load.nextOffset, `a read with batches moves forward (stayed at ${next})`);
  ctx.load = { ...load, nextOffset: next, recordsRead: load.recordsRead + read, producerEpochSeen };
  readNext(ctx, fx);
}

function finish(ctx: CoordinatorContext, fx: Fx): void {
  assert(ctx.load !== undefined && ctx.load.fencing && ctx.load.nextOffset === ctx.load.endOffset, 'a load ends once read up to its fencing barrier');
  assert(ctx.writes.pipeline.length === 0 && ctx.writes.queue.length === 0, 'nothing is written while loading');
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
 * plain barrier is harmless: the first acknowledged one bounds the read; a fencing one is the same
 * sequence, kept once); after twice the write timeout the load starts over after a backoff.
 */
export function loadTick(ctx: CoordinatorContext, fx: Fx): void {
  assert(ctx.phase === 'loading', 'the load ticks only while loading');
  const load = ctx.load;
  if (load === undefined) return startLoad(ctx, fx);
  assert(load.step !== 'read' || load.nextOffset < load.endOffset, 'a read is out only while there is more to read');
  if (load.step === 'wait') { if (ctx.nowMs >= ctx.retryAtMs) startLoad(ctx, fx); return; }
  if (ctx.nowMs >= load.deadlineMs) return retryLater(ctx, fx, 'no reply');
  if (ctx.nowMs < load.resendAtMs) return;
  if (load.step === 'barrier') resendBarrier(ctx, fx); else sendRead(ctx, fx, load.nextOffset, load.corr);
  ctx.load = { ...load, resendAtMs: ctx.nowMs + ctx.knobs.resendMs };
}
