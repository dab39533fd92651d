/**
 * Produce: each partition's RecordBatch is validated here (record-batch.ts) and sent, as the SDK's
 * producer sends its batches, to the partition leader's produce address with the leader epoch the
 * image knows. Only the leader's own listener takes a batch: any other node answers
 * NOT_LEADER_OR_FOLLOWER, as Kafka does, because that answer is what makes a client with a stale
 * view refresh its metadata. The partition decides: offsets, idempotence (duplicates answered
 * with their first offsets, gaps refused), acks. acks=0 gets no response; a batch it cannot take
 * closes the connection instead, so the client refreshes its metadata (Kafka does the same).
 */
import { produceAddress } from '../../../actors/kit/addresses.js';
import { kafkaError, KAFKA } from '../errors.js';
import type { Handler } from '../handler.js';
import type { Message } from '../protocol/codec.js';
import { parseProducedBatch } from '../record-batch.js';
import { autoCreate } from './auto-create.js';

/** Beyond the request's own timeout, how long the listener waits for the partition's answer. */
const REPLY_SLACK_MS = 5000;

interface PartitionData { index: number; records: Buffer | null }
interface TopicData { name: string; partitionData: PartitionData[] }

export const handleProduce: Handler = async (ctx, request) => {
  const { broker } = ctx;
  const acks = request['acks'] as number;
  const timeoutMs = Math.max(1, Math.min(request['timeoutMs'] as number, 15 * 60 * 1000));
  const image = broker.image();
  const failedAcks0: string[] = [];
  const responses = await Promise.all((request['topicData'] as TopicData[]).map(async (topic) => ({
    name: topic.name,
    partitionResponses: await Promise.all(topic.partitionData.map(async (p): Promise<Message> => {
      const fail = (code: unknown, message?: string): Message => {
        failedAcks0.push(`${topic.name}/${p.index}: ${String(code)}`);
        return { index: p.index, errorCode: kafkaError(code), baseOffset: -1, errorMessage: message ?? null };
      };
      if (acks !== 0 && acks !== 1 && acks !== -1) return fail('INVALID_REQUIRED_ACKS');
      if (request['transactionalId'] !== null) return fail('INVALID_TXN_STATE', 'transactions are not supported');
      if (image === undefined) return fail('NOT_LEADER');
      const route = broker.route(image, topic.name, p.index);
      if (!route.ok) {
        const code = route.code === 'UNKNOWN_TOPIC_OR_PARTITION' && image.topics[topic.name] === undefined && broker.autoCreateTopics
          ? autoCreate(broker, image, topic.name) : route.code;
        return fail(code);
      }
      if (route.partition.leader !== broker.nodeId) return fail('NOT_LEADER', `node ${route.partition.leader} leads ${topic.name}/${p.index}`);
      if (p.records === null) return fail('CORRUPT_MESSAGE', 'no records');
      const parsed = parseProducedBatch(p.records);
      if (!parsed.ok) return fail(parsed.code, parsed.message);
      const to = produceAddress(topic.name, p.index, route.partition.leader);
      const body = { acks, timeoutMs, leaderEpoch: route.partition.leaderEpoch, batch: parsed.batch };
      if (acks === 0) { broker.send(to, 'produce', body); return { index: p.index, errorCode: 0, baseOffset: -1 }; }
      const reply = await broker.request(to, 'produce', body, timeoutMs + REPLY_SLACK_MS);
      if (reply.code !== 'OK') return fail(reply.code, typeof reply['message'] === 'string' ? reply['message'] : undefined);
      return { index: p.index, errorCode: KAFKA.NONE, baseOffset: reply['baseOffset'], logAppendTimeMs: -1,
        logStartOffset: reply['logStartOffset'] ?? -1 };
    })),
  })));
  if (acks === 0) {
    if (failedAcks0.length > 0) throw new Error(`acks=0 produce refused: ${failedAcks0.join(', ')}`);
    return undefined;
  }
  return { responses, throttleTimeMs: 0 };
};
