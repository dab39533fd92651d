/**
 * Classic groups in DescribeGroup and ListGroups. Members of the `consumer` protocol type carry
 * Kafka's ConsumerProtocolAssignment (int16 version · [topic string · [int32 partition]] · user
 * data), which is read here so `brook groups describe` shows who owns what and the lag.
 */
import { assert } from '../assert.js';
import { reply, type Fx } from '../kit/fx.js';
import type { GroupState, MemberDescription, TopicPartitions } from './protocol.js';
import type { ClassicGroup, ClassicState } from './classic-types.js';
import type { CoordinatorContext, RequestOf } from './types.js';

/** Brook's state names (as for native groups) and Kafka's, which Kafka's DescribeGroups shows. */
const STATES: Record<ClassicState, { brook: GroupState; kafka: string }> = {
  empty: { brook: 'empty', kafka: 'Empty' },
  preparingRebalance: { brook: 'assigning', kafka: 'PreparingRebalance' },
  completingRebalance: { brook: 'reconciling', kafka: 'CompletingRebalance' },
  stable: { brook: 'stable', kafka: 'Stable' },
};

/** The partitions of a ConsumerProtocolAssignment, or none when the bytes are not one. */
export function consumerAssignment(bytes: Uint8Array): TopicPartitions[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 2; // version
  const out: TopicPartitions[] = [];
  try {
    const topics = view.getInt32(pos); pos += 4;
    if (topics < 0 || topics > bytes.byteLength) return [];
    for (let i = 0; i < topics; i++) {
      const length = view.getInt16(pos); pos += 2;
      if (length < 0 || pos + length > bytes.byteLength) return [];
      const topic = new TextDecoder().decode(bytes.subarray(pos, pos + length)); pos += length;
      const count = view.getInt32(pos); pos += 4;
      if (count < 0 || pos + count * 4 > bytes.byteLength) return [];
      const partitions: number[] = [];
      for (let p = 0; p < count; p++) { partitions.push(view.getInt32(pos)); pos += 4; }
      out.push({ topic, partitions });
    }
  } catch {
    return []; // RangeError: past the end.
  }
  return out;
}

export function onDescribeClassic(ctx: CoordinatorContext, fx: Fx, d: RequestOf<'describeGroup'>, group: ClassicGroup): void {
  assert(group.groupId === d.groupId, `group ${d.groupId} is kept under another id`);
  assert(group.state !== 'empty' || Object.keys(group.members).length === 0, `${group.groupId}: an empty group with members`);
  const members: Array<MemberDescription & { clientHost: string; metadata: Uint8Array; assignmentBytes: Uint8Array }> = Object.values(group.members)
    .sort((a, b) => a.joinedSeq - b.joinedSeq).map((m) => {
      const assignment = group.protocolType === 'consumer' ? consumerAssignment(m.assignment) : [];
      return { memberId: m.memberId, clientId: m.clientId, memberEpoch: group.generationId, clientHost: m.clientHost,
        ...(m.instanceId !== undefined ? { instanceId: m.instanceId } : {}),
        metadata: m.protocols.find((p) => p.name === group.protocolName)?.metadata ?? new Uint8Array(0), assignmentBytes: m.assignment,
        assignment, targetAssignment: assignment };
    });
  reply(fx, d, { code: 'OK', groupId: group.groupId, state: STATES[group.state].brook, groupEpoch: group.generationId, assignmentEpoch: group.generationId,
    assignor: group.protocolName, members, classic: { state: STATES[group.state].kafka, protocolType: group.protocolType, protocolName: group.protocolName } });
}

/** ListGroups entries of the classic groups with members. */
export function classicListings(ctx: CoordinatorContext): Array<{ groupId: string; state: GroupState; members: number }> {
  return Object.values(ctx.classic).map((g) => ({ groupId: g.groupId, state: STATES[g.state].brook, members: Object.keys(g.members).length }));
}
