/** OffsetCommit (key 8): a member (or, while the group is empty, anyone) commits offsets. */
import { api, arr, f, message } from '../protocol/schema.js';

export const offsetCommit = api(
  message('OffsetCommitRequest', 8, '2-8', '8+', [
    f('groupId', 'string'),
    f('generationIdOrMemberEpoch', 'int32', '1+', { default: -1 }),
    f('memberId', 'string', '1+'),
    f('groupInstanceId', 'string', '7+', { nullable: '7+', default: null }),
    f('retentionTimeMs', 'int64', '2-4', { default: -1 }),
    arr('topics', '0+', [
      f('name', 'string'),
      arr('partitions', '0+', [
        f('partitionIndex', 'int32'), f('committedOffset', 'int64'),
        f('committedLeaderEpoch', 'int32', '6+', { default: -1 }),
        f('commitTimestamp', 'int64', '1', { default: -1 }),
        f('committedMetadata', 'string', '0+', { nullable: '0+' }),
      ]),
    ]),
  ]),
  message('OffsetCommitResponse', 8, '2-8', '8+', [
    f('throttleTimeMs', 'int32', '3+'),
    arr('topics', '0+', [f('name', 'string'), arr('partitions', '0+', [f('partitionIndex', 'int32'), f('errorCode', 'int16')])]),
  ]),
);
