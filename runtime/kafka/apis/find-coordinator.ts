/**
 * FindCoordinator: the SDK's `findCoordinator` on the metadata address (the node creates
 * `__consumer_offsets` on first use and answers COORDINATOR_NOT_AVAILABLE meanwhile); the answer's
 * node is given with its Kafka listener. Only group keys: transaction coordinators do not exist.
 */
import { METADATA } from '../../../actors/kit/addresses.js';
import type { KafkaBroker } from '../broker.js';
import { kafkaError, KAFKA } from '../errors.js';
import type { Handler } from '../handler.js';
import type { Message } from '../protocol/codec.js';

const GROUP_KEY = 0;

async function lookup(broker: KafkaBroker, key: string, keyType: number): Promise<Message> {
  const none = { nodeId: -1, host: '', port: -1 };
  if (keyType !== GROUP_KEY) return { key, ...none, errorCode: KAFKA.INVALID_REQUEST, errorMessage: 'only group coordinators exist (no transactions)' };
  const reply = await broker.request(METADATA, 'findCoordinator', { groupId: key });
  if (reply.code !== 'OK') return { key, ...none, errorCode: kafkaError(reply.code), errorMessage: typeof reply['message'] === 'string' ? reply['message'] : null };
  const image = broker.image();
  const endpoint = image === undefined ? undefined : broker.endpointOf(image, reply['nodeId'] as number);
  if (endpoint === undefined) return { key, ...none, errorCode: KAFKA.COORDINATOR_NOT_AVAILABLE, errorMessage: `node ${String(reply['nodeId'])} has no Kafka listener` };
  return { key, nodeId: endpoint.nodeId, host: endpoint.host, port: endpoint.port, errorCode: 0, errorMessage: null };
}

export const handleFindCoordinator: Handler = async (ctx, request) => {
  const keyType = request['keyType'] as number;
  if (ctx.apiVersion >= 4) {
    const coordinators = await Promise.all((request['coordinatorKeys'] as string[]).map((key) => lookup(ctx.broker, key, keyType)));
    return { throttleTimeMs: 0, coordinators };
  }
  const found = await lookup(ctx.broker, request['key'] as string, keyType);
  return { throttleTimeMs: 0, ...found };
};
