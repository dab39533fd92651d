/**
 * Group coordinator: one actor per `__consumer_offsets` partition this node leads, serving every
 * group of that partition (DESIGN.md section 7; Kafka's KIP-848 group coordinator). It keeps no
 * store of its own: groups and offsets are records in its partition, appended with acks=all in the
 * leader epoch it was spawned in, and rebuilt from the log when it starts (actors/coordinator/).
 *
 * States: `loading` (barrier write, then reads up to it; requests get COORDINATOR_LOAD_IN_PROGRESS)
 * → `serving` ⇄ `loading` (a failed write reloads from the log) → `fenced` (a newer leader epoch
 * refused a write, or the runtime said leadership moved; requests get NOT_COORDINATOR). Each state
 * has its own handlers; handlers set `context.phase` and the states follow it.
 *
 * Invariants (invariants() below): within a group, a partition is in at most one member's assigned
 * set; member epochs ≤ the assignment epoch ≤ the group epoch; writes in flight only while serving,
 * at most five, none on the wire behind one waiting to go again; a load only while loading.
 *
 * In (validated by parseCoordinatorMessage): groupHeartbeat, offsetCommit, offsetFetch, listGroups,
 * describeGroup, deleteGroup, deleteGroupOffsets; produceReply, fetchReply, deleteRecordsReply from
 * its replica; memberProbeReply from the transport; from the runtime tick, topicsChanged,
 * leadershipLost. Out: `<type>Reply`s; produce, fetch, deleteRecords to its replica; memberProbe
 * (fail-fast) to silent members; reports groupAssigned, groupCommitted, groupEpoch, groupLoaded.
 */
import { setup } from 'xstate';
import { assert } from './assert.js';
import { effectActions } from './effects.js';
import { logLine, reply, type Fx } from './kit/fx.js';
import { fetchAddress, produceAddress, replicaAddress } from './kit/addresses.js';
import { stepAction } from './step-action.js';
import { onDeleteGroup, onDescribeGroup, onListGroups } from './coordinator/admin.js';
import { onDeleteRecordsReply } from './coordinator/checkpoint.js';
import { onHeartbeat } from './coordinator/heartbeat.js';
import { loadTick, onLoadFetchReply, onLoadProduceReply, startLoad } from './coordinator/load.js';
import { checkMembers, onProbeReply } from './coordinator/members.js';
import { onDeleteGroupOffsets, onOffsetCommit, onOffsetFetch } from './coordinator/offsets.js';
import { OFFSETS_TOPIC, type CoordinatorRequests } from './coordinator/protocol.js';
import { onTopicsChanged, servesGroup, setTopics } from './coordinator/topics.js';
import type { CoordinatorContext, CoordinatorEvent, CoordinatorInput, CoordinatorKnobs, EventOf, Phase } from './coordinator/types.js';
import { expireWrite, onWriteReply, PIPELINE_MAX } from './coordinator/pipeline.js';
import { emptyWrites, failPending } from './coordinator/write-state.js';
import { firstProducerStamp } from './coordinator/idempotence.js';
import { CLASSIC_REQUESTS } from './coordinator/classic-validate.js';
import { isClassicActive, onJoinGroup } from './coordinator/classic.js';
import { classicTick, fenceClassic, onClassicHeartbeat, onLeaveGroup, onSyncGroup } from './coordinator/classic-sync.js';
import { onDescribeClassic } from './coordinator/classic-describe.js';

export type * from './coordinator/types.js';
export { parseCoordinatorMessage } from './coordinator/validate.js';

export const COORDINATOR_DEFAULTS: CoordinatorKnobs = {
  tickMs: 50, heartbeatIntervalMs: 250, sessionTimeoutMs: 3000, checkpointEveryRecords: 1000, writeTimeoutMs: 5000, resendMs: 1000,
  retryBackoffMs: 100, groupMaxSize: 10_000, batchBytesMax: 256 * 1024, fetchBytesMax: 1_048_576, classicInitialRebalanceDelayMs: 3000,
};

export function invariants(ctx: CoordinatorContext): void {
  for (const group of Object.values(ctx.groups)) {
    assert(group.assignmentEpoch <= group.groupEpoch, `${group.groupId}: assignment epoch ≤ group epoch`);
    const owner = new Map<string, string>();
    for (const m of Object.values(group.members)) {
      assert(m.memberEpoch <= group.assignmentEpoch, `${group.groupId}/${m.memberId}: member epoch ≤ assignment epoch`);
      for (const k of m.assigned) {
        assert(!owner.has(k), `${group.groupId}: ${k} assigned to ${owner.get(k)} and ${m.memberId}`);
        owner.set(k, m.memberId);
      }
    }
  }
  assert(ctx.phase === 'serving' || (ctx.writes.pipeline.length === 0 && ctx.writes.queue.length === 0), 'writes only while serving');
  assert(ctx.writes.pipeline.length <= PIPELINE_MAX, 'a bounded pipeline');
  // Sent in sequence order: batches waiting to go (again) are the pipeline's unacknowledged tail.
  const firstWaiting = ctx.writes.pipeline.findIndex((p) => p.ackedOffset === undefined && p.corr === undefined);
  if (firstWaiting >= 0) {
    assert(ctx.writes.pipeline.slice(firstWaiting).every((p) => p.ackedOffset !== undefined || p.corr === undefined), 'no batch on the wire behind one waiting to go');
  }
  if (ctx.phase !== 'loading') assert(ctx.load === undefined, 'a load only while loading');
}

function initialContext(input: CoordinatorInput): CoordinatorContext {
  assert(Number.isSafeInteger(input.partition) && input.partition >= 0, `__consumer_offsets partition ${input.partition}`);
  assert(Number.isSafeInteger(input.leaderEpoch) && input.leaderEpoch >= 0, `leader epoch ${input.leaderEpoch}: a coordinator serves a partition its node leads`);
  return {
    partition: input.partition, nodeId: input.nodeId, leaderEpoch: input.leaderEpoch, knobs: { ...COORDINATOR_DEFAULTS, ...input.knobs },
    phase: 'loading', nowMs: input.nowMs, wallOffsetMs: (input.wallMs ?? input.nowMs) - input.nowMs, prng: input.seed >>> 0, nextCorr: 1,
    produceTo: produceAddress(OFFSETS_TOPIC, input.partition, input.nodeId), fetchFrom: fetchAddress(OFFSETS_TOPIC, input.partition, input.nodeId),
    trimAt: replicaAddress(OFFSETS_TOPIC, input.partition, input.nodeId),
    topics: input.topics ?? {}, groups: {}, offsets: {}, classic: {},
    writes: emptyWrites(input.nowMs), load: undefined, retryAtMs: input.nowMs,
    producer: firstProducerStamp(input.leaderEpoch, input.life ?? 0),
  };
}

/** An action running a typed handler on a copy of the context (actors/step-action.ts). */
function act<K extends CoordinatorEvent['type']>(handler: (ctx: CoordinatorContext, fx: Fx, event: EventOf<K>) => void) {
  return stepAction<CoordinatorContext, CoordinatorEvent>((ctx, fx, event) => handler(ctx, fx as Fx, event as EventOf<K>));
}

function refuse(code: string, message: string) {
  return act<keyof CoordinatorRequests>((_ctx, fx, event) => reply(fx, event, { code, message }));
}

function tick(then: (ctx: CoordinatorContext, fx: Fx) => void) {
  return act<'tick'>((ctx, fx, event) => { ctx.nowMs = Math.max(ctx.nowMs, event.nowMs); then(ctx, fx); });
}

const REQUESTS = ['groupHeartbeat', 'offsetCommit', 'offsetFetch', 'listGroups', 'describeGroup', 'deleteGroup', 'deleteGroupOffsets', ...CLASSIC_REQUESTS] as const;
const every = (action: string) => Object.fromEntries(REQUESTS.map((type) => [type, { actions: action }]));
/** While serving: a request for a group of another partition is refused before its handler runs. */
const served = <A extends string>(action: A) => [{ guard: 'notOurGroup' as const, actions: 'refuseNotOurs' as const }, { actions: action }];
const follow = (...phases: Phase[]) => phases.map((phase) => ({ guard: { type: 'phaseIs' as const, params: phase }, target: phase }));

export const coordinatorMachine = setup({
  types: { context: {} as CoordinatorContext, events: {} as CoordinatorEvent, input: {} as CoordinatorInput },
  actions: {
    ...effectActions,
    startLoad: act((ctx, fx) => startLoad(ctx, fx)),
    loadTick: tick(loadTick),
    loadProduceReply: act<'produceReply'>((ctx, fx, e) => onLoadProduceReply(ctx, fx, e.corr, e.body)),
    loadFetchReply: act<'fetchReply'>((ctx, fx, e) => onLoadFetchReply(ctx, fx, e.corr, e.body)),
    setTopics: act<'topicsChanged'>((ctx, _fx, e) => setTopics(ctx, e.topics)),
    refuseLoading: refuse('COORDINATOR_LOAD_IN_PROGRESS', 'the coordinator is loading its groups'),
    // A group is classic or Brook-native: a native member may not join a classic group that has members.
    heartbeat: act<'groupHeartbeat'>((ctx, fx, e) => (isClassicActive(ctx, e.groupId)
      ? reply(fx, e, { code: 'INCONSISTENT_GROUP_PROTOCOL', message: `${e.groupId} is a classic (Kafka protocol) group with members` })
      : onHeartbeat(ctx, fx, e))),
    joinGroup: act<'joinGroup'>(onJoinGroup),
    syncGroup: act<'syncGroup'>(onSyncGroup),
    classicHeartbeat: act<'classicHeartbeat'>(onClassicHeartbeat),
    leaveGroup: act<'leaveGroup'>(onLeaveGroup),
    offsetCommit: act<'offsetCommit'>(onOffsetCommit),
    offsetFetch: act<'offsetFetch'>(onOffsetFetch),
    listGroups: act<'listGroups'>(onListGroups),
    describeGroup: act<'describeGroup'>((ctx, fx, e) => {
      const classic = e.refusal === undefined ? ctx.classic[e.groupId] : undefined;
      return classic !== undefined ? onDescribeClassic(ctx, fx, e, classic) : onDescribeGroup(ctx, fx, e);
    }),
    deleteGroup: act<'deleteGroup'>(onDeleteGroup),
    deleteGroupOffsets: act<'deleteGroupOffsets'>(onDeleteGroupOffsets),
    servingTick: tick((ctx, fx) => { expireWrite(ctx, fx); if (ctx.phase === 'serving') { checkMembers(ctx, fx); classicTick(ctx, fx); } }),
    writeReply: act<'produceReply'>((ctx, fx, e) => onWriteReply(ctx, fx, e.corr, e.body)),
    deleteRecordsReply: act<'deleteRecordsReply'>((ctx, fx, e) => onDeleteRecordsReply(ctx, fx, e.body)),
    probeReply: act<'memberProbeReply'>(onProbeReply),
    topicsChanged: act<'topicsChanged'>((ctx, fx, e) => onTopicsChanged(ctx, fx, e.topics)),
    fence: act((ctx, fx) => {
      failPending(ctx, fx, 'NOT_COORDINATOR');
      fenceClassic(ctx, fx);
      ctx.phase = 'fenced';
      ctx.load = undefined;
      logLine(fx, 'info', 'groupCoordinatorFenced', { partition: ctx.partition, leaderEpoch: ctx.leaderEpoch });
    }),
    refuseFenced: refuse('NOT_COORDINATOR', 'this coordinator no longer serves the partition'),
    refuseNotOurs: refuse('NOT_COORDINATOR', 'the group belongs to another __consumer_offsets partition'),
  },
  guards: {
    phaseIs: ({ context }, phase: Phase) => context.phase === phase,
    notOurGroup: ({ context, event }) => 'groupId' in event && typeof event.groupId === 'string' && !servesGroup(context, event.groupId),
  },
}).createMachine({
  id: 'coordinator',
  context: ({ input }) => initialContext(input),
  initial: 'loading',
  states: {
    loading: {
      entry: 'startLoad',
      always: follow('serving', 'fenced'),
      on: {
        ...every('refuseLoading'),
        tick: { actions: 'loadTick' }, produceReply: { actions: 'loadProduceReply' }, fetchReply: { actions: 'loadFetchReply' },
        topicsChanged: { actions: 'setTopics' }, leadershipLost: { target: 'fenced' },
      },
    },
    serving: {
      always: follow('loading', 'fenced'),
      on: {
        groupHeartbeat: served('heartbeat'), offsetCommit: served('offsetCommit'), offsetFetch: served('offsetFetch'),
        listGroups: { actions: 'listGroups' }, describeGroup: served('describeGroup'), deleteGroup: served('deleteGroup'),
        deleteGroupOffsets: served('deleteGroupOffsets'),
        joinGroup: served('joinGroup'), syncGroup: served('syncGroup'), classicHeartbeat: served('classicHeartbeat'), leaveGroup: served('leaveGroup'),
        tick: { actions: 'servingTick' }, produceReply: { actions: 'writeReply' }, deleteRecordsReply: { actions: 'deleteRecordsReply' },
        memberProbeReply: { actions: 'probeReply' }, topicsChanged: { actions: 'topicsChanged' }, leadershipLost: { target: 'fenced' },
      },
    },
    fenced: {
      entry: 'fence',
      on: { ...every('refuseFenced'), topicsChanged: { actions: 'setTopics' } },
    },
  },
});
