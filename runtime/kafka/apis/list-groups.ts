/**
 * ListGroups and DescribeGroups. Each node lists the groups its own coordinators serve (Kafka
 * clients ask every broker and merge the answers); DescribeGroups asks each group's coordinator.
 * A classic group is shown as Kafka shows it (its protocol, each member's subscription and
 * assignment bytes); a Brook-native one with its assignor and each member's assignment encoded
 * as Kafka's ConsumerProtocolAssignment.
 */
import { coordinatorAddress } from '../../../actors/kit/addresses.js';
import { OFFSETS_TOPIC } from '../../../actors/coordinator/protocol.js';
import type { KafkaBroker } from '../broker.js';
import type { Handler } from '../handler.js';
import type { Message } from '../protocol/codec.js';
import { Writer } from '../protocol/writer.js';
import { groupError } from './coordinator-call.js';

const kafkaState = (state: string): string => state.charAt(0).toUpperCase() + state.slice(1);

async function groupsOfThisNode(broker: KafkaBroker): Promise<{ code: string; groups: Array<{ groupId: string; state: string }> }> {
  const image = broker.image();
  const offsets = image?.topics[OFFSETS_TOPIC];
  if (image === undefined) return { code: 'COORDINATOR_NOT_AVAILABLE', groups: [] };
  const mine = (offsets?.partitions ?? []).map((p, index) => ({ p, index })).filter(({ p }) => p.leader === broker.nodeId);
  const replies = await Promise.all(mine.map(({ index }) => broker.request(coordinatorAddress(index, broker.nodeId), 'listGroups', {})));
  const failed = replies.find((r) => r.code !== 'OK');
  const groups = replies.flatMap((r) => (r.code === 'OK' ? r['groups'] as Array<{ groupId: string; state: string }> : []));
  return { code: failed?.code ?? 'OK', groups };
}

export const handleListGroups: Handler = async (ctx, request) => {
  const { code, groups } = await groupsOfThisNode(ctx.broker);
  const filter = ((request['statesFilter'] as string[] | undefined) ?? []).map((s) => s.toLowerCase());
  return { throttleTimeMs: 0, errorCode: groupError(code),
    groups: groups.filter((g) => filter.length === 0 || filter.includes(g.state)).sort((a, b) => a.groupId.localeCompare(b.groupId))
      .map((g) => ({ groupId: g.groupId, protocolType: 'consumer', groupState: kafkaState(g.state), groupType: 'consumer' })) };
};

/** Kafka's ConsumerProtocolAssignment v0: int16 version · [topic · [partition]] · null user data. */
export function consumerAssignmentBytes(assignment: Array<{ topic: string; partitions: number[] }>): Buffer {
  const w = new Writer().int16(0).int32(assignment.length);
  for (const tp of assignment) {
    const name = Buffer.from(tp.topic);
    w.int16(name.byteLength).raw(name).int32(tp.partitions.length);
    for (const p of tp.partitions) w.int32(p);
  }
  return w.int32(-1).toBuffer();
}

interface Described {
  state: string; assignor: string;
  classic?: { state: string; protocolType: string; protocolName: string };
  members: Array<{ memberId: string; instanceId?: string; clientId: string; clientHost?: string; metadata?: Uint8Array; assignmentBytes?: Uint8Array;
    assignment: Array<{ topic: string; partitions: number[] }> }>;
}

async function describeOne(broker: KafkaBroker, groupId: string): Promise<Message> {
  const reply = await broker.adminCall((admin) => admin.groupRequest(groupId, 'describeGroup', { groupId }));
  const base = { groupId, errorMessage: null, authorizedOperations: -2147483648 };
  if (reply.code === 'GROUP_ID_NOT_FOUND') return { ...base, errorCode: 0, groupState: 'Dead', protocolType: '', protocolData: '', members: [] };
  if (reply.code !== 'OK') return { ...base, errorCode: groupError(reply.code), groupState: '', protocolType: '', protocolData: '', members: [] };
  const d = reply['result'] as Described;
  const classic = d.classic;
  return {
    ...base, errorCode: 0, groupState: classic?.state ?? kafkaState(d.state), protocolType: classic?.protocolType ?? 'consumer',
    protocolData: classic?.protocolName ?? d.assignor,
    members: d.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.instanceId ?? null, clientId: m.clientId, clientHost: m.clientHost ?? '',
      memberMetadata: m.metadata ?? Buffer.alloc(0), memberAssignment: m.assignmentBytes ?? consumerAssignmentBytes(m.assignment) })),
  };
}

export const handleDescribeGroups: Handler = async (ctx, request) => ({
  throttleTimeMs: 0, groups: await Promise.all((request['groups'] as string[]).map((g) => describeOne(ctx.broker, g))),
});
