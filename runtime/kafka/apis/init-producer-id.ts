/**
 * InitProducerId for idempotent producers: the SDK producer's `initProducerId` to the controller
 * leader, which hands out ids from the metadata log's blocks. Every call gets a new id at epoch 0
 * (as a fresh producer id is valid wherever Kafka would bump the epoch of the old one).
 * Transactional ids are refused: Brook has no transaction coordinator.
 */
import { CONTROLLER_FOR_PRODUCERS } from '../../../actors/kit/addresses.js';
import { kafkaError, KAFKA } from '../errors.js';
import type { Handler } from '../handler.js';

export const handleInitProducerId: Handler = async (ctx, request) => {
  if (request['transactionalId'] !== null) {
    return { throttleTimeMs: 0, errorCode: KAFKA.INVALID_TXN_STATE, producerId: -1, producerEpoch: -1 };
  }
  const reply = await ctx.broker.adminCall((admin) => admin.request(CONTROLLER_FOR_PRODUCERS, 'initProducerId', {}));
  if (reply.code !== 'OK') return { throttleTimeMs: 0, errorCode: kafkaError(reply.code), producerId: -1, producerEpoch: -1 };
  const result = reply['result'] as { producerId: number; producerEpoch: number };
  return { throttleTimeMs: 0, errorCode: 0, producerId: result.producerId, producerEpoch: result.producerEpoch };
};
