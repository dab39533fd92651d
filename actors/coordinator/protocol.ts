/**
 * The consumer-group protocol between members (the SDK's consumer actor, the admin client) and a
 * group coordinator (DESIGN.md section 7; Kafka's KIP-848 ConsumerGroupHeartbeat, OffsetCommit,
 * OffsetFetch and the group admin APIs). One coordinator actor serves every group whose
 * `__consumer_offsets` partition (`groupPartition`) its node leads, at `coordinatorAddress(p, node)`.
 *
 * Every reply is `{ code: 'OK', … }` or an ErrorReply with Kafka's code: NOT_COORDINATOR (this actor
 * does not, or no longer, serve the group: look it up again), COORDINATOR_LOAD_IN_PROGRESS (still
 * rebuilding from the log: retry), UNKNOWN_MEMBER_ID, FENCED_MEMBER_EPOCH (the member must rejoin
 * with epoch 0), STALE_MEMBER_EPOCH (a commit with an older epoch than the member's), GROUP_ID_NOT_FOUND,
 * NON_EMPTY_GROUP, INVALID_REQUEST, UNRELEASED_INSTANCE_ID, GROUP_MAX_SIZE_REACHED, UNSUPPORTED_ASSIGNOR,
 * INVALID_REGULAR_EXPRESSION, COORDINATOR_NOT_AVAILABLE (a write to the log failed: retry).
 */

import { murmur2, toPositive } from '../client/murmur2.js';
import type { ClassicHeartbeat, JoinGroup, LeaveGroup, SyncGroup } from './classic-protocol.js';

/** The `__consumer_offsets` partition of a group: murmur2 of its UTF-8 id, as Brook's key partitioner (not Kafka's Java hashCode). */
export function groupPartition(groupId: string, partitionCount: number): number {
  return toPositive(murmur2(new TextEncoder().encode(groupId))) % partitionCount;
}

export interface TopicPartitions { topic: string; partitions: number[] }

/** Member epoch sent in a heartbeat: 0 joins, -1 leaves, -2 leaves keeping a static member's place. */
export const JOIN_EPOCH = 0;
export const LEAVE_EPOCH = -1;
export const STATIC_LEAVE_EPOCH = -2;

export interface GroupHeartbeat {
  groupId: string;
  /** '' when joining (the coordinator gives one). */
  memberId: string;
  memberEpoch: number;
  instanceId?: string;
  /** Sent when joining and when it changes; absent means unchanged. Exactly one of the two. */
  subscribedTopics?: string[];
  subscribedRegex?: string;
  /** 'uniform' (default) or 'range'. */
  assignor?: string;
  /** What the member owns now: fetching it, or done revoking it is not yet reported. */
  ownedPartitions: TopicPartitions[];
  rebalanceTimeoutMs: number;
  clientId: string;
}
export type GroupHeartbeatReply =
  | { code: 'OK'; memberId: string; memberEpoch: number; heartbeatIntervalMs: number; sessionTimeoutMs: number;
      /** The member's assignment at memberEpoch: what it may own. Absent: unchanged. */
      assignment?: TopicPartitions[] }
  | ErrorBody;

export interface OffsetCommitEntry { topic: string; partition: number; offset: number; leaderEpoch?: number; metadata?: string }
export interface OffsetCommit {
  groupId: string;
  /** '' and epoch -1 for a commit from outside the group protocol (admin; only while the group is empty). */
  memberId: string;
  memberEpoch: number;
  offsets: OffsetCommitEntry[];
}
export type OffsetCommitReply = { code: 'OK'; results: Array<{ topic: string; partition: number; code: string }> } | ErrorBody;

export interface OffsetFetch { groupId: string; /** Absent: every committed partition of the group. */ partitions?: TopicPartitions[] }
export type OffsetFetchReply = { code: 'OK'; offsets: Array<{ topic: string; partition: number; offset: number; metadata?: string }> } | ErrorBody;

export interface ListGroups { /** Absent: every state. */ states?: GroupState[] }
export type ListGroupsReply = { code: 'OK'; groups: Array<{ groupId: string; state: GroupState; members: number }> } | ErrorBody;

export interface DescribeGroup { groupId: string }
export interface MemberDescription {
  memberId: string; instanceId?: string; clientId: string; memberEpoch: number;
  subscribedTopics?: string[]; subscribedRegex?: string;
  assignment: TopicPartitions[]; targetAssignment: TopicPartitions[];
}
export type DescribeGroupReply =
  | { code: 'OK'; groupId: string; state: GroupState; groupEpoch: number; assignmentEpoch: number; assignor: string; members: MemberDescription[] }
  | ErrorBody;

export interface DeleteGroup { groupId: string }
export type DeleteGroupReply = { code: 'OK' } | ErrorBody;
export interface DeleteGroupOffsets { groupId: string; topic: string }
export type DeleteGroupOffsetsReply = { code: 'OK' } | ErrorBody;

/** Kafka's consumer group states for the KIP-848 protocol. */
export type GroupState = 'empty' | 'assigning' | 'reconciling' | 'stable' | 'dead';

export interface ErrorBody { code: string; message?: string }

/** Request type → its body, as sent in an envelope to a coordinator. The reply's type is `<type>Reply`. */
export interface CoordinatorRequests {
  groupHeartbeat: GroupHeartbeat;
  offsetCommit: OffsetCommit;
  offsetFetch: OffsetFetch;
  listGroups: ListGroups;
  describeGroup: DescribeGroup;
  deleteGroup: DeleteGroup;
  deleteGroupOffsets: DeleteGroupOffsets;
  /** The classic group protocol (classic-protocol.ts). */
  joinGroup: JoinGroup;
  syncGroup: SyncGroup;
  classicHeartbeat: ClassicHeartbeat;
  leaveGroup: LeaveGroup;
}

/** Sent to `METADATA` (any node): which coordinator serves a group. The node creates `__consumer_offsets` on first use. */
export interface FindCoordinator { groupId: string }
export type FindCoordinatorReply = { code: 'OK'; partition: number; nodeId: number; leaderEpoch: number; address: string } | ErrorBody;

export const OFFSETS_TOPIC = '__consumer_offsets';
export const OFFSETS_TOPIC_PARTITIONS_DEFAULT = 50;
