/** CreatePartitions: the SDK admin's createPartitions (manual assignments refused: Brook places replicas). */
import { kafkaError } from '../errors.js';
import type { Handler } from '../handler.js';
import type { Message } from '../protocol/codec.js';

export const handleCreatePartitions: Handler = async (ctx, request) => {
  const results = await Promise.all((request['topics'] as Array<{ name: string; count: number; assignments: unknown[] | null }>).map(async (t): Promise<Message> => {
    if (t.assignments !== null && t.assignments.length > 0) {
      return { name: t.name, errorCode: kafkaError('INVALID_REQUEST'), errorMessage: 'manual replica assignments are not supported: Brook places replicas' };
    }
    if (request['validateOnly'] === true) {
      const topic = ctx.broker.image()?.topics[t.name];
      if (topic === undefined) return { name: t.name, errorCode: kafkaError('UNKNOWN_TOPIC_OR_PARTITION'), errorMessage: null };
      const ok = t.count > topic.partitions.length;
      return { name: t.name, errorCode: kafkaError(ok ? 'OK' : 'INVALID_PARTITIONS'), errorMessage: ok ? null : `the topic has ${topic.partitions.length} partitions` };
    }
    const reply = await ctx.broker.adminCall((admin) => admin.createPartitions(t.name, t.count));
    if (reply.code === 'OK') await ctx.broker.awaitImage((image) => (image.topics[t.name]?.partitions.length ?? 0) >= t.count);
    return { name: t.name, errorCode: kafkaError(reply.code), errorMessage: typeof reply['message'] === 'string' ? reply['message'] : null };
  }));
  return { throttleTimeMs: 0, results };
};
