/** DeleteTopics: the SDK admin's deleteTopic per name (v6 entries without a name are refused: Brook deletes by name). */
import { kafkaError } from '../errors.js';
import type { Handler } from '../handler.js';
import type { Message } from '../protocol/codec.js';

export const handleDeleteTopics: Handler = async (ctx, request) => {
  const names: Array<string | null> = ctx.apiVersion >= 6
    ? (request['topics'] as Array<{ name: string | null }>).map((t) => t.name)
    : request['topicNames'] as string[];
  const responses = await Promise.all(names.map(async (name): Promise<Message> => {
    if (name === null) return { name, errorCode: kafkaError('UNKNOWN_TOPIC_OR_PARTITION'), errorMessage: 'topics are deleted by name' };
    const reply = await ctx.broker.adminCall((admin) => admin.deleteTopic(name));
    if (reply.code === 'OK') await ctx.broker.awaitImage((image) => image.topics[name] === undefined);
    return { name, errorCode: kafkaError(reply.code), errorMessage: typeof reply['message'] === 'string' ? reply['message'] : null };
  }));
  return { throttleTimeMs: 0, responses };
};
