/**
 * The sender: sends closed batches to partition leaders (bounded in flight per partition, so
 * requests pipeline), gets a producer id first when idempotent, and assigns each batch its
 * idempotence triple at its first send — retries resend the same triple, so the leader answers a
 * duplicate with the original offset instead of writing it twice.
 */
import { assert } from '../assert.js';
import { ERRORS } from '../errors.js';
import { backoffMs } from '../kit/backoff.js';
import { send, sendFailFast, type Fx } from '../kit/fx.js';
import { newCorr } from '../kit/ops.js';
import { leaderRoute, routeKey, type LeaderRoute } from '../client/metadata.js';
import { CONTROLLER_FOR_PRODUCERS, produceAddress } from '../kit/addresses.js';
import type { InitProducerIdReplyEvent } from '../client/messages.js';
import { failBatch, settleOk } from './retry.js';
import type { Batch, ErrorInfo, PartitionQueue, ProducerContext } from './types.js';
import { fresh, own } from '../kit/draft.js';
import { ownBatch, ownQueue } from './draft.js';

const INT32_MAX = 2_147_483_647;

/** Sends what may go now: every partition with closed batches, a known leader and room in flight. */
export function drain(ctx: ProducerContext, fx: Fx): void {
  assert(!ctx.config.idempotent || ctx.config.maxInFlight <= 5, 'idempotence allows five in flight');
  if (ctx.config.idempotent && ctx.pid.status !== 'ready') return maybeInitProducerId(ctx, fx);
  for (const [key, shared] of ctx.queues) {
    if (shared.ready.length === 0 || ctx.nowMs < shared.retryAtMs) continue;
    const route = leaderRoute(ctx.metadata, shared.topic, shared.partition);
    if (route === undefined) {
      own(ctx, 'metadata').stale = true;
      continue;
    }
    if (shared.inFlight.length >= ctx.config.maxInFlight || !mayGo(ctx, shared)) continue;
    const q = ownQueue(ctx, key);
    assert(q.inFlight.length < ctx.config.maxInFlight, 'room in flight');
    while (q.ready.length > 0 && q.inFlight.length < ctx.config.maxInFlight && mayGo(ctx, q)) sendBatch(ctx, fx, key, q, route);
  }
}

/**
 * Idempotent order rules for the next ready batch, beyond the in-flight count:
 * - A batch of a new producer id waits until no batch of an older one is in flight: the leader
 *   accepts sequence 0 of a producer id it has not seen at once, so it would land before them.
 * - The batch must lie within maxInFlight batches of the oldest unanswered one. Replies here may
 *   be lost or reordered, so later batches can be answered while an earlier one is not; the
 *   leader remembers only the last five batches of a producer, and a retry of a batch it has
 *   forgotten is refused as out of order although it was written.
 * - Until the leader has acknowledged a batch of this producer id, one batch at a time: a leader
 *   that knows nothing of a producer id accepts any sequence from it, so if sequence 0 were lost
 *   and the next batch landed first, sequence 0 could never be written (OUT_OF_ORDER_SEQUENCE_NUMBER
 *   at the head of the queue, a failed send).
 * - A batch refused behind a gap waits until every earlier batch is answered: sent at once it could
 *   overtake them again on a network that reorders.
 */
function mayGo(ctx: ProducerContext, q: PartitionQueue): boolean {
  assert(q.inFlight.length <= ctx.config.maxInFlight, 'in flight bounded');
  const next = q.ready[0];
  if (!ctx.config.idempotent || next === undefined) return true;
  assert(next.encoded !== undefined && next.corr === undefined, 'a ready batch is encoded and idle');
  const producerId = next.baseSequence >= 0 ? next.producerId : ctx.pid.producerId;
  const ordinal = next.baseSequence >= 0 ? next.ordinal : q.nextOrdinal;
  if (q.acknowledgedProducerId !== producerId && q.inFlight.length > 0) return false;
  if (next.holdBehind && q.inFlight.some((f) => f.ordinal < next.ordinal)) return false;
  for (const f of q.inFlight) {
    if (f.producerId !== producerId || ordinal - f.ordinal >= ctx.config.maxInFlight) return false;
  }
  return true;
}

function assignSequence(ctx: ProducerContext, q: PartitionQueue, b: Batch): void {
  assert(ctx.pid.status === 'ready', 'sequences need a producer id');
  assert(b.baseSequence < 0 && b.attempts === 0, 'a batch is sequenced once, before its first attempt: a retry keeps its sequence');
  b.producerId = ctx.pid.producerId;
  b.producerEpoch = ctx.pid.producerEpoch;
  b.baseSequence = q.nextSequence;
  b.ordinal = q.nextOrdinal++;
  const next = q.nextSequence + b.records.length;
  q.nextSequence = next > INT32_MAX ? next - INT32_MAX - 1 : next; // Sequences wrap like Kafka's.
}

/** Sends the first ready batch of an owned queue. */
function sendBatch(ctx: ProducerContext, fx: Fx, key: string, q: PartitionQueue, route: LeaderRoute): void {
  const next = own(q, 'ready').shift();
  assert(next !== undefined && next.encoded !== undefined, 'a ready batch is encoded');
  const b = fresh({ ...next });
  assert(b.corr === undefined, 'a ready batch is not in flight');
  if (ctx.config.idempotent && b.baseSequence < 0) assignSequence(ctx, q, b);
  b.attempts++;
  b.corr = newCorr(ctx);
  // deliveryTimeoutMs bounds the whole send, so an attempt never outlives it (Kafka expires
  // in-flight batches at the delivery timeout too): the caller hears within the bound it set.
  const timeoutMs = Math.max(1, Math.ceil(Math.min(ctx.config.requestTimeoutMs, b.deliveryDeadlineMs - ctx.nowMs)));
  b.deadlineMs = ctx.nowMs + timeoutMs;
  b.sentAtMs = ctx.nowMs;
  b.sentLeaderId = route.leaderId;
  b.sentLeaderEpoch = route.leaderEpoch;
  const { records, firstTimestamp, maxTimestamp, attributes } = next.encoded;
  const body = {
    acks: ctx.config.acks, timeoutMs, leaderEpoch: route.leaderEpoch,
    batch: { recordCount: b.records.length, firstTimestamp, maxTimestamp, producerId: b.producerId,
      producerEpoch: b.producerEpoch, baseSequence: b.baseSequence, records, ...(attributes !== 0 ? { attributes } : {}) },
  };
  const to = produceAddress(q.topic, q.partition, route.leaderId);
  // Fail-fast until this leader has answered once (PartitionQueue.heardFrom); after that the plain
  // publish, which costs the transport nothing per request.
  if (q.heardFrom === routeKey(route.leaderId, route.leaderEpoch) || ctx.config.acks === 0) send(fx, to, 'produce', body, b.corr);
  else sendFailFast(fx, to, 'produce', body, b.corr);
  if (ctx.config.acks === 0) {
    b.corr = undefined;
    return settleOk(ctx, fx, b, -1); // No reply will come: the batch is done once sent.
  }
  b.sentBehind = q.inFlight.length > 0;
  b.holdBehind = false;
  own(q, 'inFlight').push(b);
  own(ctx, 'corrs').set(b.corr, key);
}

function maybeInitProducerId(ctx: ProducerContext, fx: Fx): void {
  if (ctx.pid.status !== 'none' || ctx.nowMs < ctx.pid.retryAtMs || ctx.sends.size === 0) return;
  const pid = own(ctx, 'pid');
  pid.status = 'pending';
  assert(ctx.config.idempotent, 'only an idempotent producer asks for a producer id');
  assert(pid.corr === undefined, 'one producer id request at a time');
  pid.corr = newCorr(ctx);
  pid.deadlineMs = ctx.nowMs + ctx.config.requestTimeoutMs;
  send(fx, CONTROLLER_FOR_PRODUCERS, 'initProducerId', {}, pid.corr);
}

function initFailed(ctx: ProducerContext): void {
  const pid = own(ctx, 'pid');
  assert(pid.status === 'pending', 'a producer id request failed');
  assert(pid.failures >= 0, 'failures are counted');
  pid.status = 'none';
  pid.corr = undefined;
  pid.failures++;
  const [delayMs, prng] = backoffMs(ctx.metadataPolicy.backoff, pid.failures, ctx.prng);
  ctx.prng = prng;
  pid.retryAtMs = ctx.nowMs + delayMs;
}

export function onInitProducerIdReply(ctx: ProducerContext, fx: Fx, event: InitProducerIdReplyEvent): void {
  const pid = ctx.pid;
  if (pid.status !== 'pending' || pid.corr !== event.corr) return;
  assert(ctx.config.idempotent, 'only an idempotent producer asked');
  if (event.body.code !== 'OK') {
    initFailed(ctx);
    // Refused for good (the user may not ask for producer ids, say): the batches waiting for one
    // fail now, as Kafka's producer fails on ClusterAuthorizationException; later sends ask again.
    if (!ERRORS[event.body.code].retriable) failUnsequenced(ctx, fx, { code: event.body.code, message: event.body.message ?? ERRORS[event.body.code].text });
    return;
  }
  ctx.pid = { status: 'ready', producerId: event.body.producerId, producerEpoch: event.body.producerEpoch, corr: undefined,
    deadlineMs: Infinity, retryAtMs: -Infinity, failures: 0 };
  assert(ctx.pid.producerId >= 0 && ctx.pid.producerEpoch >= 0, 'a producer id and epoch');
  // A new producer id starts every partition's sequence at 0; batches sent under the old id keep theirs.
  for (const key of ctx.queues.keys()) ownQueue(ctx, key).nextSequence = 0;
}

/** Fails every ready batch that never had a sequence (it waited for a producer id). */
function failUnsequenced(ctx: ProducerContext, fx: Fx, error: ErrorInfo): void {
  for (const [key, shared] of ctx.queues) {
    const unsequenced = shared.ready.filter((x) => x.baseSequence < 0);
    if (unsequenced.length === 0) continue;
    const q = ownQueue(ctx, key);
    for (const b of unsequenced) failBatch(ctx, fx, q, ownBatch(q, b), error);
    assert(q.ready.every((x) => x.baseSequence >= 0), 'every unsequenced batch failed');
  }
  assert(ctx.pid.status !== 'ready', 'batches fail for want of a producer id only while there is none');
}

export function checkInitDeadline(ctx: ProducerContext): void {
  if (ctx.pid.status === 'pending' && ctx.nowMs >= ctx.pid.deadlineMs) initFailed(ctx);
}
