/** CreateTopics (key 19): sent by clients to the controller; any Brook node forwards it. */
import { api, arr, f, message } from '../protocol/schema.js';

export const createTopics = api(
  message('CreateTopicsRequest', 19, '2-7', '5+', [
    arr('topics', '0+', [
      f('name', 'string'), f('numPartitions', 'int32'), f('replicationFactor', 'int16'),
      arr('assignments', '0+', [f('partitionIndex', 'int32'), f('brokerIds', '[]int32')]),
      arr('configs', '0+', [f('name', 'string'), f('value', 'string', '0+', { nullable: '0+' })]),
    ]),
    f('timeoutMs', 'int32'),
    f('validateOnly', 'bool', '1+'),
  ]),
  message('CreateTopicsResponse', 19, '2-7', '5+', [
    f('throttleTimeMs', 'int32', '2+'),
    arr('topics', '0+', [
      f('name', 'string'),
      f('topicId', 'uuid', '7+'),
      f('errorCode', 'int16'),
      f('errorMessage', 'string', '1+', { nullable: '0+', default: null }),
      f('topicConfigErrorCode', 'int16', '5+', { tag: 0 }),
      f('numPartitions', 'int32', '5+', { default: -1 }),
      f('replicationFactor', 'int16', '5+', { default: -1 }),
      arr('configs', '5+', [
        f('name', 'string', '5+'), f('value', 'string', '5+', { nullable: '5+' }), f('readOnly', 'bool', '5+'),
        f('configSource', 'int8', '5+', { default: -1 }), f('isSensitive', 'bool', '5+'),
      ], { nullable: '5+' }),
    ]),
  ]),
);
