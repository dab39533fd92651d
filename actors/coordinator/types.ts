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
   * A produce or fetch to its replica without a reply after this long is sent again, same corr:
   * the request or its reply can be lost, and waiting out the write timeout twice would stall every
   * group of the partition for seconds. A batch appended twice replays to the same state (nothing
   * else is written between the copies: one batch in flight); a fetch is idempotent.
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

/** The producer epoch of this life of the coordinator, and the sequence its next batch starts at. */
export interface ProducerStamp { epoch: number; nextSequence: number }

export interface Writes {
  /** `baseSequence`: the batch's place in the producer sequence, the same on every resend. */
  inFlight: { corr: number; deadlineMs: number; resendAtMs: number; batch: WriteBatch; baseSequence: number } | undefined;
  queue: readonly WriteBatch[];
  recordsSinceCheckpoint: number;
  /** First offset of the checkpoint being written. */
  checkpointStart: number | undefined;
}

export interface Load {
  step: 'barrier' | 'read' | 'wait';
  /**
   * The first barrier is a plain write (it only bounds the read); the second, written once the log
   * below the first is read, is sequence 0 of a producer epoch above every one read, and fences
   * every write left over from an earlier life (actors/coordinator/idempotence.ts).
   */
  fencing: boolean;
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
  /** Written when a coordinator starts loading: once it is acknowledged, the log up to it is final. */
  | { kind: 'barrier'; value: null };
