/**
 * The group coordinator's messages, context and knobs (one discriminated union of everything it
 * takes: member and admin requests from protocol.ts, events from the node runtime, replies from
 * its `__consumer_offsets` replica). Re-exported by actors/coordinator.ts, the public surface.
 */
import type { RuntimeEvent } from '../effects.js';
import type { Effect } from '../kit/fx.js';
import type { FetchReply, ProduceReply } from '../partition/types.js';
import type { CoordinatorRequests } from './protocol.js';
import type { ClassicGroup } from './classic-types.js';

export interface CoordinatorKnobs {
  tickMs: number;
  heartbeatIntervalMs: number;
  /** A member not heard from for this long is removed (and a static member that left, this long after it left). */
  sessionTimeoutMs: number;
  /** After this many appended records, the coordinator writes a checkpoint and trims the log before it. */
  checkpointEveryRecords: number;
  /** The produce timeout; a write or a load read without reply after it (plus slack) counts as failed. */
  writeTimeoutMs: number;
  /**
   * A produce or fetch to its replica without a reply after this long is sent again: the request
   * or its reply can be lost, and waiting out the write timeout twice would stall every group of
   * the partition for seconds. A resent batch carries its producer sequence, so the partition keeps
   * one copy (idempotence.ts); a fetch is idempotent.
   */
  resendMs: number;
  retryBackoffMs: number;
  groupMaxSize: number;
  /** Records are grouped into produce batches of at most this many (estimated) bytes. */
  batchBytesMax: number;
  fetchBytesMax: number;
  /** An empty classic group's first rebalance waits this long for more members (Kafka's group.initial.rebalance.delay.ms). */
  classicInitialRebalanceDelayMs: number;
}

export interface CoordinatorInput {
  /** The `__consumer_offsets` partition this coordinator serves. */
  partition: number;
  nodeId: number;
  /** The leader epoch of that partition this node leads in: every write carries it. */
  leaderEpoch: number;
  seed: number;
  nowMs: number;
  /** Wall-clock ms at spawn: batch timestamps (retention compares them with wall time). */
  wallMs?: number;
  /** How many coordinators of this partition the node spawned before in this leader epoch (0 unless it was spawned again). */
  life?: number;
  /** Topic name → partition count, from the node's metadata image. */
  topics?: Record<string, number>;
  knobs?: Partial<CoordinatorKnobs>;
}

/** Routing fields every inbound message carries after validation. */
export interface Head { from: string; corr?: number; replyTo?: string }

/**
 * A request as the machine sees it. `refusal` is set by the validator for content the protocol
 * answers with a typed group error (an empty group id, a bad regex, an unknown assignor).
 */
export type CoordinatorRequest = {
  [K in keyof CoordinatorRequests]: { type: K; refusal?: { code: string; message: string } } & Head & CoordinatorRequests[K]
}[keyof CoordinatorRequests];
export type RequestOf<K extends keyof CoordinatorRequests> = Extract<CoordinatorRequest, { type: K }>;

export type DeleteRecordsReply = { code: string; logStartOffset?: number; message?: string };

export type CoordinatorEvent =
  | CoordinatorRequest
  | RuntimeEvent
  /** From the node runtime: the topics of its metadata image changed. */
  | { type: 'topicsChanged'; topics: Record<string, number> }
  /** From the node runtime: this node no longer leads the partition (in this epoch). */
  | { type: 'leadershipLost' }
  | ({ type: 'produceReply'; body: ProduceReply } & Head)
  | ({ type: 'fetchReply'; body: FetchReply } & Head)
  | ({ type: 'deleteRecordsReply'; body: DeleteRecordsReply } & Head)
  /** The transport's answer to a fail-fast liveness probe of a member's inbox. */
  | ({ type: 'memberProbeReply'; code: string } & Head);

export type EventOf<K extends CoordinatorEvent['type']> = Extract<CoordinatorEvent, { type: K }>;

/** A partition as a set key: `topic:partition` (topic names never hold ':'). */
export type TpKey = string;

export interface Member {
  memberId: string;
  instanceId?: string;
  clientId: string;
  memberEpoch: number;
  /** The epoch before the last bump: a heartbeat still carrying it is accepted (its reply was lost). */
  previousEpoch: number;
  subscribedTopics?: string[];
  subscribedRegex?: string;
  rebalanceTimeoutMs: number;
  /** What the coordinator has told the member it may own, sorted; revoked partitions stay until it stops owning them. */
  assigned: TpKey[];
  // ---- not written: rebuilt on load ----
  /** Its client inbox (`from` of its heartbeats): where it is probed. '' until it heartbeats to this coordinator. */
  address: string;
  lastHeardMs: number;
  /**
   * Heard since the last tick. The coordinator's clock moves only on ticks, so what it hears between
   * two ticks carries the earlier tick's time; the next tick credits it with its own. Otherwise a
   * late tick (the node stalled, its timers with it, while messages were still handled) would count
   * the stall as silence and expire members heard moments ago, which still fetch their partitions.
   */
  heardSinceTick?: boolean;
  /** A static member that left with epoch -2: its place is kept until the session runs out. */
  staticLeftAtMs?: number;
  probe?: { corr: number; atMs: number };
}

export interface Group {
  groupId: string;
  groupEpoch: number;
  assignor: string;
  /** The group epoch the target assignment was computed for. */
  assignmentEpoch: number;
  target: Readonly<Record<string, readonly TpKey[]>>;
  members: Readonly<Record<string, Member>>;
  /** Recently removed member ids (not written): their commits get FENCED_MEMBER_EPOCH rather than UNKNOWN_MEMBER_ID. */
  removed: readonly string[];
}

export interface CommittedOffset { offset: number; metadata: string; commitMs: number }

/** What to do once a batch is acknowledged: the replies and reports it announces. */
export interface Outbox { replies: Array<{ head: Head & { type: string }; body: unknown }>; effects: Effect[] }

export interface WriteBatch { records: CoordRecord[]; bytes: number; outbox: Outbox; checkpoint?: 'first' | 'last' | 'only' | 'middle' }

/**
 * How the coordinator's writes are stamped (idempotence.ts): its producer id, the producer epoch of
 * its current load and the sequence its next batch starts at; `directUntil`: the last epoch this life
 * may fence with before reading the log (its own range of epochs).
 */
export interface ProducerStamp { producerId: number; epoch: number; nextSequence: number; directUntil: number }

/**
 * A batch in the pipeline: sequenced, sent, and not yet acknowledged together with every batch
 * before it. `corr` is the attempt on the wire (undefined: waiting to go again); an OK to any
 * attempt in `corrs` is the batch's, since every attempt carries the same producer sequence.
 */
export interface PipelinedWrite {
  batch: WriteBatch;
  /** The batch's place in the producer sequence, the same on every attempt. */
  baseSequence: number;
  corr: number | undefined;
  corrs: readonly number[];
  /** The attempt on the wire left while an earlier batch was unacknowledged. */
  sentBehind: boolean;
  /** Refused behind a gap: it goes again once every earlier batch is acknowledged. */
  holdBehind: boolean;
  resendAtMs: number;
  /** Unacknowledged past this, the write failed: the coordinator reloads. */
  deadlineMs: number;
  /** Acknowledged at this offset, waiting for the batches before it. */
  ackedOffset: number | undefined;
}

export interface Writes {
  /** In sequence order, at most PRODUCER_BATCHES_RETAINED (the partition keeps that many per producer to spot a resend). */
  pipeline: readonly PipelinedWrite[];
  queue: readonly WriteBatch[];
  /** After a retriable refusal nothing is sent again before this. */
  retryAtMs: number;
  /** Retriable refusals since the last acknowledgement (the backoff grows with them). */
  failures: number;
  recordsSinceCheckpoint: number;
  /** First offset of the checkpoint being written. */
  checkpointStart: number | undefined;
  /** Per member (memberKey): how many of its records are written but not acknowledged. */
  pendingMembers: Readonly<Record<string, number>>;
}

export interface Load {
  step: 'barrier' | 'read' | 'wait';
  /**
   * Whether the barrier is a fencing one: sequence 0 of a producer epoch above every earlier load's,
   * which shuts out every write those loads left in flight (idempotence.ts). A load starts with one
   * in the next epoch of its life's own range and reads up to it. It takes the long path when the
   * range is used up or the partition refuses the epoch: a plain barrier (which only bounds the
   * read), a read of the whole log, then a fencing barrier in an epoch above every one read.
   */
  fencing: boolean;
  /** On the long path: the fencing barrier's read goes on where the plain barrier's stopped. */
  fellBack: boolean;
  /** The highest producer epoch of the coordinator's own batches read so far. */
  producerEpochSeen: number;
  corr: number;
  deadlineMs: number;
  resendAtMs: number;
  /** The barrier's offset: everything before it is committed or gone. */
  endOffset: number;
  nextOffset: number;
  recordsRead: number;
}

export type Phase = 'loading' | 'serving' | 'fenced';

export interface CoordinatorContext {
  partition: number;
  nodeId: number;
  leaderEpoch: number;
  knobs: CoordinatorKnobs;
  phase: Phase;
  nowMs: number;
  wallOffsetMs: number;
  prng: number;
  nextCorr: number;
  produceTo: string;
  fetchFrom: string;
  /** Where the log is trimmed (deleteRecords): the replica's node-only address, so no client can send it. */
  trimAt: string;
  topics: Readonly<Record<string, number>>;
  groups: Readonly<Record<string, Group>>;
  offsets: Readonly<Record<string, Readonly<Record<TpKey, CommittedOffset>>>>;
  /** Classic-protocol groups (Kafka clients' JoinGroup/SyncGroup), kept in memory only (classic-types.ts). */
  classic: Readonly<Record<string, ClassicGroup>>;
  writes: Writes;
  load: Load | undefined;
  /** How its writes are made idempotent (actors/coordinator/idempotence.ts). */
  producer: ProducerStamp;
  /** A backoff before the next load attempt. */
  retryAtMs: number;
}

/** What the coordinator writes to its `__consumer_offsets` partition (encoded by records.ts); a null value deletes the key. */
export interface GroupValue { groupEpoch: number; assignor: string }
export interface MemberValue {
  memberEpoch: number; previousEpoch: number; instanceId?: string; clientId: string;
  subscribedTopics?: string[]; subscribedRegex?: string; rebalanceTimeoutMs: number; assigned: TpKey[];
}
export interface TargetValue { epoch: number; members: Record<string, TpKey[]> }

export type CoordRecord =
  | { kind: 'offset'; groupId: string; topic: string; partition: number; value: CommittedOffset | null }
  | { kind: 'group'; groupId: string; value: GroupValue | null }
  | { kind: 'member'; groupId: string; memberId: string; value: MemberValue | null }
  | { kind: 'target'; groupId: string; value: TargetValue | null }
  /** Written when a coordinator starts loading (once it is acknowledged, the log up to it is final) and at the head of a checkpoint. */
  | { kind: 'barrier'; value: null };
