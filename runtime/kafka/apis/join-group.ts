/**
 * JoinGroup, SyncGroup, Heartbeat and LeaveGroup: the coordinator's classic-protocol messages
 * (actors/coordinator/classic-protocol.ts). A v0 JoinGroup has no rebalance timeout: the session
 * timeout stands in, as in Kafka.
 */
import type { Handler } from '../handler.js';
import { coordinatorCall, groupError } from './coordinator-call.js';

/** How long a SyncGroup may wait for the leader's: librdkafka's default max.poll.interval.ms is 300 s. */
const SYNC_WAIT_MS = 300_000;
const SLACK_MS = 10_000;

const instance = (id: unknown): { instanceId?: string } => (typeof id === 'string' ? { instanceId: id } : {});

export const handleJoinGroup: Handler = async (ctx, request) => {
  const groupId = request['groupId'] as string;
  const sessionTimeoutMs = request['sessionTimeoutMs'] as number;
  const rebalance = request['rebalanceTimeoutMs'] as number;
  const rebalanceTimeoutMs = rebalance >= 0 ? rebalance : sessionTimeoutMs;
  const body = { groupId, memberId: request['memberId'], clientId: ctx.clientId ?? '', clientHost: ctx.remote.replace(/:\d+$/, ''),
    sessionTimeoutMs, rebalanceTimeoutMs, protocolType: request['protocolType'], protocols: request['protocols'], ...instance(request['groupInstanceId']) };
  const reply = await coordinatorCall(ctx.broker, groupId, 'joinGroup', body, rebalanceTimeoutMs + SLACK_MS);
  if (reply.code !== 'OK') {
    return { throttleTimeMs: 0, errorCode: groupError(reply.code), generationId: -1, protocolType: null, protocolName: ctx.apiVersion >= 7 ? null : '',
      leader: '', memberId: typeof reply['memberId'] === 'string' ? reply['memberId'] : request['memberId'], members: [] };
  }
  return { throttleTimeMs: 0, errorCode: 0, generationId: reply['generationId'], protocolType: reply['protocolType'], protocolName: reply['protocolName'],
    leader: reply['leader'], memberId: reply['memberId'],
    members: (reply['members'] as Array<{ memberId: string; instanceId?: string; metadata: Uint8Array }>).map((m) => ({
      memberId: m.memberId, groupInstanceId: m.instanceId ?? null, metadata: m.metadata })) };
};

export const handleSyncGroup: Handler = async (ctx, request) => {
  const groupId = request['groupId'] as string;
  const body = { groupId, generationId: request['generationId'], memberId: request['memberId'], assignments: request['assignments'],
    ...instance(request['groupInstanceId']),
    ...(typeof request['protocolType'] === 'string' ? { protocolType: request['protocolType'] } : {}),
    ...(typeof request['protocolName'] === 'string' ? { protocolName: request['protocolName'] } : {}) };
  const reply = await coordinatorCall(ctx.broker, groupId, 'syncGroup', body, SYNC_WAIT_MS + SLACK_MS);
  if (reply.code !== 'OK') return { throttleTimeMs: 0, errorCode: groupError(reply.code), protocolType: null, protocolName: null, assignment: Buffer.alloc(0) };
  return { throttleTimeMs: 0, errorCode: 0, protocolType: reply['protocolType'], protocolName: reply['protocolName'], assignment: reply['assignment'] };
};

export const handleHeartbeat: Handler = async (ctx, request) => {
  const groupId = request['groupId'] as string;
  const body = { groupId, generationId: request['generationId'], memberId: request['memberId'], ...instance(request['groupInstanceId']) };
  const reply = await coordinatorCall(ctx.broker, groupId, 'classicHeartbeat', body, 5000);
  return { throttleTimeMs: 0, errorCode: groupError(reply.code) };
};

export const handleLeaveGroup: Handler = async (ctx, request) => {
  const groupId = request['groupId'] as string;
  const members = ctx.apiVersion >= 3
    ? (request['members'] as Array<{ memberId: string; groupInstanceId: string | null }>).map((m) => ({ memberId: m.memberId, ...instance(m.groupInstanceId) }))
    : [{ memberId: request['memberId'] as string }];
  const reply = await coordinatorCall(ctx.broker, groupId, 'leaveGroup', { groupId, members }, 5000);
  if (reply.code !== 'OK') return { throttleTimeMs: 0, errorCode: groupError(reply.code), members: [] };
  const results = reply['members'] as Array<{ memberId: string; instanceId?: string; code: string }>;
  // Before v3 there is one member and its outcome is the response's.
  const errorCode = ctx.apiVersion >= 3 ? 0 : groupError(results[0]?.code ?? 'OK');
  return { throttleTimeMs: 0, errorCode, members: results.map((r) => ({ memberId: r.memberId, groupInstanceId: r.instanceId ?? null, errorCode: groupError(r.code) })) };
};
