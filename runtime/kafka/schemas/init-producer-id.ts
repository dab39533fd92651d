/** InitProducerId (key 22): a producer id and epoch for an idempotent producer (no transactions). */
import { api, f, message } from '../protocol/schema.js';

export const initProducerId = api(
  message('InitProducerIdRequest', 22, '0-3', '2+', [
    f('transactionalId', 'string', '0+', { nullable: '0+' }),
    f('transactionTimeoutMs', 'int32'),
    f('producerId', 'int64', '3+', { default: -1 }),
    f('producerEpoch', 'int16', '3+', { default: -1 }),
  ]),
  message('InitProducerIdResponse', 22, '0-3', '2+', [
    f('throttleTimeMs', 'int32'), f('errorCode', 'int16'),
    f('producerId', 'int64', '0+', { default: -1 }), f('producerEpoch', 'int16'),
  ]),
);
