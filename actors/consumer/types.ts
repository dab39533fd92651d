/**
 * The consumer actor's messages, context and knobs. Re-exported by actors/consumer.ts (the public
 * surface); they live here so the pure helpers can import them without a cycle.
 */
import type { RuntimeEvent } from '../effects.js';
import type { ErrorCode } from '../errors.js';
import type { MetadataCache, MetadataPolicy } from '../client/metadata.js';
import type { FetchReplyEvent, ListOffsetsReplyEvent, MetadataReplyEvent } from '../client/messages.js';
import type { RecordHeader } from '../client/record-codec.js';
import type { GroupReplyEvent } from './group-messages.js';
import type { GroupMember } from './group-types.js';
import type { CommitOffset, ErrorInfo, GroupNotice, TopicPartition } from './values.js';

export type { CommitOffset, ErrorInfo, GroupNotice, TopicPartition } from './values.js';

export type OffsetReset = 'earliest' | 'latest' | 'none';

export interface ConsumerConfig {
  clientId: string;
  /** Long-poll wait the leader may hold a fetch for. */
  maxWaitMs: number;
  minBytes: number;
  /** Cap on one fetch response. */
  fetchBytesMax: number;
  /** Per partition: fetch size, and no new fetch while this much is buffered. */
  partitionBytesMax: number;
  autoOffsetReset: OffsetReset;
  /** No fetch on any partition while this much is buffered in total. */
  bufferBytesMax: number;
  /** Slack beyond maxWaitMs before a fetch (or listOffsets) without reply is retried. */
  requestTimeoutMs: number;
  metadataMaxAgeMs: number;
  retryBackoffMs: number;
  retryBackoffMaxMs: number;
  /** Set: the consumer may `subscribe` as a member of this group and commit offsets to it. */
  groupId?: string;
  /** A static member's id (KIP-345): it keeps its place across restarts within the session timeout. */
  groupInstanceId?: string;
  /** Commit the positions of delivered records every autoCommitIntervalMs, on revocation and on close. */
  autoCommit: boolean;
  autoCommitIntervalMs: number;
  assignor: 'uniform' | 'range';
  /** Assumed until the coordinator's first heartbeat reply says its own. */
  sessionTimeoutMs: number;
  /** How long the member may take to revoke partitions (Kafka's max.poll.interval.ms). */
  rebalanceTimeoutMs: number;
}

export type ConsumerInput = Partial<ConsumerConfig> & { clientId: string; seed: number; nowMs?: number };

/** Where to start: an offset, or the log start / the high watermark, resolved by listOffsets. */
export type OffsetSpec = number | 'earliest' | 'latest';

export type ConsumerCommand =
  | { type: 'assign'; requestId: number; partitions: Array<TopicPartition & { offset?: OffsetSpec }>; nowMs?: number }
  | { type: 'seek'; requestId: number; topic: string; partition: number; offset: OffsetSpec; nowMs?: number }
  | { type: 'pause'; requestId: number; partitions: TopicPartition[]; nowMs?: number }
  | { type: 'resume'; requestId: number; partitions: TopicPartition[]; nowMs?: number }
  | { type: 'poll'; requestId: number; maxRecords: number; timeoutMs?: number; nowMs?: number }
  | { type: 'close'; requestId: number; nowMs?: number }
  /** Group mode: a topic list or a regular expression's source (matched by the coordinator). */
  | { type: 'subscribe'; requestId: number; topics?: string[]; regex?: string; nowMs?: number }
  /** Without offsets: the positions of the records already delivered, for every owned partition. */
  | { type: 'commit'; requestId: number; offsets?: CommitOffset[]; nowMs?: number }
  | { type: 'committed'; requestId: number; partitions: TopicPartition[]; nowMs?: number }
  /** The application has run its revocation callback for notice `noticeId`. */
  | { type: 'ackRevoked'; requestId: number; noticeId: number; nowMs?: number };

/** A group coordinator checking that a silent member's inbox still exists (fail-fast: only "nobody listens" counts). */
export interface MemberProbe { type: 'memberProbe'; from: string; corr?: number; replyTo?: string }

export type ConsumerEvent = RuntimeEvent | ConsumerCommand | MetadataReplyEvent | FetchReplyEvent | ListOffsetsReplyEvent | GroupReplyEvent | MemberProbe;

export interface ConsumerRecord {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers: RecordHeader[];
}

/** poll → records (possibly none when its timeout passed) or a rebalance notice, or an error of one partition or of the group. */
export type PollResult =
  | { ok: true; records: ConsumerRecord[]; notice?: GroupNotice }
  | { ok: false; code: ErrorCode; message: string; topic?: string; partition?: number };
/** committed → the group's committed offset per partition (null: none). */
export type CommittedResult = { ok: true; offsets: Array<TopicPartition & { offset: number | null; metadata?: string }> } | { ok: false; code: ErrorCode; message: string };
/** assign, seek, pause, resume, close. */
export type CommandResult = { ok: true } | { ok: false; code: ErrorCode; message: string };

export interface PartitionFetch {
  topic: string;
  partition: number;
  /** The next offset to fetch; undefined while `resolve` is pending. */
  position: number | undefined;
  resolve: 'earliest' | 'latest' | undefined;
  paused: boolean;
  /** Stopped by an error until the application seeks. */
  halted: boolean;
  /** An error not yet handed to a poll. */
  error: ErrorInfo | undefined;
  /** The one outstanding request; `discard` when a seek made its answer useless. */
  /** `overdueAtMs`: when the request has waited longer than the leader may hold it (actors/client/leader-watch.ts). */
  request: { corr: number; kind: 'fetch' | 'listOffsets'; deadlineMs: number; discard: boolean; leaderId: number; leaderEpoch: number; overdueAtMs: number } | undefined;
  retryAtMs: number;
  /**
   * The leader (`node/epoch`, client/metadata.ts routeKey) that last answered a request itself.
   * Until the current leader has, requests go fail-fast, as the producer's do (producer/types.ts
   * PartitionQueue.heardFrom): a leader that does not listen yet costs a backoff, not requestTimeoutMs.
   */
  heardFrom: string | undefined;
  failures: number;
  /** The offset after the last record delivered to the application (what a commit records); undefined before any. */
  consumed: number | undefined;
  /** Group mode: `groupOwned` is reported once the start offset is known. */
  ownedReported: boolean;
  /** Fetched records not yet polled: buffer[head..]. */
  buffer: ConsumerRecord[];
  head: number;
  bufferedBytes: number;
}

export interface ConsumerContext {
  config: ConsumerConfig;
  metadataPolicy: MetadataPolicy;
  nowMs: number;
  prng: number;
  nextCorr: number;
  metadata: MetadataCache;
  /** `topic/partition` → fetch state, in assignment order. */
  partitions: Map<string, PartitionFetch>;
  /** Fetch / listOffsets corr → partition key. */
  corrs: Map<number, string>;
  bufferedBytes: number;
  poll: { requestId: number; maxRecords: number; deadlineMs: number } | undefined;
  /** Round-robin start for polls, so one busy partition cannot starve the others. */
  cursor: number;
  closed: boolean;
  /** No overdue-request metadata check before this. */
  leaderCheckAtMs: number;
  /** Set when the consumer was created with a groupId. */
  group: GroupMember | undefined;
}
