/** ListOffsets: the SDK's `listOffsets` to the partition leader's fetch address (-2 earliest, -1 latest, t ≥ 0 by time). */
import { fetchAddress } from '../../../actors/kit/addresses.js';
import { kafkaError } from '../errors.js';
import type { Handler } from '../handler.js';
import type { Message } from '../protocol/codec.js';

interface PartitionQuery { partitionIndex: number; currentLeaderEpoch: number; timestamp: number }

export const handleListOffsets: Handler = async (ctx, request) => {
  const { broker } = ctx;
  const image = broker.image();
  const topics = await Promise.all((request['topics'] as Array<{ name: string; partitions: PartitionQuery[] }>).map(async (topic) => ({
    name: topic.name,
    partitions: await Promise.all(topic.partitions.map(async (p): Promise<Message> => {
      const fail = (code: unknown): Message => ({ partitionIndex: p.partitionIndex, errorCode: kafkaError(code), timestamp: -1, offset: -1 });
      if (image === undefined) return fail('NOT_LEADER');
      const route = broker.route(image, topic.name, p.partitionIndex);
      if (!route.ok) return fail(route.code);
      const leaderEpoch = p.currentLeaderEpoch >= 0 ? p.currentLeaderEpoch : route.partition.leaderEpoch;
      const reply = await broker.request(fetchAddress(topic.name, p.partitionIndex, route.partition.leader), 'listOffsets', { timestamp: p.timestamp, leaderEpoch });
      if (reply.code !== 'OK') return fail(reply.code);
      const offset = reply['offset'] as number;
      const timestamp = typeof reply['timestamp'] === 'number' ? reply['timestamp'] : -1;
      return { partitionIndex: p.partitionIndex, errorCode: 0, timestamp: offset < 0 ? -1 : timestamp, offset, leaderEpoch: route.partition.leaderEpoch,
        oldStyleOffsets: offset < 0 ? [] : [offset] };
    })),
  })));
  return { throttleTimeMs: 0, topics };
};
