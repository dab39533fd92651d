/**
 * The coordinator replies a group member receives (actors/coordinator/protocol.ts), as typed
 * events, and their edge validator. Like the other client replies, the body stays under `body`.
 *
 * Field layouts:
 * - findCoordinatorReply: code · partition · nodeId · leaderEpoch · address
 * - groupHeartbeatReply: code · memberId · memberEpoch · heartbeatIntervalMs · sessionTimeoutMs · assignment? [topic, partitions]
 * - offsetCommitReply: code · results [topic, partition, code]
 * - offsetFetchReply: code · offsets [topic, partition, offset, metadata?]
 * Every failed reply: code · message?
 */
import type { Inbound, Parsed } from '../effects.js';
import { isErrorCode, type ErrorCode } from '../errors.js';
import { fail, int, list, intList, object, optStr, parsed, str, type Body } from '../kit/validate.js';
import { STATIC_LEAVE_EPOCH, type TopicPartitions } from '../coordinator/protocol.js';

export interface GroupErrorBody { code: ErrorCode; message?: string }
export type FindCoordinatorReplyBody = { code: 'OK'; partition: number; nodeId: number; leaderEpoch: number; address: string } | GroupErrorBody;
export type GroupHeartbeatReplyBody =
  | { code: 'OK'; memberId: string; memberEpoch: number; heartbeatIntervalMs: number; sessionTimeoutMs: number; assignment?: TopicPartitions[] }
  | GroupErrorBody;
export type OffsetCommitReplyBody = { code: 'OK'; results: Array<{ topic: string; partition: number; code: 'OK' | ErrorCode }> } | GroupErrorBody;
export type OffsetFetchReplyBody = { code: 'OK'; offsets: Array<{ topic: string; partition: number; offset: number; metadata?: string }> } | GroupErrorBody;

interface ReplyHead { from: string; corr: number }
export type FindCoordinatorReplyEvent = ReplyHead & { type: 'findCoordinatorReply'; body: FindCoordinatorReplyBody };
export type GroupHeartbeatReplyEvent = ReplyHead & { type: 'groupHeartbeatReply'; body: GroupHeartbeatReplyBody };
export type OffsetCommitReplyEvent = ReplyHead & { type: 'offsetCommitReply'; body: OffsetCommitReplyBody };
export type OffsetFetchReplyEvent = ReplyHead & { type: 'offsetFetchReply'; body: OffsetFetchReplyBody };
export type GroupReplyEvent = FindCoordinatorReplyEvent | GroupHeartbeatReplyEvent | OffsetCommitReplyEvent | OffsetFetchReplyEvent;

export const GROUP_REPLY_TYPES: ReadonlyArray<GroupReplyEvent['type']> = ['findCoordinatorReply', 'groupHeartbeatReply', 'offsetCommitReply', 'offsetFetchReply'];

/** Bounds on what a reply may carry. */
const TOPICS_MAX = 100_000;
const PARTITIONS_MAX = 100_000;
const TOPIC_NAME_MAX = 249;

function code(b: Body, field = 'code'): ErrorCode {
  const c = b[field];
  if (!isErrorCode(c)) fail(`${field} must be OK or a known error code`);
  return c;
}

function errorBody(b: Body): GroupErrorBody {
  const out: GroupErrorBody = { code: code(b) };
  const message = optStr(b, 'message', 4096);
  if (message !== undefined) out.message = message;
  return out;
}

function topicPartitions(value: unknown): TopicPartitions {
  const b = object(value, 'assignment entry');
  return { topic: str(b, 'topic', TOPIC_NAME_MAX, 1), partitions: intList(b['partitions'], 'partitions', 0, PARTITIONS_MAX) };
}

function heartbeat(b: Body): GroupHeartbeatReplyBody {
  const out: GroupHeartbeatReplyBody = { code: 'OK', memberId: str(b, 'memberId', 1024, 1), memberEpoch: int(b, 'memberEpoch', STATIC_LEAVE_EPOCH),
    heartbeatIntervalMs: int(b, 'heartbeatIntervalMs', 1, 3_600_000), sessionTimeoutMs: int(b, 'sessionTimeoutMs', 1, 3_600_000) };
  if (b['assignment'] !== undefined && b['assignment'] !== null) out.assignment = list(b['assignment'], 'assignment', TOPICS_MAX).map(topicPartitions);
  return out;
}

function commitResult(value: unknown): { topic: string; partition: number; code: 'OK' | ErrorCode } {
  const b = object(value, 'result');
  const c = b['code'] === 'OK' ? 'OK' : code(b);
  return { topic: str(b, 'topic', TOPIC_NAME_MAX, 1), partition: int(b, 'partition', 0), code: c };
}

function fetched(value: unknown): { topic: string; partition: number; offset: number; metadata?: string } {
  const b = object(value, 'offset');
  const out: { topic: string; partition: number; offset: number; metadata?: string } =
    { topic: str(b, 'topic', TOPIC_NAME_MAX, 1), partition: int(b, 'partition', 0), offset: int(b, 'offset', -1) };
  const metadata = optStr(b, 'metadata', 4096);
  if (metadata !== undefined) out.metadata = metadata;
  return out;
}

function body(type: GroupReplyEvent['type'], b: Body): GroupReplyEvent['body'] {
  if (b['code'] !== 'OK') return errorBody(b);
  switch (type) {
    case 'findCoordinatorReply':
      return { code: 'OK', partition: int(b, 'partition', 0), nodeId: int(b, 'nodeId', 0), leaderEpoch: int(b, 'leaderEpoch', -1), address: str(b, 'address', 1024, 1) };
    case 'groupHeartbeatReply': return heartbeat(b);
    case 'offsetCommitReply': return { code: 'OK', results: list(b['results'], 'results', PARTITIONS_MAX).map(commitResult) };
    case 'offsetFetchReply': return { code: 'OK', offsets: list(b['offsets'], 'offsets', PARTITIONS_MAX).map(fetched) };
  }
}

export function isGroupReply(type: string): type is GroupReplyEvent['type'] {
  return (GROUP_REPLY_TYPES as readonly string[]).includes(type);
}

/** Validates one coordinator reply (the caller checked the type with isGroupReply). */
export function parseGroupReply(inbound: Inbound & { type: GroupReplyEvent['type'] }): Parsed<GroupReplyEvent> {
  const result = parsed(() => {
    if (!Number.isSafeInteger(inbound.corr)) fail('a reply needs a corr');
    return { type: inbound.type, from: inbound.from, corr: inbound.corr as number, body: body(inbound.type, object(inbound.body, 'body')) } as GroupReplyEvent;
  });
  return result.ok ? result : { ...result, message: `${inbound.type}: ${result.message}` };
}
