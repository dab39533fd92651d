/** ListOffsets (key 2): earliest (-2), latest (-1) or the first offset at or after a timestamp. */
import { api, arr, f, message } from '../protocol/schema.js';

export const listOffsets = api(
  message('ListOffsetsRequest', 2, '1-6', '6+', [
    f('replicaId', 'int32'),
    f('isolationLevel', 'int8', '2+'),
    arr('topics', '0+', [
      f('name', 'string'),
      arr('partitions', '0+', [
        f('partitionIndex', 'int32'),
        f('currentLeaderEpoch', 'int32', '4+', { default: -1 }),
        f('timestamp', 'int64'),
        f('maxNumOffsets', 'int32', '0', { default: 1 }),
      ]),
    ]),
    f('timeoutMs', 'int32', '10+'),
  ]),
  message('ListOffsetsResponse', 2, '1-6', '6+', [
    f('throttleTimeMs', 'int32', '2+'),
    arr('topics', '0+', [
      f('name', 'string'),
      arr('partitions', '0+', [
        f('partitionIndex', 'int32'), f('errorCode', 'int16'),
        f('oldStyleOffsets', '[]int64', '0'),
        f('timestamp', 'int64', '1+', { default: -1 }),
        f('offset', 'int64', '1+', { default: -1 }),
        f('leaderEpoch', 'int32', '4+', { default: -1 }),
      ]),
    ]),
  ]),
);
