/**
 * Controller replica: one per voter node, together a Raft quorum over the metadata log (KRaft,
 * DESIGN.md section 5). Raft as in the paper (§5 election and log matching, §5.4.2 commit only
 * current-term entries by counting, §7 snapshots) plus pre-vote, check-quorum and leader stickiness
 * (Ongaro's thesis §9.6). The log is the metadata log `__metadata`: entry offset = Raft index from
 * 1, value = `{ term, record }`. The leader decides commands against its working image
 * (actors/metadata/decide*.ts), appends and replays the records, and answers once they commit.
 *
 * States, each with its own handlers (Raft's role, which its handlers set in `context.role` as the
 * paper's variable; the state follows it along the edges below, any other change is a bug):
 * recovering (reads ctl/state, ctl/snapshot and the log; drops Raft messages) → follower ⇄
 * preCandidate → candidate → leader, back to follower on a higher term or a lost quorum, to
 * recovering on a storage failure. Only the leader handles probe replies, and only it serves
 * requests (the others answer NOT_CONTROLLER). Time comes only from `tick` events; randomness only
 * from actors/prng.ts with its state in context.
 *
 * Durability: term and vote go to `ctl/state` (putMeta, sync) and any Raft message sent while such
 * a write is in flight is held until it is stored, so no vote or candidacy is visible before it is
 * durable. A follower acks entries only once its append is stored; the leader counts itself only up
 * to its stored index. Snapshots go to `ctl/snapshot` and then the log is trimmed.
 *
 * Invariants (invariants() below): commitIndex ≤ lastIndex; lastApplied = commitIndex (replay is
 * synchronous); snapshotIndex ≤ commitIndex; durableIndex ≤ lastIndex; term ≥ the stored term;
 * pending state writes have increasing terms and at most one vote per term; the leader has a
 * working image, progress for every other voter, and its purgatory is offset-ordered; only the
 * leader listens on the controller leader addresses.
 *
 * Addresses (actors/kit/addresses.ts): a replica lives at its voter address `n/ctl/<id>`; the
 * leader also listens on `n/ctl/leader` (node traffic: registerNode, nodeHeartbeat, alterPartition, resignLeadership,
 * allocateProducerIds), `c/admin/leader` (createTopic, deleteTopic, createPartitions,
 * alterConfigs, describeQuorum) and `c/pid/leader` (initProducerId). describeQuorum is also
 * answered on a voter address. Raft RPCs (preVote, requestVote, appendEntries, installSnapshot and
 * their `…Reply`s) travel between voter addresses; from the runtime tick, stored, readDone,
 * metaRead. Out: `<type>Reply` to the requester, Raft RPCs to voter addresses, probes to node
 * addresses; effects putMeta, getMeta, append, truncateFrom, deleteBefore, read, listen/unlisten of
 * the leader addresses, log, report (raftLeader, raftTerm, raftCommit, raftSnapshot).
 */
import { setup } from 'xstate';
import { stepAction } from './step-action.js';
import { assert } from './assert.js';
import { effectActions } from './effects.js';
import type { MetadataImage } from './metadata/image.js';
import { CONTROLLER_DEFAULTS, type ControllerContext, type ControllerEvent, type ControllerInput, type ControllerRequest, type PlacementRequest, type Role, type Waiter } from './controller/types.js';
import { onMetaRead, onReadDone, onStored } from './controller/completions.js';
import { onEndQuorumEpoch, onPreVote, onPreVoteReply, onRequestVote, onRequestVoteReply } from './controller/election.js';
import { resign } from './controller/leadership.js';
import { onAppendEntries, onAppendReply } from './controller/replication.js';
import { onInstallSnapshot } from './controller/snapshot.js';
import { onRequest } from './controller/requests.js';
import { onPlacementRequest } from './controller/placement-requests.js';
import { onProbeReply } from './controller/probe.js';
import { onCampaignTick, onLeaderTick, onRecoveringTick } from './controller/tick.js';
export { nextTickAt as controllerNextTickAt } from './controller/tick.js';
import { startRecovery } from './controller/recovery.js';
import type { Effect, Fx } from './kit/fx.js';
import { lastIndex } from './controller/log.js';
import { initialPlacement } from './controller/placement-requests.js';

export { parseControllerMessage } from './metadata/validate.js';

export type * from './controller/types.js';
export { CONTROLLER_DEFAULTS, majority } from './controller/types.js';

export function invariants(ctx: ControllerContext): void {
  const last = lastIndex(ctx.log);
  assert(ctx.commitIndex <= last, `commitIndex ${ctx.commitIndex} <= lastIndex ${last}`);
  assert(ctx.lastApplied <= ctx.commitIndex, 'lastApplied <= commitIndex');
  assert(ctx.role === 'recovering' || ctx.lastApplied === ctx.commitIndex, 'committed entries are applied at once');
  assert(ctx.image.offset === ctx.lastApplied, 'the committed image is at lastApplied');
  assert(ctx.log.snapshotIndex <= ctx.commitIndex, 'the snapshot covers only committed entries');
  assert(ctx.durableIndex <= last, 'durableIndex <= lastIndex');
  assert(ctx.term >= ctx.durableTerm, 'term never below the stored term');
  assert(ctx.voters.includes(ctx.nodeId), 'a controller replica is a voter');
  checkStateWrites(ctx);
  assert((ctx.role === 'leader') === (ctx.working !== undefined), 'a working image iff leading');
  if (ctx.role === 'leader') {
    assert(ctx.leaderId === ctx.nodeId && ctx.votedFor === ctx.nodeId, 'the leader voted for itself');
    assert((ctx.working as MetadataImage).offset === last, 'the working image is at lastIndex');
    for (const id of ctx.voters) if (id !== ctx.nodeId) assert(ctx.followers[String(id)] !== undefined, `progress for voter ${id}`);
    const ids = ctx.producerIds;
    assert(ids === undefined || (ids.next <= ids.end && ids.end <= (ctx.working as MetadataImage).nextProducerId && ids.index <= last), 'producer ids come from an allocated block');
  } else {
    assert(ctx.purgatory.length === 0 && ctx.appliedWaiters.length === 0, 'only the leader parks replies');
    assert(ctx.producerIds === undefined, 'only the leader hands out producer ids');
  }
  for (let i = 1; i < ctx.purgatory.length; i++) {
    assert((ctx.purgatory[i - 1] as Waiter).index <= (ctx.purgatory[i] as Waiter).index, 'purgatory is offset-ordered');
  }
}

function checkStateWrites(ctx: ControllerContext): void {
  let previous: { term: number; voted: boolean } | undefined;
  for (const op of ctx.ops.values()) {
    if (op.kind !== 'state') continue;
    assert(op.term <= ctx.term, 'no state write ahead of the term');
    if (previous !== undefined) {
      assert(op.term >= previous.term, 'state writes in term order');
      assert(!(op.term === previous.term && previous.voted && op.votedFor !== undefined), 'at most one pending vote per term');
    }
    previous = { term: op.term, voted: op.votedFor !== undefined };
  }
}

export const controllerInvariants = invariants;

function initialContext(input: ControllerInput): ControllerContext {
  assert(input.voters.includes(input.nodeId), 'controller replicas run on voters');
  assert(new Set(input.voters).size === input.voters.length, 'voters are distinct');
  const knobs = { ...CONTROLLER_DEFAULTS, ...input.knobs };
  return {
    nodeId: input.nodeId, voters: [...input.voters].sort((a, b) => a - b), clusterId: input.clusterId, knobs, nowMs: input.nowMs,
    prng: input.seed >>> 0, role: 'recovering', term: 0, votedFor: undefined, durableTerm: 0, leaderId: undefined,
    log: { snapshotIndex: 0, snapshotTerm: 0, entries: [] }, durableIndex: 0, commitIndex: 0, lastApplied: 0,
    image: { nodes: {}, topics: {}, topicNames: {}, nextProducerId: 0, offset: 0 }, working: undefined, snapshot: undefined,
    snapshotWriting: false, electionDeadlineMs: input.nowMs, lastLeaderContactMs: -Infinity, votes: [], followers: {},
    heartbeatDueMs: input.nowMs, lastTickMs: input.nowMs, sessions: {}, sessionsHeard: {}, producerIds: undefined, probes: {}, nextProbeCorr: 1, purgatory: [], appliedWaiters: [], nodesApplied: {}, pendingAcks: [], held: [], ops: new Map(), nextToken: 1, recovery: undefined,
    placement: initialPlacement(),
  };
}

/**
 * The roles a state may hand over to: Raft's role changes happen inside its handlers (a higher term
 * seen in any message, an election won or lost, a storage failure), which set `context.role`; the
 * state follows it along these edges only, and a role change along any other edge is a bug.
 */
function becomes(state: Role, ...roles: Role[]) {
  return [...roles.map((role) => ({ guard: { type: 'is' as const, params: role }, target: role })),
    { guard: { type: 'isNot' as const, params: state }, actions: { type: 'offEdge' as const, params: state } }];
}

const raft = {
  preVote: { actions: 'preVote' }, preVoteReply: { actions: 'preVoteReply' }, requestVote: { actions: 'requestVote' },
  requestVoteReply: { actions: 'requestVoteReply' }, appendEntries: { actions: 'appendEntries' }, appendEntriesReply: { actions: 'appendReply' },
  installSnapshot: { actions: 'installSnapshot' }, installSnapshotReply: { actions: 'appendReply' },
  endQuorumEpoch: { actions: 'endQuorumEpoch' },
} as const;

/** Requests to the controller; any but the leader answers NOT_CONTROLLER (describeQuorum: any voter). */
const requests = {
  registerNode: { actions: 'request' }, nodeHeartbeat: { actions: 'request' }, createTopic: { actions: 'request' }, deleteTopic: { actions: 'request' },
  createPartitions: { actions: 'request' }, alterConfigs: { actions: 'request' }, alterPartition: { actions: 'request' }, resignLeadership: { actions: 'request' },
  allocateProducerIds: { actions: 'request' }, initProducerId: { actions: 'request' }, describeQuorum: { actions: 'request' },
  alterPartitionReassignments: { actions: 'placementRequest' }, listPartitionReassignments: { actions: 'placementRequest' },
  electLeaders: { actions: 'placementRequest' }, decommissionNode: { actions: 'placementRequest' }, balanceCluster: { actions: 'placementRequest' },
  alterClusterConfigs: { actions: 'placementRequest' },
} as const;

const completions = { stored: { actions: 'stored' }, metaRead: { actions: 'metaRead' }, readDone: { actions: 'readDone' } } as const;

type Of<T extends ControllerEvent['type']> = Extract<ControllerEvent, { type: T }>;

/** A handler for one event type, run on a draft of the context (actors/step-action.ts). */
function act<T extends ControllerEvent['type']>(handler: (ctx: ControllerContext, fx: Fx, event: Of<T>) => void) {
  return stepAction<ControllerContext, ControllerEvent>((ctx, fx, event) => handler(ctx, fx as Effect[], event as Of<T>));
}

export const controllerMachine = setup({
  types: { context: {} as ControllerContext, events: {} as ControllerEvent, input: {} as ControllerInput },
  actions: {
    ...effectActions,
    recover: act((ctx, fx) => startRecovery(ctx, fx)),
    recoveringTick: act<'tick'>((ctx, fx, e) => onRecoveringTick(ctx, fx, e.nowMs)),
    campaignTick: act<'tick'>((ctx, fx, e) => onCampaignTick(ctx, fx, e.nowMs)),
    leaderTick: act<'tick'>((ctx, fx, e) => onLeaderTick(ctx, fx, e.nowMs)),
    stored: act<'stored'>((ctx, fx, e) => onStored(ctx, fx, e.token, e.error)),
    metaRead: act<'metaRead'>((ctx, fx, e) => onMetaRead(ctx, fx, e.token, e.value, e.error)),
    readDone: act<'readDone'>((ctx, fx, e) => onReadDone(ctx, fx, e.token, e.entries, e.error)),
    preVote: act<'preVote'>(onPreVote),
    preVoteReply: act<'preVoteReply'>(onPreVoteReply),
    requestVote: act<'requestVote'>(onRequestVote),
    requestVoteReply: act<'requestVoteReply'>(onRequestVoteReply),
    appendEntries: act<'appendEntries'>(onAppendEntries),
    appendReply: act<'appendEntriesReply' | 'installSnapshotReply'>(onAppendReply),
    installSnapshot: act<'installSnapshot'>(onInstallSnapshot),
    endQuorumEpoch: act<'endQuorumEpoch'>(onEndQuorumEpoch),
    resign: act((ctx, fx) => resign(ctx, fx)),
    request: act<ControllerRequest['type']>((ctx, fx, e) => onRequest(ctx, fx, e as never)),
    placementRequest: act<PlacementRequest['type']>((ctx, fx, e) => onPlacementRequest(ctx, fx, e as never)),
    probeReply: act<'probeReply'>(onProbeReply),
    offEdge: ({ context }, state: Role) => assert(false, `role ${context.role} is not reached from ${state}`),
  },
  guards: {
    is: ({ context }, role: Role) => context.role === role,
    isNot: ({ context }, role: Role) => context.role !== role,
  },
}).createMachine({
  id: 'controller',
  context: ({ input }) => initialContext(input),
  initial: 'recovering',
  states: {
    // Raft messages reach a recovering replica before it knows its term: it drops them (senders
    // retry); requests get NOT_CONTROLLER.
    recovering: { entry: 'recover', always: becomes('recovering', 'follower'), on: { tick: { actions: 'recoveringTick' }, ...requests, ...completions } },
    // A lone voter's pre-vote is won at once: a follower may become a candidate in one step.
    follower: { always: becomes('follower', 'recovering', 'preCandidate', 'candidate'), on: { tick: { actions: 'campaignTick' }, ...raft, ...requests, ...completions } },
    preCandidate: { always: becomes('preCandidate', 'recovering', 'follower', 'candidate'), on: { tick: { actions: 'campaignTick' }, ...raft, ...requests, ...completions } },
    candidate: { always: becomes('candidate', 'recovering', 'follower', 'preCandidate', 'leader'), on: { tick: { actions: 'campaignTick' }, ...raft, ...requests, ...completions } },
    leader: { always: becomes('leader', 'recovering', 'follower'), on: { tick: { actions: 'leaderTick' }, ...raft, ...requests, ...completions, probeReply: { actions: 'probeReply' }, resign: { actions: 'resign' } } },
  },
});
