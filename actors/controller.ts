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
import { effectActions, type RuntimeEvent, type SendParams } from './effects.js';
import type { MetadataImage } from './metadata/image.js';
import type { MetadataRecord, TopicConfigs } from './metadata/records.js';
import { dispatch } from './controller/dispatch.js';
import { startRecovery } from './controller/recovery.js';
import type { Effect } from './kit/fx.js';
import { lastIndex } from './controller/log.js';
import { initialPlacement, type PlacementRequest, type PlacementState } from './controller/placement-requests.js';

export { parseControllerMessage } from './metadata/validate.js';

// ---- messages ----

/** Routing fields every inbound message carries after validation. */
export interface From { from: string; corr?: number; replyTo?: string }

/** One log entry on the wire and on disk (its index is implied by its position). */
export interface RaftEntry { term: number; record: MetadataRecord }

/** Requests to the controller leader (describeQuorum to any voter as well). Reply: `<type>Reply`. */
export type ControllerRequest =
  | { type: 'registerNode'; nodeId: number; incarnationId: string; clusterId: string; rack?: string; address: string; kafkaListener?: string }
  | { type: 'nodeHeartbeat'; nodeId: number; nodeEpoch: number; appliedOffset: number; wantShutdown?: boolean }
  /** `topicId`: the client's proposal (32 hex); a retry that finds the topic made with it gets OK, not TOPIC_ALREADY_EXISTS. */
  | { type: 'createTopic'; name: string; partitions: number; replicationFactor: number; configs: TopicConfigs; internal?: boolean; topicId?: string }
  | { type: 'deleteTopic'; name: string }
  | { type: 'createPartitions'; name: string; totalCount: number }
  /** An empty value restores the config's default (Kafka's incremental DELETE). */
  | { type: 'alterConfigs'; name: string; configs: TopicConfigs }
  | { type: 'alterPartition'; topicId: string; partition: number; leaderId: number; leaderEpoch: number; partitionEpoch: number; isr: number[] }
  | { type: 'allocateProducerIds'; nodeId: number; nodeEpoch: number }
  | { type: 'initProducerId' }
  | { type: 'describeQuorum' }
  | PlacementRequest;

/** Raft RPCs between voter addresses. Every one carries the sender's term. */
export type RaftMessage =
  /** `term` is the term the pre-candidate would campaign in (its term + 1); nobody adopts it. */
  | { type: 'preVote'; term: number; candidateId: number; lastLogIndex: number; lastLogTerm: number }
  /** `term` is the voter's current term; `voteTerm` echoes the pre-vote's term. */
  | { type: 'preVoteReply'; term: number; voteTerm: number; voterId: number; granted: boolean }
  | { type: 'requestVote'; term: number; candidateId: number; lastLogIndex: number; lastLogTerm: number }
  | { type: 'requestVoteReply'; term: number; voterId: number; granted: boolean }
  | { type: 'appendEntries'; term: number; leaderId: number; prevLogIndex: number; prevLogTerm: number; entries: RaftEntry[]; leaderCommit: number }
  /** success: `matchIndex` is stored on the follower; failure: retry from `nextIndexHint`. */
  | { type: 'appendEntriesReply'; term: number; followerId: number; success: boolean; matchIndex: number; nextIndexHint: number }
  | { type: 'installSnapshot'; term: number; leaderId: number; snapshotIndex: number; snapshotTerm: number; image: MetadataImage }
  | { type: 'installSnapshotReply'; term: number; followerId: number; success: boolean; matchIndex: number }
  /**
   * A leader resigning (its node shutting down; KRaft's EndQuorumEpoch, KIP-595): voters stop
   * counting on it at once, and `successorId` (its most caught-up follower) campaigns at once.
   */
  | { type: 'endQuorumEpoch'; term: number; leaderId: number; successorId: number };

/**
 * The leader's liveness probe of a node whose heartbeats stopped (`probe` to its node address, sent
 * fail-fast): the node answers OK; UNKNOWN_ADDRESS means nothing listens there any more.
 */
export type ProbeReply = { type: 'probeReply'; code: string };

/** From the node runtime, whose controlled shutdown is about to stop this voter: a leader hands leadership on. */
export interface ResignEvent { type: 'resign' }

export type ControllerEvent = ((ControllerRequest | RaftMessage | ProbeReply) & From) | RuntimeEvent | ResignEvent;

// ---- context ----

export interface ControllerKnobs {
  tickMs: number;
  /** Base election timeout; each timeout is drawn uniformly from [base, 2·base). */
  electionTimeoutMs: number;
  /** How often the leader sends appendEntries to every follower. */
  heartbeatIntervalMs: number;
  /** A node whose heartbeats stop for this long is fenced. */
  nodeSessionTimeoutMs: number;
  /**
   * A node silent for this long is probed, and fenced at once if the transport says nothing
   * listens at its address any more (its process is gone): failover need not wait for the session.
   */
  nodeProbeAfterMs: number;
  /** At most one probe per node in this long. */
  nodeProbeEveryMs: number;
  snapshotEveryRecords: number;
  heartbeatRecordsMax: number;
  appendEntriesMax: number;
  /**
   * Planted bug for the simulator and tests only: finish reassignments without waiting for the new
   * replicas to join the ISR (a move onto empty replicas then loses acknowledged writes).
   */
  dropRemovingReplicasEarly: boolean;
}

export const CONTROLLER_DEFAULTS: ControllerKnobs = {
  tickMs: 10, electionTimeoutMs: 300, heartbeatIntervalMs: 50, nodeSessionTimeoutMs: 1500, nodeProbeAfterMs: 200, nodeProbeEveryMs: 100,
  snapshotEveryRecords: 2000, heartbeatRecordsMax: 500, appendEntriesMax: 500, dropRemovingReplicasEarly: false,
};

export interface ControllerInput { nodeId: number; voters: number[]; clusterId: string; seed: number; knobs?: Partial<ControllerKnobs>; nowMs: number }

export type Role = 'recovering' | 'follower' | 'preCandidate' | 'candidate' | 'leader';
const ROLES: Role[] = ['recovering', 'follower', 'preCandidate', 'candidate', 'leader'];

/** The in-memory log: entries after the snapshot; entries[i] has index snapshotIndex + 1 + i. */
export interface RaftLog { snapshotIndex: number; snapshotTerm: number; entries: RaftEntry[] }

export interface Snapshot { index: number; term: number; image: MetadataImage }

export interface FollowerProgress { nextIndex: number; matchIndex: number; inFlight: boolean; lastContactMs: number }

/** A probe of a silent node: sent at `atMs` to the incarnation with `nodeEpoch`. */
export interface NodeProbe { corr: number; atMs: number; nodeEpoch: number }

/** A reply parked until `index` commits. */
export interface Waiter { index: number; send: SendParams }

/** A follower's ack that waits for its append to be stored. */
export interface PendingAck { to: string; term: number; type: 'appendEntriesReply' | 'installSnapshotReply'; matchIndex: number }

export type StorageOp =
  | { kind: 'state'; term: number; votedFor: number | undefined; candidacy: boolean }
  | { kind: 'append'; lastIndex: number; lastTerm: number }
  | { kind: 'truncate' }
  | { kind: 'snapshot'; snapshot: Snapshot; installed: boolean }
  | { kind: 'trim' }
  | { kind: 'readState' }
  | { kind: 'readSnapshot' }
  | { kind: 'readLog' };

export interface Recovery { stateRead: boolean; snapshotRead: boolean; retryAtMs: number | undefined }

export interface ControllerContext {
  nodeId: number;
  voters: number[];
  clusterId: string;
  knobs: ControllerKnobs;
  nowMs: number;
  prng: number;
  role: Role;
  term: number;
  votedFor: number | undefined;
  /** The term and vote last stored in ctl/state. */
  durableTerm: number;
  leaderId: number | undefined;
  log: RaftLog;
  /** Entries up to here are stored locally. */
  durableIndex: number;
  commitIndex: number;
  lastApplied: number;
  /** The committed image (at lastApplied). */
  image: MetadataImage;
  /** The leader's image: committed plus its uncommitted entries; decisions read it. */
  working: MetadataImage | undefined;
  snapshot: Snapshot | undefined;
  snapshotWriting: boolean;
  electionDeadlineMs: number;
  lastLeaderContactMs: number;
  /** Voters that granted the pre-vote or vote in progress. */
  votes: number[];
  followers: Record<string, FollowerProgress>;
  heartbeatDueMs: number;
  /** The clock at the previous tick: a much later tick means this voter did not run in between (tick.ts). */
  lastTickMs: number;
  /** Node session deadlines (leader only; a new leader starts everyone afresh, like KRaft). */
  sessions: Record<string, number>;
  /**
   * Nodes that heartbeated (or registered) since this leader took over. A session granted only at
   * election may belong to a process that died during the failover; a new incarnation of that node
   * may take over such a session instead of being refused as NODE_ID_IN_USE until it runs out,
   * which a run of controller failovers could otherwise put off for ever.
   */
  sessionsHeard: Record<string, true>;
  /** Liveness probes in flight (leader only), by node id. */
  probes: Record<string, NodeProbe>;
  nextProbeCorr: number;
  purgatory: Waiter[];
  pendingAcks: PendingAck[];
  /** Raft messages held until every ctl/state write in flight is stored. */
  held: SendParams[];
  ops: ReadonlyMap<number, StorageOp>;
  nextToken: number;
  recovery: Recovery | undefined;
  /** Leader only: the placement plans it is running (actors/controller/placement-tick.ts). */
  placement: PlacementState;
}

export function majority(voters: number[]): number { return Math.floor(voters.length / 2) + 1; }

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
    heartbeatDueMs: input.nowMs, lastTickMs: input.nowMs, sessions: {}, sessionsHeard: {}, probes: {}, nextProbeCorr: 1, purgatory: [], pendingAcks: [], held: [], ops: new Map(), nextToken: 1, recovery: undefined,
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
