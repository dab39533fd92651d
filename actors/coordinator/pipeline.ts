/**
 * The coordinator's write pipeline, sent as the SDK's idempotent producer sends (actors/producer/):
 * up to PRODUCER_BATCHES_RETAINED batches in flight to its replica, each with its producer
 * sequence, so a slow acks=all write (a follower's lost fetch costs the partition its long-poll
 * wait) holds up the replies behind it only until the one replication round that commits them all.
 * Acknowledgements are taken in sequence order: a batch's outbox goes out once it and every batch
 * before it are acknowledged.
 *
 * - A batch without reply after resendMs is sent again, with a new corr; an OK to any attempt is
 *   the batch's (they all carry its sequence, and the partition keeps one copy).
 * - An OK for a batch proves the ones before it landed: those still unanswered are asked again soon.
 * - A retriable refusal (NOT_ENOUGH_REPLICAS, a timeout, a busy replica) sends that batch and every
 *   unacknowledged one after it again, in order, after a backoff; the partition appends what is
 *   missing and answers the rest as duplicates. Reloading would throw away state the log may yet take.
 * - OUT_OF_ORDER_SEQUENCE_NUMBER for a batch sent behind an unacknowledged one is a gap the earlier
 *   batch fills (the network lost or reordered it): the batch goes again once every earlier one is
 *   acknowledged, not before, or it could overtake them again.
 * - A fencing refusal ends this coordinator; any other refusal, or a batch unacknowledged for twice
 *   the write timeout, fails every waiting reply and reloads from the log.
 */
import { assert } from '../assert.js';
import { ERRORS, isErrorCode } from '../errors.js';
import { backoffMs } from '../kit/backoff.js';
import { logLine, send, type Fx } from '../kit/fx.js';
import { newCorr } from '../kit/ops.js';
import { PRODUCER_BATCHES_RETAINED } from '../partition/producer-state.js';
import type { ProduceReply } from '../partition/types.js';
import { maybeCheckpoint, onCheckpointWritten } from './checkpoint.js';
import { stamped, takeSequences } from './idempotence.js';
import { toBatch } from './records.js';
import type { CoordinatorContext, PipelinedWrite } from './types.js';
import { countPending, emit, isFencing, wallMs, writeFailed } from './write-state.js';

/** At most this many batches in the pipeline: the partition remembers as many per producer, to know a resend. */
export const PIPELINE_MAX = PRODUCER_BATCHES_RETAINED;

const unacked = (p: PipelinedWrite): boolean => p.ackedOffset === undefined;
const waiting = (p: PipelinedWrite): boolean => unacked(p) && p.corr === undefined;
/** Each batch's sequences follow the previous batch's: the partition refuses a gap, so a gap here is a lost write. */
const consecutive = (pipeline: readonly PipelinedWrite[]): boolean =>
  pipeline.every((p, j) => j === 0 || p.baseSequence === (pipeline[j - 1] as PipelinedWrite).baseSequence + (pipeline[j - 1] as PipelinedWrite).batch.records.length);

/** Sends what may go: batches waiting to go again, in order, then queued ones while there is room. */
export function pump(ctx: CoordinatorContext, fx: Fx): void {
  assert(ctx.writes.pipeline.length <= PIPELINE_MAX, 'the pipeline never holds more batches than the partition remembers');
  if (ctx.nowMs < ctx.writes.retryAtMs) return;
  const pipeline = [...ctx.writes.pipeline];
  for (let i = 0; i < pipeline.length; i++) {
    const p = pipeline[i] as PipelinedWrite;
    if (!waiting(p)) continue;
    const behind = pipeline.slice(0, i).some(unacked);
    if (p.holdBehind && behind) break; // the rest of the pipeline waits behind it, in order
    pipeline[i] = attempt(ctx, fx, p, behind);
  }
  let queue = ctx.writes.queue;
  while (pipeline.length < PIPELINE_MAX && queue.length > 0 && !pipeline.some(waiting)) {
    const [batch, ...rest] = queue;
    assert(batch !== undefined && batch.records.length > 0, 'a queued batch has records');
    queue = rest;
    const entry: PipelinedWrite = { batch, baseSequence: takeSequences(ctx, batch.records.length), corr: undefined, corrs: [],
      sentBehind: false, holdBehind: false, resendAtMs: ctx.nowMs, deadlineMs: ctx.nowMs + ctx.knobs.writeTimeoutMs * 2, ackedOffset: undefined };
    pipeline.push(attempt(ctx, fx, entry, pipeline.some(unacked)));
  }
  assert(consecutive(pipeline), 'the pipeline\'s batches hold consecutive producer sequences');
  ctx.writes = { ...ctx.writes, pipeline, queue };
}

function attempt(ctx: CoordinatorContext, fx: Fx, p: PipelinedWrite, behind: boolean): PipelinedWrite {
  const corr = newCorr(ctx);
  send(fx, ctx.produceTo, 'produce', { acks: -1, timeoutMs: ctx.knobs.writeTimeoutMs, leaderEpoch: ctx.leaderEpoch,
    batch: stamped(toBatch(p.batch.records, wallMs(ctx)), ctx.producer, p.baseSequence) }, corr);
  return { ...p, corr, corrs: [...p.corrs, corr], sentBehind: behind, holdBehind: false, resendAtMs: ctx.nowMs + ctx.knobs.resendMs };
}

export function onWriteReply(ctx: CoordinatorContext, fx: Fx, corr: number | undefined, body: ProduceReply): void {
  assert(ctx.phase === 'serving', 'write replies are taken only while serving');
  const pipeline = ctx.writes.pipeline;
  const i = corr === undefined ? -1 : pipeline.findIndex((p) => p.corrs.includes(corr));
  const p = pipeline[i];
  if (p === undefined || !unacked(p)) return; // a reply to a write before a reload, or a second answer
  assert(p.corr === undefined || p.corrs.includes(p.corr), 'the attempt on the wire is one of the batch\'s attempts');
  if (body.code === 'OK') return acknowledged(ctx, fx, i, body.baseOffset);
  if (p.corr !== corr) return; // a refusal of an attempt sent again since: the newer attempt decides
  if (isFencing(body, ctx.leaderEpoch)) return writeFailed(ctx, fx, body.code, true);
  if (body.code === 'OUT_OF_ORDER_SEQUENCE_NUMBER' && (p.sentBehind || pipeline.slice(0, i).some(unacked))) return sendAgain(ctx, fx, i, body.code, true);
  if (isErrorCode(body.code) && ERRORS[body.code].retriable) return sendAgain(ctx, fx, i, body.code, false);
  writeFailed(ctx, fx, body.code, false);
}

function acknowledged(ctx: CoordinatorContext, fx: Fx, i: number, offset: number): void {
  // Its sequence follows theirs, so the batches before it landed; their own answers are lost or late.
  const acked = ctx.writes.pipeline[i];
  assert(acked !== undefined && unacked(acked) && Number.isSafeInteger(offset) && offset >= 0, 'an unacknowledged batch lands at an offset');
  // The partition appends a producer's batches in sequence order (and answers a resend with the first offset): so do their offsets go.
  assert(ctx.writes.pipeline.every((p, j) => p.ackedOffset === undefined || (j < i ? p.ackedOffset < offset : p.ackedOffset > offset)),
    `batch ${acked.baseSequence} acknowledged at ${offset}, out of sequence order with the batches around it`);
  const soonMs = ctx.nowMs + ctx.knobs.retryBackoffMs;
  const pipeline = ctx.writes.pipeline.map((p, j): PipelinedWrite => (j === i ? { ...p, ackedOffset: offset, corr: undefined }
    : j < i && unacked(p) && p.corr !== undefined ? { ...p, resendAtMs: Math.min(p.resendAtMs, soonMs) } : p));
  ctx.writes = { ...ctx.writes, pipeline, failures: 0 };
  drainAcknowledged(ctx, fx);
  maybeCheckpoint(ctx);
  pump(ctx, fx);
}

/** Takes acknowledged batches off the pipeline's head, in order: their replies and reports go out. */
function drainAcknowledged(ctx: CoordinatorContext, fx: Fx): void {
  let drainedTo = -1;
  for (let head = ctx.writes.pipeline[0]; head?.ackedOffset !== undefined; head = ctx.writes.pipeline[0]) {
    const { batch, ackedOffset } = head;
    assert(ackedOffset > drainedTo, 'batches leave the pipeline at increasing offsets');
    assert(batch.records.length > 0, 'an acknowledged batch wrote records');
    drainedTo = ackedOffset;
    ctx.writes = { ...ctx.writes, pipeline: ctx.writes.pipeline.slice(1),
      recordsSinceCheckpoint: ctx.writes.recordsSinceCheckpoint + (batch.checkpoint === undefined ? batch.records.length : 0) };
    countPending(ctx, batch.records, -1);
    emit(fx, batch.outbox);
    if (batch.checkpoint !== undefined) onCheckpointWritten(ctx, fx, batch, ackedOffset);
  }
}

/** Batch `i` and every unacknowledged one after it go again, in order: after a backoff, or once the batches before it are acknowledged. */
function sendAgain(ctx: CoordinatorContext, fx: Fx, i: number, code: string, behindGap: boolean): void {
  const refused = ctx.writes.pipeline[i];
  assert(refused !== undefined && unacked(refused), 'only an unacknowledged batch is sent again');
  assert(!behindGap || i > 0 || refused.sentBehind, 'a gap is behind an earlier batch');
  const pipeline = ctx.writes.pipeline.map((p, j): PipelinedWrite => (j >= i && unacked(p) ? { ...p, corr: undefined, holdBehind: j === i && behindGap } : p));
  ctx.writes = { ...ctx.writes, pipeline };
  logLine(fx, 'debug', 'groupWriteRetry', { partition: ctx.partition, code, baseSequence: pipeline[i]?.baseSequence });
  if (!behindGap) {
    const failures = ctx.writes.failures + 1;
    const [delayMs, prng] = backoffMs({ baseMs: ctx.knobs.retryBackoffMs, maxMs: Math.max(ctx.knobs.retryBackoffMs, ctx.knobs.resendMs) }, failures, ctx.prng);
    ctx.prng = prng;
    ctx.writes = { ...ctx.writes, failures, retryAtMs: ctx.nowMs + delayMs };
  }
  pump(ctx, fx);
}

/** Tick: a batch unacknowledged for twice the write timeout failed (the replica may be gone); one without reply for resendMs goes again. */
export function expireWrite(ctx: CoordinatorContext, fx: Fx): void {
  assert(ctx.phase === 'serving', 'writes are timed only while serving');
  const pipeline = [...ctx.writes.pipeline];
  assert(consecutive(pipeline), 'the pipeline\'s batches hold consecutive producer sequences');
  if (pipeline.some((p) => unacked(p) && ctx.nowMs >= p.deadlineMs)) return writeFailed(ctx, fx, 'REQUEST_TIMED_OUT', false);
  for (let i = 0; i < pipeline.length; i++) {
    const p = pipeline[i] as PipelinedWrite;
    if (!unacked(p) || p.corr === undefined || ctx.nowMs < p.resendAtMs) continue;
    logLine(fx, 'debug', 'groupWriteResent', { partition: ctx.partition, baseSequence: p.baseSequence, records: p.batch.records.length });
    pipeline[i] = attempt(ctx, fx, p, pipeline.slice(0, i).some(unacked));
  }
  ctx.writes = { ...ctx.writes, pipeline };
  pump(ctx, fx);
}
