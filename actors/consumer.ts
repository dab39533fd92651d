/**
 * Consumer actor: the SDK's consumer as a client-side machine (DESIGN.md sections 7 and 8). The
 * application assigns partitions and positions, or — created with a groupId — subscribes and
 * lets the group coordinator assign them (actors/consumer/group.ts, reconcile.ts, offsets.ts). Per partition one outstanding
 * request to the leader — listOffsets to resolve 'earliest'/'latest' (KIP-79), then long-poll
 * fetches (fetch.max.wait.ms, fetch.min.bytes) — with leader epochs on every request (KIP-320) so
 * a stale leader refuses and the consumer refreshes metadata. Records are buffered per partition
 * in offset order and handed out by `poll`; fetching stops while buffers are full.
 *
 * Invariants (invariants() below): buffered bytes = the sum over partitions; a request in flight
 * has a corr mapping back to its partition, and no partition has two; a partition has either a
 * position or a pending resolve; buffered offsets ascend below the position.
 *
 * In: from the SDK (host.send) assign, subscribe, seek, pause, resume, poll, commit, committed,
 * ackRevoked, close; replies (validated by parseConsumerMessage) metadataReply, fetchReply,
 * listOffsetsReply, findCoordinatorReply, groupHeartbeatReply, offsetCommitReply,
 * offsetFetchReply; from the runtime tick. Out: metadata and findCoordinator (to the metadata
 * address), listOffsets and fetch (to the partition leader), groupHeartbeat, offsetCommit and
 * offsetFetch (to the coordinator); effect `deliver` — PollResult per poll (records, a rebalance
 * notice, or an error), CommittedResult per committed, CommandResult per other command; reports
 * `groupOwned` and `groupCommitAcked` for the simulator's checker.
 */
import { setup } from 'xstate';
import { stepAction } from './step-action.js';
import { assert, unreachable } from './assert.js';
import { effectActions, followStamp } from './effects.js';
import type { Inbound, Parsed } from './effects.js';
import { reply, type Fx } from './kit/fx.js';
import { newCorr } from './kit/ops.js';
import { checkRefreshDeadline, createMetadataCache, maybeRefresh, onMetadataReply, type MetadataCache } from './client/metadata.js';
import { PARTITION_FETCH_BYTES_MAX, replyParser, type FetchReplyEvent, type ListOffsetsReplyEvent, type MetadataReplyEvent } from './client/messages.js';
import { answerPoll, onCommand, onPoll, partitionKey } from './consumer/commands.js';
import { abandonMovedRequests, checkOverdueRequests, expireRequests, onFetchReply, onListOffsetsReply, pump } from './consumer/fetcher.js';
import { createMember, groupTick, onFindCoordinatorReply, onHeartbeatReply, pumpGroup } from './consumer/group.js';
import { isGroupReply, parseGroupReply } from './consumer/group-messages.js';
import { onOffsetCommitReply, onOffsetFetchReply } from './consumer/offsets.js';
import type { ConsumerConfig, ConsumerContext, ConsumerEvent, ConsumerInput } from './consumer/types.js';

export type * from './consumer/types.js';
export type { GroupMember } from './consumer/group-types.js';

export const CONSUMER_DEFAULTS: Omit<ConsumerConfig, 'clientId'> = {
  maxWaitMs: 500, minBytes: 1, fetchBytesMax: 52_428_800, partitionBytesMax: PARTITION_FETCH_BYTES_MAX, autoOffsetReset: 'latest',
  bufferBytesMax: 64 * 1_048_576, requestTimeoutMs: 30_000, metadataMaxAgeMs: 300_000, retryBackoffMs: 100, retryBackoffMaxMs: 1000,
  autoCommit: true, autoCommitIntervalMs: 5000, assignor: 'uniform', sessionTimeoutMs: 45_000, rebalanceTimeoutMs: 300_000,
};

/**
 * The consumer's tick interval: the resolution of its request deadlines. What an application or a
 * partition waits on is exact: `nextTickAt` (consumer/next-tick.ts) brings the tick forward to it.
 */
export const CONSUMER_TICK_MS = 50;
export { nextTickAt } from './consumer/next-tick.js';

const parseClientReply = replyParser<MetadataReplyEvent | FetchReplyEvent | ListOffsetsReplyEvent>(
  ['metadataReply', 'fetchReply', 'listOffsetsReply']);

/** The consumer's edge validator: partition and metadata replies, and coordinator replies. */
export function parseConsumerMessage(inbound: Inbound): Parsed<ConsumerEvent> {
  const type = inbound.type;
  if (type === 'memberProbe') {
    return { ok: true, event: { type, from: inbound.from, ...(inbound.corr !== undefined ? { corr: inbound.corr } : {}), ...(inbound.replyTo !== undefined ? { replyTo: inbound.replyTo } : {}) } };
  }
  return isGroupReply(type) ? parseGroupReply({ ...inbound, type }) : parseClientReply(inbound);
}

function initialContext(input: ConsumerInput): ConsumerContext {
  const defined = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as Partial<ConsumerConfig>;
  const config: ConsumerConfig = { ...CONSUMER_DEFAULTS, ...defined, clientId: input.clientId };
  assert(['earliest', 'latest', 'none'].includes(config.autoOffsetReset), 'autoOffsetReset');
  assert(config.partitionBytesMax > 0 && config.bufferBytesMax > 0 && config.fetchBytesMax > 0, 'byte limits are positive');
  assert(config.maxWaitMs >= 0 && config.requestTimeoutMs > 0, 'timeouts');
  assert(config.groupId === undefined || config.groupId.length > 0, 'a group id is not empty');
  assert(config.autoCommitIntervalMs > 0 && config.sessionTimeoutMs > 0 && config.rebalanceTimeoutMs > 0, 'group intervals');
  return {
    config, nowMs: input.nowMs ?? 0, prng: input.seed >>> 0, nextCorr: 1, metadata: createMetadataCache(),
    metadataPolicy: { maxAgeMs: config.metadataMaxAgeMs, requestTimeoutMs: config.requestTimeoutMs,
      backoff: { baseMs: config.retryBackoffMs, maxMs: config.retryBackoffMaxMs } },
    partitions: new Map(), corrs: new Map(), bufferedBytes: 0, poll: undefined, cursor: 0, closed: false, leaderCheckAtMs: -Infinity,
    group: createMember(config),
  };
}

export function invariants(ctx: ConsumerContext): void {
  let bytes = 0;
  let requests = 0;
  for (const [key, p] of ctx.partitions) {
    assert(key === partitionKey(p.topic, p.partition), 'partition keyed by topic/partition');
    bytes += p.bufferedBytes;
    if (!((p.position === undefined) !== (p.resolve === undefined))) assert(false, `${key}: a position or a pending resolve`);
    assert(p.head <= p.buffer.length, 'buffer head within the buffer');
    if (p.request !== undefined) {
      requests++;
      if (ctx.corrs.get(p.request.corr) !== key) assert(false, `${key}: its request corr maps back`);
    }
    const last = p.buffer[p.buffer.length - 1];
    if (last !== undefined && p.position !== undefined && !(last.offset < p.position)) assert(false, `${key}: buffered below the position`);
  }
  if (bytes !== ctx.bufferedBytes) assert(false, `buffered bytes ${ctx.bufferedBytes} = ${bytes}`);
  assert(requests === ctx.corrs.size, 'every corr belongs to one outstanding request');
  const g = ctx.group;
  if (g === undefined) return;
  for (const p of g.revoking?.partitions ?? []) assert(!ctx.partitions.has(partitionKey(p.topic, p.partition)), 'a revoking partition is no longer fetched');
  for (const key of g.assigning) assert(!ctx.partitions.has(key), 'a partition being assigned is not fetched yet');
  assert(g.memberEpoch >= 0, 'a member epoch is 0 (joining) or positive');
  assert(g.memberEpoch === 0 || g.memberId !== '', 'a member with an epoch has an id');
  if (g.subscription === undefined && g.closing === undefined) assert(g.target === undefined || ctx.closed || g.fatal !== undefined || g.memberEpoch === 0, 'an assignment needs a subscription');
}

/**
 * The step's own copies of everything a handler changes in place (partition fetch states, corr
 * and metadata tables, the member), so the snapshot the event started from stays intact.
 */
function copyForStep(ctx: ConsumerContext): void {
  ctx.partitions = new Map([...ctx.partitions].map(([key, p]) => [key, p.request === undefined ? { ...p } : { ...p, request: { ...p.request } }]));
  ctx.corrs = new Map(ctx.corrs);
  const m: MetadataCache = ctx.metadata;
  ctx.metadata = { ...m, topics: new Map(m.topics), wanted: new Set(m.wanted), missing: new Set(m.missing) };
  if (ctx.group !== undefined) ctx.group = { ...ctx.group };
}

function dispatch(ctx: ConsumerContext, fx: Fx, event: ConsumerEvent): void {
  switch (event.type) {
    case 'tick':
      ctx.prng = checkRefreshDeadline(ctx.metadata, ctx.nowMs, ctx.metadataPolicy, ctx.prng);
      checkOverdueRequests(ctx);
      expireRequests(ctx);
      return groupTick(ctx, fx);
    case 'poll': return onPoll(ctx, fx, event);
    case 'assign': case 'seek': case 'pause': case 'resume': case 'close':
    case 'subscribe': case 'commit': case 'committed': case 'ackRevoked':
      return onCommand(ctx, fx, event);
    case 'metadataReply': {
      const { outcome, prng } = onMetadataReply(ctx.metadata, event.corr, event.body, ctx.nowMs, ctx.metadataPolicy, ctx.prng);
      ctx.prng = prng;
      if (outcome === 'applied') abandonMovedRequests(ctx);
      return;
    }
    case 'fetchReply': return onFetchReply(ctx, event);
    case 'listOffsetsReply': return onListOffsetsReply(ctx, fx, event);
    case 'findCoordinatorReply': return onFindCoordinatorReply(ctx, fx, event);
    case 'memberProbe': return reply(fx, event, { code: 'OK' }); // Alive: the coordinator's probe found this inbox.
    case 'groupHeartbeatReply': return onHeartbeatReply(ctx, fx, event);
    case 'offsetCommitReply': return onOffsetCommitReply(ctx, fx, event);
    case 'offsetFetchReply': return onOffsetFetchReply(ctx, fx, event);
    case 'stored': case 'readDone': case 'boundsRead': case 'metaRead':
      return assert(false, `a consumer has no store: ${event.type}`);
    default: return unreachable(event);
  }
}

export const consumerMachine = setup({
  types: { context: {} as ConsumerContext, events: {} as ConsumerEvent, input: {} as ConsumerInput },
  actions: {
    ...effectActions,
    // Runs a handler on a shallow copy of the context (actors/step-action.ts), then answers polls and fetches.
    handle: stepAction<ConsumerContext, ConsumerEvent>((ctx, effects, event) => {
      const fx = effects as Fx;
      copyForStep(ctx);
      followStamp(ctx, event);
      dispatch(ctx, fx, event);
      if (!ctx.closed) {
        pumpGroup(ctx, fx); // First: a revocation it starts keeps the partitions' records from this poll.
        answerPoll(ctx, fx);
        maybeRefresh(ctx.metadata, fx, ctx.nowMs, () => newCorr(ctx), ctx.metadataPolicy);
        pump(ctx, fx);
      }
      // A close answers the poll it holds and every later poll at once, and ends the member's leaving.
      assert(!ctx.closed || ctx.poll === undefined, 'a closed consumer holds no poll');
      assert(!ctx.closed || ctx.group?.closing === undefined, 'a closed member is done closing');
    }),
  },
}).createMachine({
  id: 'consumer',
  context: ({ input }) => initialContext(input),
  on: { '*': { actions: 'handle' } },
});
