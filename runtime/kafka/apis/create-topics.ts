/**
 * CreateTopics: the SDK admin's createTopic, sent to the controller leader. -1 partitions or
 * replication factor take the defaults (1 partition; replication factor min(3, live nodes), as for
 * auto-created topics). Manual replica assignments are refused (INVALID_REQUEST): Brook places
 * replicas itself. validateOnly checks only what can be checked without the controller.
 */
import { unfencedNodeIds } from '../../../actors/metadata/image.js';
import { checkTopicName } from '../../../actors/metadata/topic-rules.js';
import { kafkaError } from '../errors.js';
import type { Handler } from '../handler.js';
import type { Message } from '../protocol/codec.js';

interface TopicSpec {
  name: string; numPartitions: number; replicationFactor: number;
  assignments: unknown[]; configs: Array<{ name: string; value: string | null }>;
}

export const handleCreateTopics: Handler = async (ctx, request) => {
  const { broker } = ctx;
  const image = broker.image();
  const live = image === undefined ? 1 : Math.max(1, unfencedNodeIds(image).length);
  const topics = await Promise.all((request['topics'] as TopicSpec[]).map(async (t): Promise<Message> => {
    const answer = (code: unknown, message: string | null = null, extra: Message = {}): Message =>
      ({ name: t.name, errorCode: kafkaError(code), errorMessage: message, numPartitions: -1, replicationFactor: -1, configs: null, ...extra });
    if (t.assignments.length > 0) return answer('INVALID_REQUEST', 'manual replica assignments are not supported: Brook places replicas');
    const partitions = t.numPartitions === -1 ? broker.autoCreatePartitions : t.numPartitions;
    const replicationFactor = t.replicationFactor === -1 ? Math.min(3, live) : t.replicationFactor;
    const configs: Record<string, string> = {};
    for (const c of t.configs) if (c.value !== null) configs[c.name] = c.value;
    if (request['validateOnly'] === true) {
      const invalid = checkTopicName(t.name);
      return invalid === undefined ? answer('OK', null, { numPartitions: partitions, replicationFactor }) : answer(invalid.code, invalid.message ?? null);
    }
    const reply = await broker.adminCall((admin) => admin.createTopic(t.name, { partitions, replicationFactor, configs }));
    if (reply.code !== 'OK') return answer(reply.code, typeof reply['message'] === 'string' ? reply['message'] : null);
    await broker.awaitImage((image) => image.topics[t.name]?.partitions.length === partitions);
    const topicId = String((reply['result'] as { topicId: string }).topicId).replace(/-/g, '');
    return answer('OK', null, { numPartitions: partitions, replicationFactor, topicId: /^[0-9a-f]{32}$/.test(topicId) ? topicId : undefined });
  }));
  return { throttleTimeMs: 0, topics };
};
