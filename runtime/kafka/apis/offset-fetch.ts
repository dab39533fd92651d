/** OffsetFetch: the coordinator's `offsetFetch`; a partition without a committed offset answers -1. */
import type { KafkaBroker } from '../broker.js';
import { kafkaError } from '../errors.js';
import type { Handler } from '../handler.js';
import type { Message } from '../protocol/codec.js';

interface TopicQuery { name: string; partitionIndexes: number[] }
interface Committed { topic: string; partition: number; offset: number; leaderEpoch?: number; metadata?: string }

async function fetchGroup(broker: KafkaBroker, groupId: string, topics: TopicQuery[] | null): Promise<{ errorCode: number; topics: Message[] }> {
  const body = topics === null ? { groupId } : { groupId, partitions: topics.map((t) => ({ topic: t.name, partitions: t.partitionIndexes })) };
  const reply = await broker.adminCall((admin) => admin.groupRequest(groupId, 'offsetFetch', body));
  if (reply.code !== 'OK') return { errorCode: kafkaError(reply.code), topics: [] };
  const committed = (reply['result'] as { offsets: Committed[] }).offsets.filter((o) => o.offset >= 0);
  const entry = (o: Committed | undefined, partition: number): Message => ({
    partitionIndex: partition, committedOffset: o?.offset ?? -1, committedLeaderEpoch: o?.leaderEpoch ?? -1, metadata: o?.metadata ?? '', errorCode: 0,
  });
  if (topics === null) {
    const names = [...new Set(committed.map((o) => o.topic))].sort();
    return { errorCode: 0, topics: names.map((name) => ({ name, partitions: committed.filter((o) => o.topic === name).map((o) => entry(o, o.partition)) })) };
  }
  return { errorCode: 0, topics: topics.map((t) => ({
    name: t.name, partitions: t.partitionIndexes.map((p) => entry(committed.find((o) => o.topic === t.name && o.partition === p), p)),
  })) };
}

export const handleOffsetFetch: Handler = async (ctx, request) => {
  if (ctx.apiVersion >= 8) {
    const groups = await Promise.all((request['groups'] as Array<{ groupId: string; topics: TopicQuery[] | null }>).map(async (g) => ({
      groupId: g.groupId, ...(await fetchGroup(ctx.broker, g.groupId, g.topics)),
    })));
    return { throttleTimeMs: 0, groups };
  }
  const result = await fetchGroup(ctx.broker, request['groupId'] as string, request['topics'] as TopicQuery[] | null);
  return { throttleTimeMs: 0, ...result };
};
