/**
 * The consumer's state as a group member (KIP-848, actors/coordinator/protocol.ts). Every field
 * holding a collection is replaced, never changed in place, so the snapshot an event started from
 * stays intact; the member object itself is copied at the start of each step.
 */
import type { ErrorInfo, GroupNotice, TopicPartition, CommitOffset } from './values.js';

export type Subscription = { topics: string[] } | { regex: string };

/** A coordinator request the member keeps until it is answered, its deadline passes, or it is dropped. */
export type GroupOp =
  /** purpose: who waits for the answer (auto: nobody; revoke / close: the member's own next step). */
  | { kind: 'commit'; purpose: 'auto' | 'explicit' | 'revoke' | 'close'; requestId: number | undefined; offsets: CommitOffset[]; deadlineMs: number }
  /** The committed offsets of newly assigned partitions, to start fetching from. */
  | { kind: 'fetchAssigned'; partitions: TopicPartition[]; deadlineMs: number }
  /** The application's `committed(partitions)`. */
  | { kind: 'committed'; requestId: number; partitions: TopicPartition[]; deadlineMs: number };

/** A coordinator request on the wire: the op, and when to give up waiting for this attempt. */
export interface InFlight { op: GroupOp; replyByMs: number }

/** A revocation in progress: committing (autoCommit), then waiting for the application's acknowledgement. */
export interface Revocation {
  noticeId: number;
  partitions: Array<TopicPartition & { consumed: number | undefined }>;
  stage: 'committing' | 'notified';
}

export interface Closing { requestId: number; stage: 'committing' | 'leaving'; deadlineMs: number }

export interface GroupMember {
  groupId: string;
  instanceId: string | undefined;
  subscription: Subscription | undefined;
  /** The coordinator has the current subscription; false: the next heartbeat carries it. */
  subscriptionSent: boolean;
  /** The coordinator's address from findCoordinator; undefined: look it up. */
  coordinator: string | undefined;
  find: { corr: number; deadlineMs: number } | undefined;
  findRetryAtMs: number;
  findFailures: number;
  /** '' until the coordinator gives one. */
  memberId: string;
  /** 0: joining; > 0: a member. */
  memberEpoch: number;
  heartbeatIntervalMs: number;
  sessionTimeoutMs: number;
  heartbeat: { corr: number; sentAtMs: number; deadlineMs: number; epoch: number } | undefined;
  heartbeatAtMs: number;
  heartbeatFailures: number;
  /** What the member owns changed since the last heartbeat went out: send one now. */
  ownedChanged: boolean;
  /** When the last acknowledged heartbeat was sent: the session is alive until this + sessionTimeoutMs. */
  ackedAtMs: number;
  /** The latest assignment from the coordinator, keyed `topic/partition`; undefined before the first. */
  target: ReadonlyMap<string, TopicPartition> | undefined;
  /** Newly assigned partitions whose committed offsets are being fetched. */
  assigning: ReadonlySet<string>;
  revoking: Revocation | undefined;
  notices: readonly GroupNotice[];
  nextNoticeId: number;
  /** Requests waiting for a coordinator (or a retry time), and requests on the wire by corr. */
  queued: ReadonlyArray<{ op: GroupOp; sendAtMs: number; attempts: number }>;
  inFlight: ReadonlyMap<number, InFlight & { attempts: number }>;
  /** The last offset this member committed per partition, so an auto-commit skips unchanged ones. */
  committed: ReadonlyMap<string, number>;
  autoCommitAtMs: number;
  /** A group error the application must see (a refused subscription, an unreleased instance id). */
  fatal: ErrorInfo | undefined;
  closing: Closing | undefined;
}
