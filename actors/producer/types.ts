/**
 * The producer actor's messages, context and knobs. Re-exported by actors/producer.ts (the public
 * surface); they live here so the pure helpers can import them without a cycle.
 */
import type { IdMap } from '../kit/id-map.js';
import type { RuntimeEvent } from '../effects.js';
import type { ErrorCode } from '../errors.js';
import type { MetadataCache, MetadataPolicy } from '../client/metadata.js';
import type { InitProducerIdReplyEvent, MetadataReplyEvent, ProduceReplyEvent } from '../client/messages.js';
import type { RecordInput } from '../client/record-codec.js';
import type { StickyState } from '../client/sticky.js';
import type { Compression } from '../client/compression.js';

export interface ProducerConfig {
  clientId: string;
  /** 0 = no reply, 1 = the leader's write, -1 = all in-sync replicas. */
  acks: 0 | 1 | -1;
  lingerMs: number;
  /**
   * Linger only while the partition has a request outstanding: a batch whose partition has nothing
   * in flight or ready goes at once, so an idle producer pays one round trip, not lingerMs, and
   * batches still grow under load (while a request is out). Off by default, as in Kafka.
   */
  adaptiveLinger: boolean;
  /**
   * A batch is closed once adding a record would pass this estimate (one record may exceed it).
   * 64 KiB by default, not Kafka's 16 KiB: a Brook produce request carries one partition's batch,
   * not every partition a broker leads, so at 10 MB/s of 1 KiB records 16 KiB batches (625
   * requests/s with the sticky partitioner) saturate two cores, while 64 KiB batches close on the
   * linger (about 200 requests/s). bench/RESULTS.md, "Performance, quiet machine".
   */
  batchBytes: number;
  idempotent: boolean;
  /** Produce requests in flight per partition (≤ 5 with idempotence: the broker remembers 5 batches). */
  maxInFlight: number;
  requestTimeoutMs: number;
  /** Attempts per batch beyond the first. */
  retries: number;
  /** A record not acknowledged this long after `send` fails with its last error. */
  deliveryTimeoutMs: number;
  metadataMaxAgeMs: number;
  /** Bytes of records accepted and not yet settled; a send past it gets BUFFER_FULL. */
  bufferBytesMax: number;
  retryBackoffMs: number;
  retryBackoffMaxMs: number;
  /** Batch compression; undefined: the topic's compression.type ('producer' there: none). */
  compression?: Compression;
}

export type ProducerInput = Partial<ProducerConfig> & { clientId: string; seed: number; nowMs?: number; wallMs?: number };

/** A record in a `send` event; `timestamp` defaults to the actor's estimate of wall time. */
export type ProducerRecord = Omit<RecordInput, 'timestamp'> & { timestamp?: number };

/** Events from the local SDK (trusted: they never cross the network). `nowMs` keeps the actor's clock fresh. */
export type ProducerCommand =
  | { type: 'send'; requestId: number; topic: string; partition?: number; records: ProducerRecord[]; nowMs?: number }
  | { type: 'flush'; requestId: number; nowMs?: number }
  | { type: 'close'; requestId: number; nowMs?: number };

export type ProducerEvent = RuntimeEvent | ProducerCommand | MetadataReplyEvent | ProduceReplyEvent | InitProducerIdReplyEvent;

/** Delivered once per `send`: record i went to partitions[i] at offsets[i] (-1 with acks=0). */
export type SendResult =
  | { ok: true; partitions: number[]; offsets: number[] }
  | { ok: false; code: ErrorCode; message: string; topic?: string; partition?: number };
/** Delivered for `flush` and `close` once every earlier send is settled. */
export interface FlushResult { ok: true }

export interface ErrorInfo { code: ErrorCode; message: string }

/** A send's first failure, with the partition whose batch failed (named in the SDK's error). */
export interface SendError extends ErrorInfo { topic: string; partition: number }

/** One SDK `send` until every record is settled. */
export interface PendingSend {
  requestId: number;
  /** Arrival order: flush waits for every send that arrived before it. */
  arrival: number;
  topic: string;
  partition: number | undefined;
  records: ProducerRecord[];
  bytes: number;
  sinceMs: number;
  /** Still waiting for the topic's metadata (records not yet in batches). */
  waiting: boolean;
  partitions: number[];
  offsets: number[];
  unsettled: number;
  error: SendError | undefined;
}

/** A run of consecutive records of one send inside a batch. */
export interface Slice { arrival: number; first: number; count: number }

export interface Batch {
  id: number;
  topic: string;
  partition: number;
  records: RecordInput[];
  slices: Slice[];
  bytes: number;
  createdMs: number;
  deliveryDeadlineMs: number;
  /** Set when the batch is closed (encoded once, resent unchanged on retries). */
  /** `attributes`: Kafka's batch attributes, here the compression codec of `records` (actors/client/compression.ts). */
  encoded: { records: Uint8Array; firstTimestamp: number; maxTimestamp: number; attributes: number } | undefined;
  /** Idempotence triple, assigned at the first send (-1 when not idempotent or not yet sent). */
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  /** The batch's place among its queue's sequenced batches (-1 until sequenced): bounds the send window. */
  ordinal: number;
  attempts: number;
  corr: number | undefined;
  deadlineMs: number;
  /** When the attempt in flight left, and the leader (node and epoch) it was addressed to. */
  sentAtMs: number;
  sentLeaderId: number;
  sentLeaderEpoch: number;
  /** The attempt in flight left while an earlier batch of its queue was unanswered. */
  sentBehind: boolean;
  /** Refused behind a gap: it waits until every earlier batch of its queue is answered, then goes again. */
  holdBehind: boolean;
  lastError: ErrorInfo | undefined;
}

/** Per topic-partition: the open batch, closed batches waiting to go, and the ones in flight. */
export interface PartitionQueue {
  topic: string;
  partition: number;
  open: Batch | undefined;
  /** In sequence order; retried batches go back to the front. */
  ready: Batch[];
  /** In send order. */
  inFlight: Batch[];
  nextSequence: number;
  /** The ordinal the next sequenced batch gets; never reset. */
  nextOrdinal: number;
  /** The producer id of the last batch this partition's leader acknowledged (-1: none yet). */
  acknowledgedProducerId: number;
  /** The producer id of a batch of this partition that failed after being sent (-1: none): its later batches sit behind a gap. */
  gapProducerId: number;
  retryAtMs: number;
  failures: number;
  /**
   * The leader (`node/epoch`, sender.ts routeKey) that last answered an attempt itself, if any.
   * Until the current leader has, attempts go fail-fast: a replica the metadata names leader may
   * not listen yet (its node applies the change a moment later) and core NATS drops what nobody
   * hears, which would cost a whole requestTimeoutMs; "no responders" turns that into a retry.
   */
  heardFrom: string | undefined;
}

export interface ProducerIdState {
  status: 'none' | 'pending' | 'ready';
  producerId: number;
  producerEpoch: number;
  corr: number | undefined;
  deadlineMs: number;
  retryAtMs: number;
  failures: number;
}

export interface ProducerContext {
  config: ProducerConfig;
  metadataPolicy: MetadataPolicy;
  nowMs: number;
  wallOffsetMs: number;
  prng: number;
  nextCorr: number;
  nextBatchId: number;
  arrivals: number;
  metadata: MetadataCache;
  sticky: StickyState;
  pid: ProducerIdState;
  /** SDK sends by arrival (kit/id-map.ts: a backlog is not copied per step), so in arrival order. */
  sends: IdMap<PendingSend>;
  /** `topic/partition` → queue. */
  queues: Map<string, PartitionQueue>;
  /** Produce corr → queue key. */
  corrs: Map<number, string>;
  bufferedBytes: number;
  flushes: Array<{ requestId: number; arrival: number }>;
  closing: { requestId: number } | undefined;
  closed: boolean;
  /** No overdue-attempt metadata check before this (actors/producer/leader-watch.ts). */
  leaderCheckAtMs: number;
}
