/**
 * Partition replica actor: one replica of one topic partition, running Kafka's ISR replication
 * protocol (DESIGN.md section 6): leader-assigned offsets, pull replication by fetch with the
 * divergence check of KIP-101/279/595, leader-epoch fencing (KIP-320), HW = min LEO over the
 * maximal ISR, ISR changes proposed to the controller (AlterPartition, KIP-497), acks 0/1/all
 * with min.insync.replicas, idempotent producers, retention and ListOffsets.
 *
 * States: `recovering` (meta keys + log bounds + one scan of the log) → `leader` | `follower`,
 * switched by metadataChanged / alterPartitionReply and by storage failures (back to recovering).
 * The machine is orchestration only; the protocol lives in actors/partition/*.ts.
 *
 * Invariants (invariants() below): logStart ≤ hw ≤ leo ≤ leoPending; the epoch cache strictly
 * increases in epoch and start offset and never starts past leoPending; at most one log write in
 * flight; every queue is bounded by its knob; a leader has a leader state and a follower none.
 *
 * In (validated by parsePartitionMessage): produce, fetch, listOffsets, deleteRecords, fetchReply,
 * alterPartitionReply; from the runtime: tick, stored, readDone, metaRead, boundsRead,
 * metadataChanged. Out: produceReply, fetchReply, listOffsetsReply, fetch (to the leader's
 * replica address), alterPartition (to the controller leader's node address); effects append,
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
import { assert, unreachable } from './assert.js';
import { effectActions } from './effects.js';
import { checkEpochs } from './partition/log-state.js';
import { createBatchIndex } from './partition/batch-index.js';
import { createTailCache, tailSize } from './partition/tail-cache.js';
import { reply, type Effect, type Fx } from './kit/fx.js';
import type { PartitionConfigs, PartitionContext, PartitionEvent, PartitionInput, PartitionKnobs } from './partition/types.js';
import { onProduce, onListOffsets } from './partition/leader.js';
import { onFetch } from './partition/serve-fetch.js';
import { onDeleteRecords } from './partition/delete-records.js';
import { onFetchReply } from './partition/follower.js';
import { onAlterPartitionReply } from './partition/isr-control.js';
import { applyState, onMetadataChanged } from './partition/roles.js';
import { startRecovery } from './partition/recovery.js';
import { onBoundsRead, onMetaRead, onReadDone, onStored } from './partition/completions.js';
import { onTick } from './partition/tick.js';
import { notLeader } from './partition/step.js';
import { applyThrottle } from './partition/throttle.js';

export type * from './partition/types.js';
export type { StoredBatch, BatchInput } from './partition/batch.js';
export type { ReplicaThrottle } from './partition/throttle.js';
export { parsePartitionMessage } from './partition/validate.js';
export { nextTickAt as partitionNextTickAt } from './partition/tick.js';

export const PARTITION_DEFAULTS: { configs: PartitionConfigs; knobs: PartitionKnobs } = {
  configs: { minInsyncReplicas: 1, maxMessageBytes: 1_048_588, retentionMs: 7 * 24 * 3600_000, retentionBytes: -1, flush: 'default' },
  knobs: {
    tickMs: 50, idleTickMs: 10_000, replicaLagTimeMaxMs: 3000, fetchMaxWaitMs: 500, fetchBytesMax: 1_048_576, tailCacheBytes: 8 * 1_048_576,
    retentionCheckMs: 1000, hwCheckpointMs: 1000, producersCheckpointMs: 5000, fetchTimeoutSlackMs: 250, fetchRetryBackoffMs: 200,
    isrProposalTimeoutMs: 2000, isrRetryBackoffMs: 500, producesPendingMax: 2000, appendQueueBytesMax: 16 * 1_048_576,
    fetchesParkedMax: 1000, readsInFlightMax: 64, producerIdsMax: 10_000, recoveryReadBytes: 1_048_576,
  },
};

export function partitionLogName(topicId: string, partition: number): string { return `p/${topicId}/${partition}`; }

export function invariants(ctx: PartitionContext): void {
  assert(ctx.logStart <= ctx.hw, `logStart ${ctx.logStart} <= hw ${ctx.hw}`);
  assert(ctx.hw <= ctx.leo, `hw ${ctx.hw} <= leo ${ctx.leo}`);
  assert(ctx.leo <= ctx.leoPending, `leo ${ctx.leo} <= leoPending ${ctx.leoPending}`);
  checkEpochs(ctx.epochs);
  const latest = ctx.epochs[ctx.epochs.length - 1];
  if (latest !== undefined) assert(latest.startOffset <= ctx.leoPending, 'the epoch cache never starts past leoPending');
  assert(ctx.tail.bytes <= ctx.tail.bytesMax, 'tail cache within its byte budget');
  assert(tailSize(ctx.tail) === 0 || ctx.tail.batches[ctx.tail.batches.length - 1]?.lastOffset === ctx.leoPending - 1,
    'the tail cache ends at leoPending');
  assert(ctx.producers.size <= ctx.knobs.producerIdsMax, 'producer state bounded');
  assert((ctx.role === 'leader') === (ctx.leader !== undefined), 'leader state iff leading');
  if (ctx.role !== 'follower') assert(ctx.follower === undefined, 'follower state only when following');
  if (ctx.leader !== undefined) {
    const l = ctx.leader;
    assert(l.waiters.length <= ctx.knobs.producesPendingMax, 'produce purgatory bounded');
    assert(l.parked.length <= ctx.knobs.fetchesParkedMax, 'fetch purgatory bounded');
    assert(l.readsInFlight <= ctx.knobs.readsInFlightMax, 'fetch reads bounded');
    assert(l.queue.length === 0 || ctx.logWrite !== undefined, 'batches queue only behind a log write in flight');
    assert(l.epochStartOffset <= ctx.leoPending, 'leader epoch start within the log');
  }
}

function initialContext(input: PartitionInput): PartitionContext {
  const configs = { ...PARTITION_DEFAULTS.configs, ...input.configs };
  const knobs = { ...PARTITION_DEFAULTS.knobs, ...input.knobs };
  const logName = partitionLogName(input.topicId, input.partition);
  return {
    nodeId: input.nodeId, nodeEpoch: input.nodeEpoch, topic: input.topic, topicId: input.topicId, partition: input.partition,
    logName, metaPrefix: `${logName}/`,
    configs, knobs, state: input.state, role: 'recovering', nowMs: input.nowMs, wallOffsetMs: input.wallMs - input.nowMs,
    prng: input.seed >>> 0, logStart: 0, hw: 0, leo: 0, leoPending: 0, epochs: [],
    tail: createTailCache(knobs.tailCacheBytes), index: createBatchIndex(), producers: new Map(),
    nextToken: 1, nextCorr: 1, ops: new Map(), logWrite: undefined, recovery: undefined, leader: undefined, follower: undefined,
    hwCheckpoint: { hw: 0, inFlight: false, atMs: input.nowMs }, producersCheckpoint: { inFlight: false, atMs: input.nowMs },
    retention: { nextCheckMs: input.nowMs + knobs.retentionCheckMs, inFlight: false },
    throttle: applyThrottle(undefined, input.throttle, input.nowMs),
  };
}

function dispatch(ctx: PartitionContext, fx: Fx, event: PartitionEvent): void {
  switch (event.type) {
    case 'tick': return onTick(ctx, fx, event.nowMs);
    case 'stored': return onStored(ctx, fx, event);
    case 'readDone': return onReadDone(ctx, fx, event);
    case 'metaRead': return onMetaRead(ctx, fx, event);
    case 'boundsRead': return onBoundsRead(ctx, fx, event);
    case 'metadataChanged': return onMetadataChanged(ctx, fx, event.state, event.configs, event.throttle);
    case 'fetchReply': return onFetchReply(ctx, fx, event.corr, event.body);
    case 'alterPartitionReply': {
      const adopted = onAlterPartitionReply(ctx, fx, event.corr, event.body);
      if (adopted !== undefined && ctx.leader !== undefined) {
        ctx.leader.isr = { kind: 'committed', isr: ctx.state.isr }; // Ends the proposal even if the state is not newer.
        applyState(ctx, fx, adopted);
      }
      return;
    }
    case 'produce': return ctx.role === 'leader' ? onProduce(ctx, fx, event) : refuse(ctx, fx, event);
    case 'fetch': return ctx.role === 'leader' ? onFetch(ctx, fx, event) : refuse(ctx, fx, event);
    case 'listOffsets': return ctx.role === 'leader' ? onListOffsets(ctx, fx, event) : refuse(ctx, fx, event);
    case 'deleteRecords': return ctx.role === 'leader' ? onDeleteRecords(ctx, fx, event) : refuse(ctx, fx, event);
    default: return unreachable(event);
  }
}

/** Requests to a replica that does not lead: NOT_LEADER naming the leader (acks=0 gets nothing). */
function refuse(ctx: PartitionContext, fx: Fx, event: PartitionEvent & { type: 'produce' | 'fetch' | 'listOffsets' | 'deleteRecords' }): void {
  if (event.type === 'produce' && event.acks === 0) return;
  reply(fx, event, ctx.role === 'recovering'
    ? { code: 'LEADER_NOT_AVAILABLE', leaderId: ctx.state.leader, leaderEpoch: ctx.state.leaderEpoch, message: 'replica recovering' }
    : notLeader(ctx));
}

export const partitionMachine = setup({
  types: { context: {} as PartitionContext, events: {} as PartitionEvent, input: {} as PartitionInput },
  actions: {
    ...effectActions,
    // Handlers run on a shallow copy of the context; their effects run in order as declared actions.
    handle: stepAction<PartitionContext, PartitionEvent>((ctx, fx, event) => dispatch(ctx, fx as Effect[], event)),
    recover: stepAction<PartitionContext, PartitionEvent>((ctx, fx) => startRecovery(ctx, fx as Effect[])),
  },
  guards: {
    leading: ({ context }) => context.role === 'leader',
    following: ({ context }) => context.role === 'follower',
    recovering: ({ context }) => context.role === 'recovering',
  },
}).createMachine({
  id: 'partition',
  context: ({ input }) => initialContext(input),
  initial: 'recovering',
  entry: 'recover',
  // Every event goes through one dispatcher; the state nodes mirror `context.role`, which the
  // handlers set, so snapshots and tests can see the role as a state value.
  on: { '*': { actions: 'handle' } },
  states: {
    recovering: { always: [{ guard: 'leading', target: 'leader' }, { guard: 'following', target: 'follower' }] },
    leader: { always: [{ guard: 'following', target: 'follower' }, { guard: 'recovering', target: 'recovering' }] },
    follower: { always: [{ guard: 'leading', target: 'leader' }, { guard: 'recovering', target: 'recovering' }] },
  },
});
