/**
 * Produce (key 0): one RecordBatch per partition; no response at all for acks=0. Versions 0-2 are
 * advertised because librdkafka (before 2.11) compresses with gzip, snappy or lz4 only when the
 * broker's Produce range reaches down to 0; every client picks the highest version it shares
 * with the broker, and a batch must be RecordBatch v2 (magic 2) whatever the version.
 */
import { api, arr, f, message, struct } from '../protocol/schema.js';

export const produce = api(
  message('ProduceRequest', 0, '0-9', '9+', [
    f('transactionalId', 'string', '3+', { nullable: '3+', default: null }),
    f('acks', 'int16'),
    f('timeoutMs', 'int32'),
    arr('topicData', '0+', [
      f('name', 'string'),
      arr('partitionData', '0+', [f('index', 'int32'), f('records', 'records', '0+', { nullable: '0+' })]),
    ]),
  ]),
  message('ProduceResponse', 0, '0-9', '9+', [
    arr('responses', '0+', [
      f('name', 'string'),
      arr('partitionResponses', '0+', [
        f('index', 'int32'), f('errorCode', 'int16'), f('baseOffset', 'int64'),
        f('logAppendTimeMs', 'int64', '2+', { default: -1 }),
        f('logStartOffset', 'int64', '5+', { default: -1 }),
        arr('recordErrors', '8+', [f('batchIndex', 'int32'), f('batchIndexErrorMessage', 'string', '8+', { nullable: '8+', default: null })]),
        f('errorMessage', 'string', '8+', { nullable: '8+', default: null }),
        struct('currentLeader', '10+', [f('leaderId', 'int32', '10+', { default: -1 }), f('leaderEpoch', 'int32', '10+', { default: -1 })], { tag: 0 }),
      ]),
    ]),
    f('throttleTimeMs', 'int32', '1+'),
  ]),
);
