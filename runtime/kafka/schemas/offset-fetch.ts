/** OffsetFetch (key 9): a group's committed offsets; v8 asks for several groups at once. */
import { api, arr, f, message } from '../protocol/schema.js';

const partitionFields = (v: string) => [
  f('partitionIndex', 'int32', v), f('committedOffset', 'int64', v),
  f('committedLeaderEpoch', 'int32', v === '0-7' ? '5-7' : v, { default: -1 }),
  f('metadata', 'string', v, { nullable: v }), f('errorCode', 'int16', v),
];

export const offsetFetch = api(
  message('OffsetFetchRequest', 9, '1-8', '6+', [
    f('groupId', 'string', '0-7'),
    arr('topics', '0-7', [f('name', 'string', '0-7'), f('partitionIndexes', '[]int32', '0-7')], { nullable: '2-7' }),
    arr('groups', '8+', [
      f('groupId', 'string', '8+'),
      arr('topics', '8+', [f('name', 'string', '8+'), f('partitionIndexes', '[]int32', '8+')], { nullable: '8+' }),
    ]),
    f('requireStable', 'bool', '7+'),
  ]),
  message('OffsetFetchResponse', 9, '1-8', '6+', [
    f('throttleTimeMs', 'int32', '3+'),
    arr('topics', '0-7', [f('name', 'string', '0-7'), arr('partitions', '0-7', partitionFields('0-7'))]),
    f('errorCode', 'int16', '2-7'),
    arr('groups', '8+', [
      f('groupId', 'string', '8+'),
      arr('topics', '8+', [f('name', 'string', '8+'), arr('partitions', '8+', partitionFields('8+'))]),
      f('errorCode', 'int16', '8+'),
    ]),
  ]),
);
