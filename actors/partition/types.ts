/**
 * The partition replica's messages, context and knobs. Re-exported by actors/partition.ts, which
 * is the public surface; they live here so that the pure helpers can import them without a cycle.
 */
import type { RuntimeEvent, Stamped } from '../effects.js';
import type { ErrorReply } from '../errors.js';
import type { BatchInput, StoredBatch } from './batch.js';
import type { BatchIndex, TailCache } from './log-cache.js';
import type { FollowerProgress, IsrState } from './isr.js';
import type { ProducerTable } from './producer-state.js';
import type { ReplicaThrottle, ThrottleBucket } from './throttle.js';

/** One leader epoch in the epoch cache (KIP-101) and the offset its first batch got (actors/partition/log.ts). */
export interface EpochEntry { epoch: number; startOffset: number }
/** The answer to "where does epoch e end?": the largest known epoch ≤ e and its end offset. */
export interface EpochEnd { epoch: number; endOffset: number }

/** Partition state as the controller commits it (and as metadataChanged / alterPartitionReply carry it). */
export interface PartitionState { replicas: number[]; isr: number[]; leader: number; leaderEpoch: number; partitionEpoch: number }

export interface PartitionConfigs {
  minInsyncReplicas: number;
  maxMessageBytes: number;
  retentionMs: number;
  /** -1 = unlimited. */
  retentionBytes: number;
  flush: 'default' | 'always';
}

export interface PartitionKnobs {
  /** Tick granularity while the replica is busy (long waiting lists, a follower between fetches). */
  tickMs: number;
  /**
   * The longest gap between ticks; otherwise a replica is ticked at its next deadline (tick.ts
   * nextTickAt). 30 s by default: every tick makes a new context and snapshot that then live until
   * the next tick, long enough to be promoted, so at 10 s a node of 10,000 idle replicas promoted
   * about 2.5 MB of soon-dead state a second and its RSS climbed between full collections
   * (bench/RESULTS.md, "Eighteenth round"). The simulator also runs it at 100 ms and 120 s.
   */
  idleTickMs: number;
  /**
   * A follower not caught up for this long leaves the ISR. Several long-poll rounds, so that one
   * lost fetch (retried after fetchMaxWaitMs + fetchTimeoutSlackMs) does not shrink the ISR; a
   * dead follower leaves sooner anyway, when the controller fences its node.
   */
  replicaLagTimeMaxMs: number;
  /** Long-poll wait of follower fetches. */
  fetchMaxWaitMs: number;
  /**
   * Long-poll wait of a follower fetch that may be what the leader's HW waits for: it reports offsets
   * stored since the follower's last fetch, above the HW the leader last told it. Such a fetch (or
   * its answer) lost on the way costs a stalled HW until the follower sends again, after this +
   * fetchTimeoutSlackMs instead of the whole long poll (core NATS delivers at most once).
   */
  fetchProgressWaitMs: number;
  fetchBytesMax: number;
  /**
   * Bytes of the newest batches a replica keeps to answer fetches without a storage read: one
   * fetch's worth (fetchBytesMax), which covers a follower or consumer that keeps up. Not more,
   * because a batch held for seconds outlives V8's young generation, and the buffers of such
   * batches count toward the external-memory limit that starts a full collection: with 8 MiB per
   * replica every node ran one every 5-6 s at 1 KiB and 10 MB/s, none with 1 MiB, and the ack p99
   * fell by a third (bench/RESULTS.md, "Twenty-first round"). A reader further behind reads storage.
   */
  tailCacheBytes: number;
  retentionCheckMs: number;
  /** How often a moved HW is checkpointed (putMeta, no sync). */
  hwCheckpointMs: number;
  /** How often the producer state is checkpointed. */
  producersCheckpointMs: number;
  /** A follower fetch without reply after maxWait + this is sent again. */
  fetchTimeoutSlackMs: number;
  /** Follower pause after NOT_LEADER / fenced answers (plus jitter up to the same again). */
  fetchRetryBackoffMs: number;
  /**
   * Follower pause when the leader it was sent to has not yet applied the state that names it
   * (UNKNOWN_LEADER_EPOCH, LEADER_NOT_AVAILABLE, NOT_LEADER at an older epoch): it will in
   * milliseconds, and a failover waits on this retry (plus jitter up to the same again).
   */
  fetchLeaderBehindRetryMs: number;
  /** An alterPartition without reply after this is sent again. */
  isrProposalTimeoutMs: number;
  /** Pause before a new ISR proposal after the controller refused one. */
  isrRetryBackoffMs: number;
  /** Bounds: produces waiting for LEO/HW, coalescing queue bytes, parked fetches, fetch reads. */
  producesPendingMax: number;
  appendQueueBytesMax: number;
  fetchesParkedMax: number;
  readsInFlightMax: number;
  producerIdsMax: number;
  /** Read size of the recovery scan. */
  recoveryReadBytes: number;
}

export interface PartitionInput {
  nodeId: number;
  nodeEpoch: number;
  topic: string;
  topicId: string;
  partition: number;
  seed: number;
  nowMs: number;
  wallMs: number;
  state: PartitionState;
  configs: Partial<PartitionConfigs>;
  knobs: Partial<PartitionKnobs>;
  /** This replica's share of the node's reassignment throttle, while the partition is being moved. */
  throttle?: ReplicaThrottle;
}

interface Request { from: string; corr?: number; replyTo?: string }

/** produce: acks · timeoutMs · leaderEpoch? (the client's view) · batch (header + opaque records). */
export interface ProduceRequest extends Request {
  type: 'produce'; acks: 0 | 1 | -1; timeoutMs: number; leaderEpoch?: number; batch: BatchInput;
}
/** fetch: replicaId (-1 = consumer) · nodeEpoch? · fetchOffset · lastFetchedEpoch · leaderEpoch? · maxWaitMs · minBytes · bytesMax. */
export interface FetchRequest extends Request {
  type: 'fetch'; replicaId: number; nodeEpoch?: number; fetchOffset: number; lastFetchedEpoch: number;
  leaderEpoch?: number; maxWaitMs: number; minBytes: number; bytesMax: number;
}
/** listOffsets: timestamp (-2 earliest, -1 latest, t ≥ 0 by time) · leaderEpoch?. */
export interface ListOffsetsRequest extends Request { type: 'listOffsets'; timestamp: number; leaderEpoch?: number }

/** deleteRecords: move the log start to `offset` (leader only, offset ≤ HW). Reply `{ code, logStartOffset }`. */
export interface DeleteRecordsRequest extends Request { type: 'deleteRecords'; offset: number; leaderEpoch?: number }

/** Error replies of this actor; OFFSET_OUT_OF_RANGE also carries the leader's `leo`. */
export type PartitionErrorReply = ErrorReply & { leo?: number };

export type ProduceReply = { code: 'OK'; baseOffset: number; logStartOffset: number; logAppendTime?: number } | PartitionErrorReply;
export type FetchReply =
  | { code: 'OK'; hw: number; logStartOffset: number; leo?: number; batches: StoredBatch[] }
  | { code: 'OK'; divergingEpoch: { epoch: number; endOffset: number }; hw: number; logStartOffset: number }
  | PartitionErrorReply;
export type ListOffsetsReply = { code: 'OK'; offset: number; timestamp?: number } | PartitionErrorReply;
export type AlterPartitionReply = { code: 'OK'; partition: PartitionState } | PartitionErrorReply;
/** alterPartition (to the controller leader's node address): the leader's ISR proposal. */
export interface AlterPartitionRequest { topicId: string; partition: number; leaderId: number; leaderEpoch: number; partitionEpoch: number; isr: number[] }
/** resignLeadership (same address): a leader that abandoned its epoch asks for a new one, or another leader. */
export interface ResignLeadershipRequest { topicId: string; partition: number; leaderId: number; leaderEpoch: number }

/** What a replica takes, each stamped with the host's clock (Stamped): its time moves with every event. */
export type PartitionEvent = Stamped & (
  | RuntimeEvent
  | ProduceRequest
  | FetchRequest
  | ListOffsetsRequest
  | DeleteRecordsRequest
  | { type: 'fetchReply'; from: string; corr?: number; body: FetchReply }
  | { type: 'alterPartitionReply'; from: string; corr?: number; body: AlterPartitionReply }
  /** The controller's answer to resignLeadership; ignored: the new state arrives as metadataChanged. */
  | { type: 'resignLeadershipReply'; from: string; corr?: number; body: AlterPartitionReply }
  /**
   * From the node runtime when it applies a new partition state, or when the replica's share of
   * the reassignment throttle changes (no `throttle`: none).
   */
  | { type: 'metadataChanged'; state: PartitionState; configs?: Partial<PartitionConfigs>; throttle?: ReplicaThrottle }
  /** From the node runtime when another controller leader (or term) answers its heartbeats: a proposal sent to the old one may be lost. */
  | { type: 'controllerChanged' }
  /** From the node runtime: no heartbeat answered for a session (resign leadership), and answered again with the image caught up. */
  | { type: 'controllerUnreachable' }
  | { type: 'controllerReachable' });

/** The machine's states: the replica's role. */
export type Role = 'recovering' | 'leader' | 'follower';

/** Storage and network operations in flight, keyed by effect token. */
export type PendingOp =
  | { kind: 'recoveryMeta'; key: 'epochs' | 'hw' | 'logStart' | 'producers' }
  | { kind: 'recoveryBounds' }
  | { kind: 'recoveryRead' }
  /** `leaderEpoch` is the epoch the append was issued in: it may complete after the replica learned a newer one. */
  | { kind: 'append'; baseOffset: number; lastOffset: number; asLeader: boolean; leaderEpoch: number }
  | { kind: 'truncate'; offset: number }
  | { kind: 'epochs'; leaderEpoch: number | undefined }
  | { kind: 'hw'; hw: number }
  | { kind: 'logStart'; offset: number }
  | { kind: 'deleteBefore'; offset: number }
  /** `table` is the producer table the checkpoint writes (the next one is due only once the table is another). */
  | { kind: 'producers'; table: ProducerTable }
  | { kind: 'fetchRead'; request: FetchRequest; deadlineMs: number };

export interface Recovery {
  waiting: number;
  epochs: unknown;
  hw: unknown;
  logStart: unknown;
  producers: unknown;
  bounds: { first: number | undefined; lastOffset: number | undefined } | undefined;
  /** Next offset the scan reads from. */
  scanFrom: number;
  producersCoveredOffset: number;
}

/** A produce waiting in the purgatory (actors/partition/replication.ts) for the LEO or the HW to pass its batch. */
export interface ProduceWaiter {
  to: string;
  corr: number | undefined;
  baseOffset: number;
  lastOffset: number;
  /** 'leo' for acks=1, 'hw' for acks=all. */
  waitFor: 'leo' | 'hw';
  deadlineMs: number;
}

/** `heldBack`: parked by the reassignment throttle, not for want of data (it may be far behind). */
export interface ParkedFetch { request: FetchRequest; deadlineMs: number; heldBack?: true }

export interface LeaderState {
  leaderEpoch: number;
  /** The epoch cache entry for this epoch is durable: produce is accepted. */
  ready: boolean;
  epochStartOffset: number;
  /** Accepted batches waiting for the append in flight to finish (coalesced into one append). */
  queue: StoredBatch[];
  queueBytes: number;
  waiters: readonly ProduceWaiter[];
  parked: readonly ParkedFetch[];
  readsInFlight: number;
  followers: Map<number, FollowerProgress>;
  isr: IsrState;
  isrRetryAtMs: number;
  /** The HW the last tick saw, since when, and whether its stall was reported (actors/partition/watch.ts). */
  hwWatch: { hw: number; sinceMs: number; stalled: boolean };
}

export interface FollowerState {
  leaderId: number;
  leaderEpoch: number;
  /** The one outstanding fetch; replies with another corr are ignored. */
  fetch: { corr: number; deadlineMs: number } | undefined;
  /** No fetch before this (NOT_LEADER, fenced, out of range). */
  backoffUntilMs: number;
  leaderHw: number;
  /** The fetch offset of the last fetch sent (-1 before one): a fetch past it tells the leader of new progress. */
  lastFetchOffset: number;
  leaderLogStart: number;
}

export interface PartitionContext {
  nodeId: number;
  nodeEpoch: number;
  topic: string;
  topicId: string;
  partition: number;
  logName: string;
  metaPrefix: string;
  configs: PartitionConfigs;
  knobs: PartitionKnobs;
  state: PartitionState;
  nowMs: number;
  /** wallMs = nowMs + wallOffsetMs (retention compares batch timestamps with wall time). */
  wallOffsetMs: number;
  prng: number;
  logStart: number;
  hw: number;
  /** End of the stored log. */
  leo: number;
  /** End of the log including appends in flight: the next offset to assign. */
  leoPending: number;
  epochs: EpochEntry[];
  tail: TailCache;
  index: BatchIndex;
  producers: ProducerTable;
  nextToken: number;
  nextCorr: number;
  /** Storage operations in flight by token; replaced, never changed in place (actors/kit/ops.ts). */
  ops: ReadonlyMap<number, PendingOp>;
  /** Token of the append or truncate in flight: log writes are issued one at a time. */
  logWrite: number | undefined;
  recovery: Recovery | undefined;
  leader: LeaderState | undefined;
  follower: FollowerState | undefined;
  /**
   * An ISR proposal still in flight when leadership ended, with its epochs: a leader that leads
   * again in the same epochs (after a failed epoch or log-start write, or its controller session
   * coming back; a failed append abandons the epoch instead) keeps counting it, since the controller
   * may still accept it (roles.ts, becomeLeader).
   */
  isrInFlight: { leaderEpoch: number; partitionEpoch: number; isr: IsrState } | undefined;
  /** The node lost its controller session: lead nothing, even where the (possibly stale) state says so. */
  resigned: boolean;
  /**
   * The latest leader epoch this replica led and lost batches in that followers may hold (a failed
   * leader write, or batches accepted but never issued when it stepped down): parallel replication
   * serves batches before the leader stores them, so leading that epoch again would give their
   * offsets to other batches under the same epoch, which no divergence check can see. The replica
   * never leads it again and asks the controller for a new epoch instead (follower.ts). -1: none.
   */
  abandonedEpoch: number;
  hwCheckpoint: { hw: number; inFlight: boolean; atMs: number };
  /**
   * `persisted`: the producer table the last checkpoint wrote or recovery read back. The table is
   * copied on write (actors/kit/draft.ts), so while it is the same object nothing changed and an
   * idle replica writes no checkpoint; a periodic one cost a node with 10,000 idle replicas 2,000
   * writes a second (bench/RESULTS.md, "Fifteenth round").
   */
  producersCheckpoint: { inFlight: boolean; atMs: number; persisted: ProducerTable | undefined };
  retention: { nextCheckMs: number; inFlight: boolean };
  /** The reassignment throttle of this replica (actors/partition/throttle.ts); undefined when nothing is throttled. */
  throttle: ThrottleBucket | undefined;
}
