/**
 * The classic group protocol: JoinGroup (11), SyncGroup (14), Heartbeat (12), LeaveGroup (13), and
 * the group admin APIs ListGroups (16) and DescribeGroups (15).
 */
import { api, arr, f, message } from '../protocol/schema.js';

export const joinGroup = api(
  message('JoinGroupRequest', 11, '0-6', '6+', [
    f('groupId', 'string'), f('sessionTimeoutMs', 'int32'),
    f('rebalanceTimeoutMs', 'int32', '1+', { default: -1 }),
    f('memberId', 'string'),
    f('groupInstanceId', 'string', '5+', { nullable: '5+', default: null }),
    f('protocolType', 'string'),
    arr('protocols', '0+', [f('name', 'string'), f('metadata', 'bytes')]),
    f('reason', 'string', '8+', { nullable: '8+', default: null }),
  ]),
  message('JoinGroupResponse', 11, '0-6', '6+', [
    f('throttleTimeMs', 'int32', '2+'), f('errorCode', 'int16'),
    f('generationId', 'int32', '0+', { default: -1 }),
    f('protocolType', 'string', '7+', { nullable: '7+', default: null }),
    f('protocolName', 'string', '0+', { nullable: '7+' }),
    f('leader', 'string'),
    f('skipAssignment', 'bool', '9+'),
    f('memberId', 'string'),
    arr('members', '0+', [f('memberId', 'string'), f('groupInstanceId', 'string', '5+', { nullable: '5+', default: null }), f('metadata', 'bytes')]),
  ]),
);

export const syncGroup = api(
  message('SyncGroupRequest', 14, '0-4', '4+', [
    f('groupId', 'string'), f('generationId', 'int32'), f('memberId', 'string'),
    f('groupInstanceId', 'string', '3+', { nullable: '3+', default: null }),
    f('protocolType', 'string', '5+', { nullable: '5+', default: null }),
    f('protocolName', 'string', '5+', { nullable: '5+', default: null }),
    arr('assignments', '0+', [f('memberId', 'string'), f('assignment', 'bytes')]),
  ]),
  message('SyncGroupResponse', 14, '0-4', '4+', [
    f('throttleTimeMs', 'int32', '1+'), f('errorCode', 'int16'),
    f('protocolType', 'string', '5+', { nullable: '5+', default: null }),
    f('protocolName', 'string', '5+', { nullable: '5+', default: null }),
    f('assignment', 'bytes'),
  ]),
);

export const heartbeat = api(
  message('HeartbeatRequest', 12, '0-4', '4+', [
    f('groupId', 'string'), f('generationId', 'int32'), f('memberId', 'string'),
    f('groupInstanceId', 'string', '3+', { nullable: '3+', default: null }),
  ]),
  message('HeartbeatResponse', 12, '0-4', '4+', [f('throttleTimeMs', 'int32', '1+'), f('errorCode', 'int16')]),
);

export const leaveGroup = api(
  message('LeaveGroupRequest', 13, '0-4', '4+', [
    f('groupId', 'string'),
    f('memberId', 'string', '0-2'),
    arr('members', '3+', [
      f('memberId', 'string', '3+'), f('groupInstanceId', 'string', '3+', { nullable: '3+', default: null }),
      f('reason', 'string', '5+', { nullable: '5+', default: null }),
    ]),
  ]),
  message('LeaveGroupResponse', 13, '0-4', '4+', [
    f('throttleTimeMs', 'int32', '1+'), f('errorCode', 'int16'),
    arr('members', '3+', [f('memberId', 'string', '3+'), f('groupInstanceId', 'string', '3+', { nullable: '3+', default: null }), f('errorCode', 'int16', '3+')]),
  ]),
);

export const listGroups = api(
  message('ListGroupsRequest', 16, '0-4', '3+', [f('statesFilter', '[]string', '4+'), f('typesFilter', '[]string', '5+')]),
  message('ListGroupsResponse', 16, '0-4', '3+', [
    f('throttleTimeMs', 'int32', '1+'), f('errorCode', 'int16'),
    arr('groups', '0+', [f('groupId', 'string'), f('protocolType', 'string'), f('groupState', 'string', '4+'), f('groupType', 'string', '5+')]),
  ]),
);

export const describeGroups = api(
  message('DescribeGroupsRequest', 15, '0-5', '5+', [f('groups', '[]string'), f('includeAuthorizedOperations', 'bool', '3+')]),
  message('DescribeGroupsResponse', 15, '0-5', '5+', [
    f('throttleTimeMs', 'int32', '1+'),
    arr('groups', '0+', [
      f('errorCode', 'int16'),
      f('errorMessage', 'string', '6+', { nullable: '6+', default: null }),
      f('groupId', 'string'), f('groupState', 'string'), f('protocolType', 'string'), f('protocolData', 'string'),
      arr('members', '0+', [
        f('memberId', 'string'), f('groupInstanceId', 'string', '4+', { nullable: '4+', default: null }),
        f('clientId', 'string'), f('clientHost', 'string'), f('memberMetadata', 'bytes'), f('memberAssignment', 'bytes'),
      ]),
      f('authorizedOperations', 'int32', '3+', { default: -2147483648 }),
    ]),
  ]),
);
