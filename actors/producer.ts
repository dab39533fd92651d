/**
 * Producer actor: the SDK's producer as a client-side machine (DESIGN.md section 8). It batches
 * records per partition (Kafka's RecordAccumulator: batchBytes, lingerMs), partitions them like
 * Kafka (explicit, murmur2 of the key, sticky for unkeyed — KIP-480), sends batches to partition
 * leaders with bounded pipelining, retries retriable errors with jittered backoff and metadata
 * refresh, and with idempotence (KIP-98) stamps (producerId, epoch, sequence) so retries never
 * duplicate. Time comes from `tick` events and the SDK's `nowMs`; randomness from the context PRNG.
 *
 * Invariants (invariants() below): buffered bytes = waiting sends + every batch; a batch in flight
 * has a corr that maps back to its queue; in flight ≤ maxInFlight per partition; every unsettled
 * record of a send sits in exactly one batch (counted by slices); the closed flag only when idle.
 *
 * In: from the SDK (host.send) send, flush, close; replies (validated by parseProducerMessage)
 * metadataReply, produceReply, initProducerIdReply; from the runtime tick. Out: metadata (to
 * `c/meta`), produce (to the leader's produce address), initProducerId (to `c/pid/leader`); effect
 * `deliver` — SendResult per send, FlushResult per flush/close.
 */
import { setup } from 'xstate';
import { stepAction } from './step-action.js';
import { assert } from './assert.js';
import { effectActions, followStamp } from './effects.js';
import { checkRefreshDeadline, createMetadataCache, maybeRefresh, mayRefresh, onMetadataReply, refreshOverdue } from './client/metadata.js';
import { own } from './kit/draft.js';
import { emptyIdMap, idFirst } from './kit/id-map.js';
import { replyParser } from './client/messages.js';
import { deliver, type Effect, type Fx } from './kit/fx.js';
import { createSticky } from './client/sticky.js';
import { accumulateWaiting, closeDue, expireWaiting, onSend } from './producer/accumulate.js';
import { checkInitDeadline, drain, onInitProducerIdReply } from './producer/sender.js';
import { newCorr } from './kit/ops.js';
import { expireInFlight, expireReady, onProduceReply } from './producer/retry.js';
import { abandonMovedAttempts, checkOverdueAttempts } from './producer/leader-watch.js';
import { LEADER_CHECK_AFTER_MS } from './client/leader-watch.js';
import { settleFlushes } from './producer/retry.js';
import type { Batch, ProducerConfig, ProducerContext, ProducerEvent, ProducerInput } from './producer/types.js';
import type { InitProducerIdReplyEvent, MetadataReplyEvent, ProduceReplyEvent } from './client/messages.js';

export type * from './producer/types.js';

export const PRODUCER_DEFAULTS: Omit<ProducerConfig, 'clientId'> = {
  acks: -1, lingerMs: 5, adaptiveLinger: false, batchBytes: 65_536, idempotent: true, maxInFlight: 5, requestTimeoutMs: 30_000,
  retries: 2_147_483_647, deliveryTimeoutMs: 120_000, metadataMaxAgeMs: 300_000, bufferBytesMax: 32 * 1024 * 1024,
  retryBackoffMs: 100, retryBackoffMaxMs: 1000,
};

/**
 * The producer's tick interval: the resolution of its timeouts (request, delivery, metadata),
 * which are seconds long. What a record waits on is exact: `nextTickAt` brings the tick forward
 * to it. 50 ms, not 5: a producer ticked 200 times a second cost the client CPU for nothing.
 */
export const PRODUCER_TICK_MS = 50;

/**
 * The earliest time a tick has work the 50 ms tick would make late: an open batch's linger ending,
 * a partition's retry backoff ending with batches ready, the producer id request's retry, and an
 * attempt becoming overdue (the leader watch, producer/leader-watch.ts, which failover waits on).
 * The host ticks then; the timeouts keep the tick's resolution.
 */
export function nextTickAt(ctx: ProducerContext): number {
  assert(ctx.config.lingerMs >= 0, 'linger is a duration');
  let at = Infinity;
  let oldestSentMs = Infinity;
  for (const q of ctx.queues.values()) {
    if (q.open !== undefined) at = Math.min(at, q.open.createdMs + ctx.config.lingerMs);
    if (q.ready.length > 0 && q.retryAtMs > ctx.nowMs) at = Math.min(at, q.retryAtMs);
    for (const b of q.inFlight) oldestSentMs = Math.min(oldestSentMs, b.sentAtMs);
  }
  const overdueAtMs = Math.max(ctx.leaderCheckAtMs, oldestSentMs + LEADER_CHECK_AFTER_MS);
  if (overdueAtMs > ctx.nowMs) at = Math.min(at, overdueAtMs);
  if (ctx.pid.status === 'none' && ctx.pid.retryAtMs > ctx.nowMs && ctx.sends.size > 0) at = Math.min(at, ctx.pid.retryAtMs);
  assert(!Number.isNaN(at), 'a deadline is a time');
  return at;
}

export const parseProducerMessage = replyParser<MetadataReplyEvent | ProduceReplyEvent | InitProducerIdReplyEvent>(
  ['metadataReply', 'produceReply', 'initProducerIdReply']);

export function producerConfig(input: ProducerInput): ProducerConfig {
  const config: ProducerConfig = { ...PRODUCER_DEFAULTS, ...definedOnly(input), clientId: input.clientId };
  // Like Kafka: idempotence is the default only with acks=all; asking for both explicitly is an error.
  if (input.idempotent === undefined && config.acks !== -1) config.idempotent = false;
  assert(config.acks === 0 || config.acks === 1 || config.acks === -1, 'acks is 0, 1 or -1');
  assert(config.maxInFlight >= 1, 'maxInFlight >= 1');
  assert(!config.idempotent || config.maxInFlight <= 5, 'idempotence allows at most 5 in flight (the leader remembers 5 batches)');
  assert(!config.idempotent || config.acks === -1, 'idempotence needs acks=all');
  assert(config.batchBytes > 0 && config.bufferBytesMax >= config.batchBytes, 'batchBytes within bufferBytesMax');
  assert(config.lingerMs >= 0 && config.requestTimeoutMs > 0 && config.deliveryTimeoutMs > 0, 'timeouts are positive');
  return config;
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function initialContext(input: ProducerInput): ProducerContext {
  const config = producerConfig(input);
  const nowMs = input.nowMs ?? 0;
  assert(Number.isFinite(nowMs) && input.clientId.length > 0, 'a producer starts at a time, with a client id');
  assert(Number.isSafeInteger(input.seed), 'a seed for the PRNG');
  return {
    config, nowMs, wallOffsetMs: (input.wallMs ?? nowMs) - nowMs, prng: input.seed >>> 0, nextCorr: 1, nextBatchId: 1, arrivals: 0,
    metadataPolicy: { maxAgeMs: config.metadataMaxAgeMs, requestTimeoutMs: config.requestTimeoutMs,
      backoff: { baseMs: config.retryBackoffMs, maxMs: config.retryBackoffMaxMs } },
    metadata: createMetadataCache(), sticky: createSticky(),
    pid: { status: 'none', producerId: -1, producerEpoch: -1, corr: undefined, deadlineMs: Infinity, retryAtMs: -Infinity, failures: 0 },
    sends: emptyIdMap(), queues: new Map(), corrs: new Map(), bufferedBytes: 0, flushes: [], closing: undefined, closed: false,
    leaderCheckAtMs: -Infinity,
  };
}

/**
 * Checked after every event in simulation, over every pending send and batch: the loops run once,
 * without iterators or strings on the passing path (a message is built only for a failure), since
 * a backlog of thousands of sends made this check a tenth of the simulator's time.
 */
export function invariants(ctx: ProducerContext): void {
  let bytes = 0;
  // Records of each pending send found in batches, by arrival (a send's id): pending arrivals span
  // from the oldest pending send to the last one added, so an array indexed from the oldest.
  const base = idFirst(ctx.sends)?.arrival ?? 0;
  const unsettled = new Int32Array(Math.max(0, ctx.sends.lastId - base + 1));
  const count = (b: Batch): void => {
    bytes += b.bytes;
    for (const s of b.slices) if (s.arrival >= base && s.arrival - base < unsettled.length) unsettled[s.arrival - base]! += s.count;
  };
  for (const [key, q] of ctx.queues) {
    if (q.inFlight.length > ctx.config.maxInFlight) assert(false, `in flight bounded on ${key}`);
    for (const b of q.ready) {
      assert(b.corr === undefined && b.encoded !== undefined, 'a ready batch is encoded and idle');
      count(b);
    }
    for (const b of q.inFlight) {
      assert(b.corr !== undefined && ctx.corrs.get(b.corr) === key, 'an in-flight batch has a live corr');
      count(b);
    }
    if (q.open !== undefined) count(q.open);
  }
  for (const chunk of ctx.sends.chunks.values()) {
    for (const send of chunk.values()) {
      if (send.waiting) bytes += send.bytes;
      else if (unsettled[send.arrival - base] !== send.unsettled) assert(false, `send ${send.requestId} records all in batches`);
    }
  }
  if (bytes !== ctx.bufferedBytes) assert(false, `buffered bytes ${ctx.bufferedBytes} = ${bytes} in sends and batches`);
  if (ctx.closed) assert(ctx.sends.size === 0, 'closed only when idle');
}

/** Work every event ends with: close lingering batches, refresh metadata, send, settle flushes. */
function advance(ctx: ProducerContext, fx: Fx): void {
  closeDue(ctx, ctx.flushes.length > 0 || ctx.closing !== undefined);
  if (mayRefresh(ctx.metadata, ctx.nowMs, ctx.metadataPolicy)) maybeRefresh(own(ctx, 'metadata'), fx, ctx.nowMs, () => newCorr(ctx), ctx.metadataPolicy);
  drain(ctx, fx);
  settleFlushes(ctx, fx);
}

function onTick(ctx: ProducerContext, fx: Fx): void {
  assert(ctx.bufferedBytes >= 0 && ctx.bufferedBytes <= ctx.config.bufferBytesMax, 'buffered bytes within the buffer');
  assert(ctx.flushes.every((f) => f.arrival <= ctx.arrivals), 'a flush waits only for sends that arrived before it');
  if (refreshOverdue(ctx.metadata, ctx.nowMs)) ctx.prng = checkRefreshDeadline(own(ctx, 'metadata'), ctx.nowMs, ctx.metadataPolicy, ctx.prng);
  checkInitDeadline(ctx);
  expireInFlight(ctx, fx);
  checkOverdueAttempts(ctx);
  expireReady(ctx, fx);
  expireWaiting(ctx, fx);
}

function onMetadata(ctx: ProducerContext, fx: Fx, event: MetadataReplyEvent): void {
  const { outcome, prng } = onMetadataReply(own(ctx, 'metadata'), event.corr, event.body, ctx.nowMs, ctx.metadataPolicy, ctx.prng);
  ctx.prng = prng;
  if (outcome !== 'applied') return;
  abandonMovedAttempts(ctx, fx);
  accumulateWaiting(ctx, fx);
}

type Of<T extends ProducerEvent['type']> = Extract<ProducerEvent, { type: T }>;

/** A handler for one event type on a draft of the context (actors/step-action.ts); then batches move along. */
function act<T extends ProducerEvent['type']>(handler: (ctx: ProducerContext, fx: Fx, event: Of<T>) => void) {
  return stepAction<ProducerContext, ProducerEvent>((ctx, effects, event) => {
    const fx = effects as Effect[];
    followStamp(ctx, event);
    handler(ctx, fx, event as Of<T>);
    advance(ctx, fx);
  });
}

/** Replies and ticks: the same in `open` and `closing` (a closing producer still delivers what it holds). */
const working = {
  tick: { actions: 'tick' }, metadataReply: { actions: 'metadataReply' }, produceReply: { actions: 'produceReply' },
  initProducerIdReply: { actions: 'initProducerIdReply' },
} as const;

/**
 * States: `open` (sends accepted) → `closing` on close (sends refused CLIENT_CLOSED, everything
 * held is still delivered; later closes wait like flushes) → `closed` once nothing is held (sends
 * refused, flush and close answered at once). The SDK never gives a producer a store: storage
 * completions are not events it takes.
 */
export const producerMachine = setup({
  types: { context: {} as ProducerContext, events: {} as ProducerEvent, input: {} as ProducerInput },
  // Event handlers are named apart from the effect actions (send, deliver, …) they push.
  actions: {
    ...effectActions,
    tick: act<'tick'>((ctx, fx) => onTick(ctx, fx)),
    accept: act<'send'>(onSend),
    flush: act<'flush'>((ctx, _fx, e) => { ctx.flushes = [...ctx.flushes, { requestId: e.requestId, arrival: ctx.arrivals }]; }),
    close: act<'close'>((ctx, _fx, e) => { ctx.closing = { requestId: e.requestId }; }),
    // A second close waits like a flush; the first one's delivery marks the producer closed.
    closeAgain: act<'close'>((ctx, _fx, e) => { ctx.flushes = [...ctx.flushes, { requestId: e.requestId, arrival: ctx.arrivals }]; }),
    metadataReply: act<'metadataReply'>(onMetadata),
    produceReply: act<'produceReply'>(onProduceReply),
    initProducerIdReply: act<'initProducerIdReply'>(onInitProducerIdReply),
    answerClosed: act<'flush' | 'close'>((_ctx, fx, e) => deliver(fx, e.requestId, { ok: true })),
  },
  guards: {
    closed: ({ context }) => context.closed,
  },
}).createMachine({
  id: 'producer',
  context: ({ input }) => initialContext(input),
  initial: 'open',
  states: {
    open: { on: { ...working, send: { actions: 'accept' }, flush: { actions: 'flush' }, close: { target: 'closing', actions: 'close' } } },
    closing: {
      always: { guard: 'closed', target: 'closed' },
      on: { ...working, send: { actions: 'accept' }, flush: { actions: 'flush' }, close: { actions: 'closeAgain' } },
    },
    closed: { on: { send: { actions: 'accept' }, flush: { actions: 'answerClosed' }, close: { actions: 'answerClosed' } } },
  },
});
