/** CreatePartitions (key 37): grow a topic to a new partition count. */
import { api, arr, f, message } from '../protocol/schema.js';

export const createPartitions = api(
  message('CreatePartitionsRequest', 37, '0-3', '2+', [
    arr('topics', '0+', [
      f('name', 'string'), f('count', 'int32'),
      arr('assignments', '0+', [f('brokerIds', '[]int32')], { nullable: '0+' }),
    ]),
    f('timeoutMs', 'int32'),
    f('validateOnly', 'bool'),
  ]),
  message('CreatePartitionsResponse', 37, '0-3', '2+', [
    f('throttleTimeMs', 'int32'),
    arr('results', '0+', [f('name', 'string'), f('errorCode', 'int16'), f('errorMessage', 'string', '0+', { nullable: '0+', default: null })]),
  ]),
);
