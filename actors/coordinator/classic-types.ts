/**
 * A classic group's state in the coordinator (not written to the log: after a coordinator moves,
 * classic members learn UNKNOWN_MEMBER_ID at their next heartbeat and join again, while their
 * committed offsets, which are written, stay). Kafka's states: Empty → PreparingRebalance (members
 * (re)join until all have or the rebalance timeout passes) → CompletingRebalance (the leader's
 * SyncGroup brings the assignments) → Stable; any membership change goes back to PreparingRebalance.
 */
import type { RequestHead } from '../kit/fx.js';
import type { JoinGroup } from './classic-protocol.js';

export type ClassicState = 'empty' | 'preparingRebalance' | 'completingRebalance' | 'stable';

/** A request whose reply waits (JoinGroup until the join phase ends, SyncGroup until the leader's). */
export type Pending = RequestHead;

/** A member: what its last JoinGroup said, and where it is in the rebalance. */
export interface ClassicMember extends Pick<JoinGroup, 'memberId' | 'instanceId' | 'clientId' | 'clientHost' | 'sessionTimeoutMs' | 'rebalanceTimeoutMs' | 'protocols'> {
  /** The leader's assignment for this member in the current generation. */
  assignment: Uint8Array;
  lastHeardMs: number;
  /** Order of arrival: the first member becomes leader when there is none. */
  joinedSeq: number;
  join?: Pending;
  sync?: Pending;
}

export interface ClassicGroup {
  groupId: string;
  state: ClassicState;
  protocolType: string;
  protocolName: string;
  generationId: number;
  leaderId: string;
  members: Readonly<Record<string, ClassicMember>>;
  /** PreparingRebalance: the join phase ends by then; CompletingRebalance: the leader's SyncGroup must have come. */
  deadlineMs: number;
  /** An empty group's first join waits this long for more members (Kafka's group.initial.rebalance.delay.ms). */
  initialDelayUntilMs: number;
  nextSeq: number;
}
