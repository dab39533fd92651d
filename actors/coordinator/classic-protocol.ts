/**
 * The classic group protocol (Kafka's JoinGroup, SyncGroup, Heartbeat and LeaveGroup) as messages
 * to a group coordinator. The Kafka listener translates Kafka clients' requests into these; the
 * coordinator runs the rebalance (actors/coordinator/classic.ts). Protocol metadata and
 * assignments are opaque bytes chosen by the members: the group leader assigns.
 *
 * Replies are `{ code: 'OK', … }` or `{ code, message }` with Kafka's codes, among them
 * UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION, REBALANCE_IN_PROGRESS, INCONSISTENT_GROUP_PROTOCOL (the
 * group is Brook-native, or the members share no protocol), INVALID_SESSION_TIMEOUT.
 */

/** A refusal (protocol.ts has the same shape; kept apart so the two message files do not import each other). */
type ErrorBody = { code: string; message?: string };

export interface ProtocolMetadata { name: string; metadata: Uint8Array }

export interface JoinGroup {
  groupId: string;
  /** '' for a member joining for the first time (the coordinator gives one). */
  memberId: string;
  instanceId?: string;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: ProtocolMetadata[];
}
export type JoinGroupReply =
  | { code: 'OK'; generationId: number; protocolType: string; protocolName: string; leader: string; memberId: string;
      /** Every member's metadata for the chosen protocol: for the leader only. */
      members: Array<{ memberId: string; instanceId?: string; metadata: Uint8Array }> }
  | (ErrorBody & { memberId?: string });

export interface SyncGroup {
  groupId: string;
  generationId: number;
  memberId: string;
  instanceId?: string;
  protocolType?: string;
  protocolName?: string;
  /** From the leader: every member's assignment. */
  assignments: Array<{ memberId: string; assignment: Uint8Array }>;
}
export type SyncGroupReply = { code: 'OK'; protocolType: string; protocolName: string; assignment: Uint8Array } | ErrorBody;

export interface ClassicHeartbeat { groupId: string; generationId: number; memberId: string; instanceId?: string }
export type ClassicHeartbeatReply = { code: 'OK' } | ErrorBody;

export interface LeaveGroup { groupId: string; members: Array<{ memberId: string; instanceId?: string }> }
export type LeaveGroupReply = { code: 'OK'; members: Array<{ memberId: string; instanceId?: string; code: string }> } | ErrorBody;

/** Kafka's group.min/max.session.timeout.ms. */
export const CLASSIC_SESSION_TIMEOUT_MIN_MS = 6000;
export const CLASSIC_SESSION_TIMEOUT_MAX_MS = 1_800_000;
