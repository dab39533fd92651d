/**
 * The controller replica's messages, context and knobs (the actor is actors/controller.ts, which
 * re-exports these): they live here so that the handlers in actors/controller/ can import them
 * without importing the machine.
 */
import type { RuntimeEvent, SendParams } from '../effects.js';
import type { MetadataImage } from '../metadata/image.js';
import type { MetadataRecord, TopicConfigs } from '../metadata/records.js';

/** Routing fields every inbound message carries after validation. */
export interface From { from: string; corr?: number; replyTo?: string }

/** One log entry on the wire and on disk (its index is implied by its position). */
export interface RaftEntry { term: number; record: MetadataRecord }

/** Requests to the controller leader (describeQuorum to any voter as well). Reply: `<type>Reply`. */
export type ControllerRequest =
  | { type: 'registerNode'; nodeId: number; incarnationId: string; clusterId: string; rack?: string; address: string }
  | { type: 'nodeHeartbeat'; nodeId: number; nodeEpoch: number; appliedOffset: number; wantShutdown?: boolean }
  /** `topicId`: the client's proposal (32 hex); a retry that finds the topic made with it gets OK, not TOPIC_ALREADY_EXISTS. */
  | { type: 'createTopic'; name: string; partitions: number; replicationFactor: number; configs: TopicConfigs; internal?: boolean; topicId?: string }
  | { type: 'deleteTopic'; name: string }
  | { type: 'createPartitions'; name: string; totalCount: number }
  /** An empty value restores the config's default (Kafka's incremental DELETE). */
  | { type: 'alterConfigs'; name: string; configs: TopicConfigs }
  | { type: 'alterPartition'; topicId: string; partition: number; leaderId: number; leaderEpoch: number; partitionEpoch: number; isr: number[] }
  /** A partition leader gives up its epoch (actors/metadata/decide.ts decideResignLeadership). */
  | { type: 'resignLeadership'; topicId: string; partition: number; leaderId: number; leaderEpoch: number }
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
  /** `seq` numbers the leader's requests to one follower; the reply echoes it (FollowerProgress.seqSent). */
  | { type: 'appendEntries'; term: number; leaderId: number; seq: number; prevLogIndex: number; prevLogTerm: number; entries: RaftEntry[]; leaderCommit: number }
  /** success: `matchIndex` is stored on the follower; failure: retry from `nextIndexHint`. */
  | { type: 'appendEntriesReply'; term: number; followerId: number; seq: number; success: boolean; matchIndex: number; nextIndexHint: number }
  | { type: 'installSnapshot'; term: number; leaderId: number; seq: number; snapshotIndex: number; snapshotTerm: number; image: MetadataImage }
  | { type: 'installSnapshotReply'; term: number; followerId: number; seq: number; success: boolean; matchIndex: number }
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
  /** Records a heartbeat reply carries at most (a batch counts its records; one entry always goes). */
  heartbeatRecordsMax: number;
  /** Records an appendEntries carries at most, counted the same way. */
  appendEntriesMax: number;
  /**
   * Planted bug for the simulator and tests only: finish reassignments without waiting for the new
   * replicas to join the ISR (a move onto empty replicas then loses acknowledged writes).
   */
  dropRemovingReplicasEarly: boolean;
  /**
   * Planted bug for the simulator and tests only: a refusal that a later request overtook is
   * dropped, so with a round trip longer than the heartbeat interval a lagging follower is never
   * backed up to where its log matches.
   */
  dropOvertakenRefusals: boolean;
}

export const CONTROLLER_DEFAULTS: ControllerKnobs = {
  tickMs: 50, electionTimeoutMs: 300, heartbeatIntervalMs: 50, nodeSessionTimeoutMs: 1500, nodeProbeAfterMs: 200, nodeProbeEveryMs: 100,
  snapshotEveryRecords: 2000, heartbeatRecordsMax: 500, appendEntriesMax: 500, dropRemovingReplicasEarly: false,
  dropOvertakenRefusals: false,
};

export interface ControllerInput { nodeId: number; voters: number[]; clusterId: string; seed: number; knobs?: Partial<ControllerKnobs>; nowMs: number }

export type Role = 'recovering' | 'follower' | 'preCandidate' | 'candidate' | 'leader';

/** The in-memory log: entries after the snapshot; entries[i] has index snapshotIndex + 1 + i. */
export interface RaftLog { snapshotIndex: number; snapshotTerm: number; entries: RaftEntry[] }

export interface Snapshot { index: number; term: number; image: MetadataImage }

/**
 * The leader's view of one follower. `seqSent` numbers the latest request sent to it: a reply to
 * that request, or one with news (matchIndex up, nextIndex back), clears `inFlight` and may send the
 * next one. Any other reply (a duplicate, or one a heartbeat overtook) still counts for
 * `matchIndex`, but sends nothing: were every reply to send, each duplicated message and each
 * heartbeat sent while a request was out would add a request that never leaves the exchange, and
 * with a slow follower they multiply without bound. News is bounded by the log, so it cannot.
 */
export interface FollowerProgress { nextIndex: number; matchIndex: number; inFlight: boolean; seqSent: number; lastContactMs: number }

/** A probe of a silent node: sent at `atMs` to the incarnation with `nodeEpoch`. */
export interface NodeProbe { corr: number; atMs: number; nodeEpoch: number }

/** A reply parked until `index` commits; `untilApplied` replies then wait for the nodes too (AppliedWaiter). */
export interface Waiter { index: number; send: SendParams; untilApplied?: true }

/** A committed change's reply held until every live unfenced node applied `index`, or until `deadlineMs`. */
export interface AppliedWaiter { index: number; send: SendParams; deadlineMs: number }

/** A follower's ack that waits for its append to be stored. */
export interface PendingAck { to: string; term: number; seq: number; type: 'appendEntriesReply' | 'installSnapshotReply'; matchIndex: number }

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
  /**
   * Leader only: producer ids for initProducerId from a block of PRODUCER_ID_BLOCK that this leader
   * allocated in the log (`index`: the block's record). Replies carrying them wait until that record
   * is committed, so a block lost with a deposed leader is never used; a new leader allocates its own.
   */
  producerIds: { next: number; end: number; index: number } | undefined;
  /** Liveness probes in flight (leader only), by node id. */
  probes: Record<string, NodeProbe>;
  nextProbeCorr: number;
  purgatory: Waiter[];
  /** Leader only: committed config changes whose replies wait for the nodes to apply them (purgatory.ts). */
  appliedWaiters: AppliedWaiter[];
  /** Leader only: the metadata offset each node's latest heartbeat said it applied. */
  nodesApplied: Record<string, number>;
  pendingAcks: PendingAck[];
  /** Raft messages held until every ctl/state write in flight is stored. */
  held: SendParams[];
  ops: ReadonlyMap<number, StorageOp>;
  nextToken: number;
  recovery: Recovery | undefined;
  /** Leader only: the placement plans it is running (actors/controller/placement-tick.ts). */
  placement: PlacementState;
}

/** Whether a node's session with this leader is running (its deadline not yet passed). */
export function sessionAlive(ctx: Pick<ControllerContext, 'sessions' | 'nowMs'>, nodeId: number): boolean {
  return (ctx.sessions[String(nodeId)] ?? -Infinity) > ctx.nowMs;
}

/** Votes or stored copies that make a majority of the voters (Raft). */
export function majority(voters: number[]): number { return Math.floor(voters.length / 2) + 1; }

export type PlacementRequest =
  /** `replicas: null` cancels the reassignment in progress. */
  | { type: 'alterPartitionReassignments'; topic: string; partition: number; replicas: number[] | null }
  | { type: 'listPartitionReassignments'; topics?: string[] }
  | { type: 'electLeaders'; topic?: string; partitions?: number[] }
  | { type: 'decommissionNode'; nodeId: number }
  /** Reply: the plan (`moves`); unless `dryRun`, the controller starts running it. */
  | { type: 'balanceCluster'; dryRun: boolean }
  /** Changed settings; an empty value restores the default. */
  | { type: 'alterClusterConfigs'; configs: Record<string, string> };

/**
 * The leader's timers for placement work. Plans themselves live in the image (a balance plan's
 * state, draining nodes, reassignments in progress), so a new leader carries on with them.
 */
export interface PlacementState {
  imbalanceCheckDueMs: number | undefined;
  stepDueMs: number;
}
