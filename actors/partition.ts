/**
 * Partition replica actor: one replica of one topic partition, running Kafka's ISR replication
 * protocol (DESIGN.md section 6): leader-assigned offsets, pull replication by fetch with the
 * divergence check of KIP-101/279/595, leader-epoch fencing (KIP-320), HW = min LEO over the
 * maximal ISR, ISR changes proposed to the controller (AlterPartition, KIP-497), acks 0/1/all
 * with min.insync.replicas, idempotent producers, retention and ListOffsets.
 *
 * States, each with its own handlers: `recovering` (entry: read the meta keys, the log bounds and
 * scan the log once) → `leader` or `follower` as the committed state says once recovery is done;
 * `follower` (entry: a fetch session with the named leader) → `leader` when a new state names this
 * replica, or `follower` again for another leader or epoch; `leader` (entry: epoch cache entry
 * durable before produce opens) → `follower` when a state names another leader, or `leader` again
 * in a new epoch (stepping down first answers every waiter); a failed log or epoch write sends
 * either back to `recovering`. A leader that lost batches its followers may hold (a failed append,
 * accepted batches dropped on stepping down) never leads that epoch again (roles.ts abandonEpoch). Client requests to a non-leader get NOT_LEADER (LEADER_NOT_AVAILABLE
 * while recovering). The machine is orchestration only; the protocol lives in actors/partition/*.ts.
 *
 * Invariants (invariants() below): logStart ≤ hw ≤ leo ≤ leoPending; the epoch cache strictly
 * increases in epoch and start offset and never starts past leoPending; at most one log write in
 * flight; every queue is bounded by its knob; one role's state (recovery, leader, follower) at a time.
 *
 * In (validated by parsePartitionMessage): produce, fetch, listOffsets, deleteRecords, fetchReply,
 * alterPartitionReply, resignLeadershipReply (ignored: the new state comes as metadataChanged); from the runtime: tick, stored, readDone, metaRead, boundsRead,
 * metadataChanged, and what the node learns of its controller session: controllerChanged (a
 * leader resends its ISR proposal), controllerUnreachable (a leader steps down to `follower` and
 * no replica leads) and controllerReachable (`leader` again where the state says so). Out:
 * produceReply, fetchReply, listOffsetsReply, fetch (to the leader's replica address),
 * alterPartition and resignLeadership (to the controller leader's node address); effects append,
 * truncateFrom, deleteBefore, putMeta, read, readBounds, getMeta, log, report (partitionAppend,
 * partitionHw, partitionTruncate, partitionLeader).
 *
 * Addresses (actors/kit/addresses.ts): a replica lives at its replica address `n/repl/<topic>/<p>/<node>`,
 * where followers fetch (with their replicaId) and the controller answers ISR proposals; the host
 * also delivers its client-facing produce address (produce) and fetch address (fetch, listOffsets).
 * A replica that does not lead answers client requests NOT_LEADER.
 */
import { setup } from 'xstate';
import { stepAction } from './step-action.js';
import { assert } from './assert.js';
import { effectActions, followStamp } from './effects.js';
import { checkEpochs } from './partition/log.js';
import { createBatchIndex, createTailCache, tailBytes, tailLastOffset, tailSize } from './partition/log-cache.js';
import { reply, type Effect, type Fx } from './kit/fx.js';
import type { PartitionConfigs, PartitionContext, PartitionEvent, PartitionInput, PartitionKnobs, PartitionState } from './partition/types.js';
import { leaderAppended, onProduce, onListOffsets } from './partition/leader.js';
import { onDeleteRecords } from './partition/delete-records.js';
import { followerLogWritten, onFetchReply } from './partition/follower.js';
import { adoptedBy, onAlterPartitionReply, onFetch, resendIsrProposal } from './partition/replication.js';
import { adoptState, adoptMetadata, becomeFollower, becomeLeader, leads, leadsOnceBack, resign, roleChange, stepDown, unresign, type RoleChange } from './partition/roles.js';
import { startRecovery } from './partition/recovery.js';
import { onBoundsRead, onMetaRead, onReadDone, onStored, storageFailed, storageFailedBy } from './partition/completions.js';
import { advanceClock, onFollowerTick, onLeaderTick } from './partition/tick.js';
import { leaderOf, notLeader } from './partition/step.js';
import { applyThrottle } from './partition/throttle.js';

export type * from './partition/types.js';
export type { StoredBatch, BatchInput } from './partition/batch.js';
export type { ReplicaThrottle } from './partition/throttle.js';
export { parsePartitionMessage } from './partition/validate.js';
export { nextTickAt as partitionNextTickAt } from './partition/tick.js';

export const PARTITION_DEFAULTS: { configs: PartitionConfigs; knobs: PartitionKnobs } = {
  configs: { minInsyncReplicas: 1, maxMessageBytes: 1_048_588, retentionMs: 7 * 24 * 3600_000, retentionBytes: -1, flush: 'default' },
  knobs: {
    tickMs: 50, idleTickMs: 30_000, replicaLagTimeMaxMs: 3000, fetchMaxWaitMs: 500, fetchProgressWaitMs: 100, fetchBytesMax: 1_048_576, tailCacheBytes: 1_048_576,
    retentionCheckMs: 1000, hwCheckpointMs: 1000, producersCheckpointMs: 5000, fetchTimeoutSlackMs: 250, fetchRetryBackoffMs: 200,
    fetchLeaderBehindRetryMs: 20, isrProposalTimeoutMs: 2000, isrRetryBackoffMs: 500, producesPendingMax: 2000, appendQueueBytesMax: 16 * 1_048_576,
    fetchesParkedMax: 1000, readsInFlightMax: 64, producerIdsMax: 10_000, recoveryReadBytes: 1_048_576,
  },
};

export function partitionLogName(topicId: string, partition: number): string { return `p/${topicId}/${partition}`; }

export function invariants(ctx: PartitionContext): void {
  if (!(ctx.logStart <= ctx.hw)) assert(false, `logStart ${ctx.logStart} <= hw ${ctx.hw}`);
  if (!(ctx.hw <= ctx.leo)) assert(false, `hw ${ctx.hw} <= leo ${ctx.leo}`);
  if (!(ctx.leo <= ctx.leoPending)) assert(false, `leo ${ctx.leo} <= leoPending ${ctx.leoPending}`);
  checkEpochs(ctx.epochs);
  const latest = ctx.epochs[ctx.epochs.length - 1];
  if (latest !== undefined) assert(latest.startOffset <= ctx.leoPending, 'the epoch cache never starts past leoPending');
  assert(tailBytes(ctx.tail) <= ctx.tail.bytesMax, 'tail cache within its byte budget');
  // A recovery's scan fills the tail cache one read at a time up to the LEO it already took from
  // the log's bounds; until the scan ends the replica serves nothing from it.
  assert(ctx.recovery !== undefined || tailSize(ctx.tail) === 0 || tailLastOffset(ctx.tail) === ctx.leoPending - 1,
    'the tail cache ends at leoPending');
  assert(ctx.producers.size <= ctx.knobs.producerIdsMax, 'producer state bounded');
  // The state's own data: a recovering replica has recovery state, a leader its leader state, a follower its fetch session; never two.
  assert([ctx.recovery, ctx.leader, ctx.follower].filter((x) => x !== undefined).length <= 1, 'one role\'s state at a time');
  if (ctx.leader !== undefined) {
    const l = ctx.leader;
    assert(l.waiters.length <= ctx.knobs.producesPendingMax, 'produce purgatory bounded');
    assert(l.parked.length <= ctx.knobs.fetchesParkedMax, 'fetch purgatory bounded');
    assert(l.readsInFlight <= ctx.knobs.readsInFlightMax, 'fetch reads bounded');
    assert(l.queue.length === 0 || ctx.logWrite !== undefined, 'batches queue only behind a log write in flight');
    assert(l.epochStartOffset <= ctx.leoPending, 'leader epoch start within the log');
  }
}

/**
 * The defaults merged with one overrides object, made once per object: a node gives all its
 * replicas one knobs object and a topic's replicas one configs object, and a merged copy per
 * replica was about 0.4 KB of an idle replica's heap. A context never changes its configs or
 * knobs in place (a change replaces the object: roles.ts).
 */
const mergedSettings = new WeakMap<object, object>();
function withDefaults<T extends object>(defaults: T, overrides: Partial<T> | undefined): T {
  if (overrides === undefined) return { ...defaults };
  // Frozen: a change in place would reach every replica sharing it, so it throws instead.
  const merged = (mergedSettings.get(overrides) as T | undefined) ?? Object.freeze({ ...defaults, ...overrides });
  mergedSettings.set(overrides, merged);
  return merged;
}

function initialContext(input: PartitionInput): PartitionContext {
  assert(input.nodeId >= 0 && input.partition >= 0 && input.topic.length > 0, 'a replica of a partition on a node');
  assert(input.state.replicas.includes(input.nodeId), 'a node hosts only replicas the state assigns it');
  const configs = withDefaults(PARTITION_DEFAULTS.configs, input.configs);
  const knobs = withDefaults(PARTITION_DEFAULTS.knobs, input.knobs);
  const logName = partitionLogName(input.topicId, input.partition);
  return {
    nodeId: input.nodeId, nodeEpoch: input.nodeEpoch, topic: input.topic, topicId: input.topicId, partition: input.partition,
    logName, metaPrefix: `${logName}/`,
    configs, knobs, state: input.state, nowMs: input.nowMs, wallOffsetMs: input.wallMs - input.nowMs,
    prng: input.seed >>> 0, logStart: 0, hw: 0, leo: 0, leoPending: 0, epochs: [],
    tail: createTailCache(knobs.tailCacheBytes), index: createBatchIndex(), producers: new Map(),
    nextToken: 1, nextCorr: 1, ops: new Map(), logWrite: undefined, recovery: undefined, leader: undefined, follower: undefined, isrInFlight: undefined, resigned: false, abandonedEpoch: -1,
    hwCheckpoint: { hw: 0, inFlight: false, atMs: input.nowMs }, producersCheckpoint: { inFlight: false, atMs: input.nowMs, persisted: undefined },
    retention: { nextCheckMs: input.nowMs + knobs.retentionCheckMs, inFlight: false },
    throttle: applyThrottle(undefined, input.throttle, input.nowMs),
  };
}

/** Requests to a replica that does not lead: NOT_LEADER naming the leader (acks=0 gets nothing). */
function refuse(ctx: PartitionContext, fx: Fx, event: ClientRequest, recovering: boolean): void {
  if (event.type === 'produce' && event.acks === 0) return;
  reply(fx, event, recovering
    ? { code: 'LEADER_NOT_AVAILABLE', leaderId: ctx.state.leader, leaderEpoch: ctx.state.leaderEpoch, message: 'replica recovering' }
    : notLeader(ctx));
}

type ClientRequest = Extract<PartitionEvent, { type: 'produce' | 'fetch' | 'listOffsets' | 'deleteRecords' }>;
type Of<T extends PartitionEvent['type']> = Extract<PartitionEvent, { type: T }>;

/**
 * A handler for one event type, run on a draft of the context (actors/step-action.ts). Time moves
 * with every event the host stamps (actors/effects.ts `Stamped`), not only with ticks: a replica
 * ticks at its deadlines, up to idleTickMs apart.
 */
function act<T extends PartitionEvent['type']>(handler: (ctx: PartitionContext, fx: Fx, event: Of<T>) => void) {
  return stepAction<PartitionContext, PartitionEvent>((ctx, fx, event) => {
    followStamp(ctx, event);
    handler(ctx, fx as Effect[], event as Of<T>);
  });
}

/** The committed partition state an event carries: metadataChanged, or the controller's OK to this leader's ISR proposal. */
function stateIn(ctx: PartitionContext, event: PartitionEvent): PartitionState | undefined {
  if (event.type === 'metadataChanged') return event.state;
  if (event.type === 'alterPartitionReply') return adoptedBy(ctx, event.corr, event.body);
  return undefined;
}

/** The role change an event's partition state means ('stale' when it carries none). */
function changeBy(ctx: PartitionContext, event: PartitionEvent): RoleChange {
  const state = stateIn(ctx, event);
  return state === undefined ? 'stale' : roleChange(ctx, state);
}

/** Adopts the state an event carries, answering the ISR proposal it ends (the state's role follows as the transition). */
function adopt(ctx: PartitionContext, fx: Fx, event: PartitionEvent): void {
  assert(event.type === 'metadataChanged' || event.type === 'alterPartitionReply', 'only committed partition states are adopted');
  if (event.type === 'metadataChanged') return adoptMetadata(ctx, fx, event.state, event.configs, event.throttle);
  if (event.type !== 'alterPartitionReply') return;
  const adopted = onAlterPartitionReply(ctx, fx, event.corr, event.body);
  if (adopted === undefined) return;
  assert(ctx.leader !== undefined, 'only a leader\'s proposal is answered with a state');
  if (ctx.leader !== undefined) leaderOf(ctx).isr = { kind: 'committed', isr: ctx.state.isr }; // Ends the proposal even if the state is not newer.
  adoptState(ctx, fx, adopted, undefined);
}

export const partitionMachine = setup({
  types: { context: {} as PartitionContext, events: {} as PartitionEvent, input: {} as PartitionInput },
  actions: {
    ...effectActions,
    recover: act((ctx, fx) => startRecovery(ctx, fx)),
    lead: act((ctx, fx) => becomeLeader(ctx, fx)),
    follow: act((ctx, fx) => becomeFollower(ctx, fx)),
    unfollow: act((ctx) => { ctx.follower = undefined; }),
    stepDown: act((ctx, fx) => stepDown(ctx, fx, 'newer partition state')),
    resign: act((ctx) => resign(ctx)),
    resignLeadership: act((ctx, fx) => { resign(ctx); stepDown(ctx, fx, 'controller session lost'); }),
    unresign: act((ctx) => unresign(ctx)),
    adopt: act((ctx, fx, event) => adopt(ctx, fx, event)),
    storageFailed: act<'stored'>(storageFailed),
    // recovering
    recoveringTick: act<'tick'>((ctx, _fx, e) => advanceClock(ctx, e.nowMs)),
    recoveryStored: act<'stored'>((ctx, fx, e) => onStored(ctx, fx, e, () => {})),
    refuseRecovering: act<ClientRequest['type']>((ctx, fx, e) => refuse(ctx, fx, e, true)),
    // follower
    followerTick: act<'tick'>((ctx, fx, e) => onFollowerTick(ctx, fx, e.nowMs)),
    fetchReply: act<'fetchReply'>((ctx, fx, e) => onFetchReply(ctx, fx, e.corr, e.body)),
    followerStored: act<'stored'>((ctx, fx, e) => onStored(ctx, fx, e, followerLogWritten)),
    refuseFollower: act<ClientRequest['type']>((ctx, fx, e) => refuse(ctx, fx, e, false)),
    // leader
    leaderTick: act<'tick'>((ctx, fx, e) => onLeaderTick(ctx, fx, e.nowMs)),
    produce: act<'produce'>(onProduce),
    fetch: act<'fetch'>(onFetch),
    listOffsets: act<'listOffsets'>(onListOffsets),
    deleteRecords: act<'deleteRecords'>(onDeleteRecords),
    leaderStored: act<'stored'>((ctx, fx, e) => onStored(ctx, fx, e, leaderAppended)),
    resendIsrProposal: act((ctx, fx) => resendIsrProposal(ctx, fx)),
    // every state
    readDone: act<'readDone'>(onReadDone),
    metaRead: act<'metaRead'>(onMetaRead),
    boundsRead: act<'boundsRead'>(onBoundsRead),
  },
  guards: {
    recoveredLeading: ({ context }) => context.recovery === undefined && leads(context, context.state),
    recovered: ({ context }) => context.recovery === undefined,
    leadsOnceBack: ({ context }) => leadsOnceBack(context),
    toLeader: ({ context, event }) => changeBy(context, event) === 'lead',
    toFollower: ({ context, event }) => changeBy(context, event) === 'follow',
    storageFailed: ({ context, event }) => event.type === 'stored' && storageFailedBy(context, event),
  },
}).createMachine({
  id: 'partition',
  context: ({ input }) => initialContext(input),
  initial: 'recovering',
  // Events a state does not list are ignored in it (e.g. a fetchReply reaching a leader).
  states: {
    recovering: {
      entry: 'recover',
      always: [{ guard: 'recoveredLeading', target: 'leader' }, { guard: 'recovered', target: 'follower' }],
      on: {
        tick: { actions: 'recoveringTick' },
        stored: { actions: 'recoveryStored' }, readDone: { actions: 'readDone' }, metaRead: { actions: 'metaRead' }, boundsRead: { actions: 'boundsRead' },
        metadataChanged: { actions: 'adopt' },
        controllerUnreachable: { actions: 'resign' }, controllerReachable: { actions: 'unresign' },
        produce: { actions: 'refuseRecovering' }, fetch: { actions: 'refuseRecovering' },
        listOffsets: { actions: 'refuseRecovering' }, deleteRecords: { actions: 'refuseRecovering' },
      },
    },
    follower: {
      entry: 'follow',
      exit: 'unfollow',
      on: {
        tick: { actions: 'followerTick' },
        fetchReply: { actions: 'fetchReply' },
        stored: [{ guard: 'storageFailed', target: 'recovering', actions: 'storageFailed' }, { actions: 'followerStored' }],
        readDone: { actions: 'readDone' },
        metadataChanged: [
          { guard: 'toLeader', target: 'leader', actions: 'adopt' },
          { guard: 'toFollower', target: 'follower', reenter: true, actions: 'adopt' },
          { actions: 'adopt' },
        ],
        // The node's controller session (roles.ts resign): a replica the state names leads once it is back.
        controllerUnreachable: { actions: 'resign' },
        controllerReachable: [{ guard: 'leadsOnceBack', target: 'leader', actions: 'unresign' }, { actions: 'unresign' }],
        produce: { actions: 'refuseFollower' }, fetch: { actions: 'refuseFollower' },
        listOffsets: { actions: 'refuseFollower' }, deleteRecords: { actions: 'refuseFollower' },
      },
    },
    leader: {
      entry: 'lead',
      on: {
        tick: { actions: 'leaderTick' },
        produce: { actions: 'produce' }, fetch: { actions: 'fetch' }, listOffsets: { actions: 'listOffsets' }, deleteRecords: { actions: 'deleteRecords' },
        stored: [{ guard: 'storageFailed', target: 'recovering', actions: 'storageFailed' }, { actions: 'leaderStored' }],
        readDone: { actions: 'readDone' },
        // A new state naming another leader, or this one in a new epoch: step down first (waiters learn the new leader).
        metadataChanged: [
          { guard: 'toLeader', target: 'leader', reenter: true, actions: ['adopt', 'stepDown'] },
          { guard: 'toFollower', target: 'follower', actions: ['adopt', 'stepDown'] },
          { actions: 'adopt' },
        ],
        // A new controller leader: an ISR proposal sent to the old one may be lost with it.
        controllerChanged: { actions: 'resendIsrProposal' },
        controllerUnreachable: { target: 'follower', actions: 'resignLeadership' },
        alterPartitionReply: [
          { guard: 'toLeader', target: 'leader', reenter: true, actions: ['adopt', 'stepDown'] },
          { guard: 'toFollower', target: 'follower', actions: ['adopt', 'stepDown'] },
          { actions: 'adopt' },
        ],
      },
    },
  },
});
