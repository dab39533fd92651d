/**
 * OffsetCommit: the coordinator's `offsetCommit`, as the SDK consumer sends it. The generation id
 * is the member epoch: a classic member commits with its generation, a consumer outside any group
 * (memberId '', generation -1) only while the group has no members, as Kafka allows.
 */
import { kafkaError } from '../errors.js';
import type { Handler } from '../handler.js';

interface TopicCommit { name: string; partitions: Array<{ partitionIndex: number; committedOffset: number; committedLeaderEpoch: number; committedMetadata: string | null }> }

export const handleOffsetCommit: Handler = async (ctx, request) => {
  const groupId = request['groupId'] as string;
  const topics = request['topics'] as TopicCommit[];
  const offsets = topics.flatMap((t) => t.partitions.map((p) => ({
    topic: t.name, partition: p.partitionIndex, offset: p.committedOffset,
    ...(p.committedLeaderEpoch >= 0 ? { leaderEpoch: p.committedLeaderEpoch } : {}),
    ...(p.committedMetadata !== null && p.committedMetadata !== '' ? { metadata: p.committedMetadata } : {}),
  })));
  const body = { groupId, memberId: request['memberId'], memberEpoch: request['generationIdOrMemberEpoch'], offsets,
    ...(request['groupInstanceId'] !== null ? { instanceId: request['groupInstanceId'] } : {}) };
  const reply = await ctx.broker.adminCall((admin) => admin.groupRequest(groupId, 'offsetCommit', body));
  const results = reply.code === 'OK' ? (reply['result'] as { results: Array<{ topic: string; partition: number; code: string }> }).results : [];
  const codeOf = (topic: string, partition: number): number => {
    if (reply.code !== 'OK') return kafkaError(reply.code);
    return kafkaError(results.find((r) => r.topic === topic && r.partition === partition)?.code ?? 'OK');
  };
  return {
    throttleTimeMs: 0,
    topics: topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: codeOf(t.name, p.partitionIndex) })) })),
  };
};
