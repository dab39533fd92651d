/**
 * Controller replica: one per voter node, together a Raft quorum over the metadata log (KRaft,
 * DESIGN.md section 5). Raft as in the paper (§5 election and log matching, §5.4.2 commit only
 * current-term entries by counting, §7 snapshots) plus pre-vote, check-quorum and leader stickiness
 * (Ongaro's thesis §9.6). The log is the metadata log `__metadata`: entry offset = Raft index from
 * 1, value = `{ term, record }`. The leader decides commands against its working image
 * (actors/metadata/decide*.ts), appends and replays the records, and answers once they commit.
 *
 * States (mirroring `context.role`): recovering (reads ctl/state, ctl/snapshot and the log) →
 * follower ⇄ preCandidate → candidate → leader. Time comes only from `tick` events; randomness only
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
 * leader also listens on `n/ctl/leader` (node traffic: registerNode, nodeHeartbeat, alterPartition,
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
import { CONTROLLER_DEFAULTS, type ControllerContext, type ControllerEvent, type ControllerInput, type Role, type Waiter } from './controller/types.js';
import { dispatch } from './controller/dispatch.js';
import { startRecovery } from './controller/recovery.js';
import type { Effect } from './kit/fx.js';
import { lastIndex } from './controller/log.js';
import { initialPlacement } from './controller/placement-requests.js';

export { parseControllerMessage } from './metadata/validate.js';

export type * from './controller/types.js';
export { CONTROLLER_DEFAULTS, majority } from './controller/types.js';

const ROLES: Role[] = ['recovering', 'follower', 'preCandidate', 'candidate', 'leader'];

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
  } else {
    assert(ctx.purgatory.length === 0, 'only the leader parks replies');
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
    heartbeatDueMs: input.nowMs, sessions: {}, sessionsHeard: {}, probes: {}, nextProbeCorr: 1, purgatory: [], pendingAcks: [], held: [], ops: new Map(), nextToken: 1, recovery: undefined,
    placement: initialPlacement(),
  };
}

export const controllerMachine = setup({
  types: { context: {} as ControllerContext, events: {} as ControllerEvent, input: {} as ControllerInput },
  actions: {
    ...effectActions,
    // Handlers run on a shallow copy of the context; their effects run in order as declared actions.
    handle: stepAction<ControllerContext, ControllerEvent>((ctx, fx, event) => dispatch(ctx, fx as Effect[], event)),
    recover: stepAction<ControllerContext, ControllerEvent>((ctx, fx) => startRecovery(ctx, fx as Effect[])),
  },
  guards: {
    is: ({ context }, role: Role) => context.role === role,
  },
}).createMachine({
  id: 'controller',
  context: ({ input }) => initialContext(input),
  initial: 'recovering',
  entry: 'recover',
  on: { '*': { actions: 'handle' } },
  // The state nodes mirror `context.role`, which the handlers set, so snapshots show the role.
  states: Object.fromEntries(ROLES.map((role) => [role, { always: ROLES.filter((r) => r !== role)
    .map((r) => ({ guard: { type: 'is' as const, params: r }, target: r })) }])),
});
