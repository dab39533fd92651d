/**
 * The edge validator of the group coordinator (DESIGN.md section 12). Shapes and ranges are
 * checked here; content the protocol answers with a group error code (an empty group id, a regular
 * expression that does not compile, an unknown assignor) passes as a `refusal` the machine sends.
 */
import type { Inbound, Parsed } from '../effects.js';
import { isErrorCode } from '../errors.js';
import { fail, int, intList, list, object, optInt, optStr, parsed, str, strList, type Body } from '../kit/validate.js';
import { fetchReplyBody } from '../partition/validate.js';
import { ASSIGNORS } from './assignors.js';
import type { GroupState, TopicPartitions } from './protocol.js';
import type { CoordinatorEvent, CoordinatorRequest, Head } from './types.js';
import { CLASSIC_REQUESTS, classicRequest } from './classic-validate.js';

const GROUP_ID_MAX = 255;
const REGEX_MAX = 1000;
const STATES: readonly GroupState[] = ['empty', 'assigning', 'reconciling', 'stable', 'dead'];
type Refusal = { code: string; message: string } | undefined;

function topicPartitions(value: unknown, what: string): TopicPartitions[] {
  return list(value, what, 10_000).map((v) => {
    const b = object(v, what);
    return { topic: str(b, 'topic', 255), partitions: intList(b['partitions'], `${what}.partitions`) };
  });
}

function groupId(b: Body): { groupId: string; refusal: Refusal } {
  const id = str(b, 'groupId', GROUP_ID_MAX);
  return { groupId: id, refusal: id === '' ? { code: 'INVALID_GROUP_ID', message: 'the group id is empty' } : undefined };
}

/** A regex is checked by compiling it (bounded length); Brook matches it against whole topic names. */
function regexRefusal(regex: string | undefined): Refusal {
  if (regex === undefined) return undefined;
  if (regex.length > REGEX_MAX) return { code: 'INVALID_REGULAR_EXPRESSION', message: `longer than ${REGEX_MAX} characters` };
  try {
    new RegExp(regex);
    return undefined;
  } catch (error) {
    return { code: 'INVALID_REGULAR_EXPRESSION', message: (error as Error).message };
  }
}

function heartbeat(b: Body): Omit<Extract<CoordinatorRequest, { type: 'groupHeartbeat' }>, keyof Head | 'type'> {
  const { groupId: id, refusal } = groupId(b);
  const subscribedTopics = b['subscribedTopics'] === undefined ? undefined : strList(b['subscribedTopics'], 'subscribedTopics', 10_000, 255);
  const subscribedRegex = optStr(b, 'subscribedRegex', REGEX_MAX + 1);
  if (subscribedTopics !== undefined && subscribedRegex !== undefined) fail('subscribedTopics and subscribedRegex are exclusive');
  const assignor = optStr(b, 'assignor', 64);
  const instanceId = optStr(b, 'instanceId', 255);
  if (instanceId === '') fail('instanceId must not be empty');
  const refused = refusal ?? regexRefusal(subscribedRegex)
    ?? (assignor !== undefined && ASSIGNORS[assignor] === undefined ? { code: 'UNSUPPORTED_ASSIGNOR', message: `no assignor '${assignor}'` } : undefined);
  return {
    groupId: id, memberId: str(b, 'memberId', 64), memberEpoch: int(b, 'memberEpoch', -2, 2 ** 31 - 1),
    ownedPartitions: topicPartitions(b['ownedPartitions'] ?? [], 'ownedPartitions'),
    rebalanceTimeoutMs: int(b, 'rebalanceTimeoutMs', 0, 3_600_000), clientId: str(b, 'clientId', 255),
    ...(instanceId !== undefined ? { instanceId } : {}), ...(subscribedTopics !== undefined ? { subscribedTopics } : {}),
    ...(subscribedRegex !== undefined ? { subscribedRegex } : {}), ...(assignor !== undefined ? { assignor } : {}),
    ...(refused !== undefined ? { refusal: refused } : {}),
  };
}

function commitEntries(value: unknown) {
  return list(value, 'offsets', 10_000).map((v) => {
    const e = object(v, 'offsets[]');
    const leaderEpoch = optInt(e, 'leaderEpoch', -1);
    const metadata = optStr(e, 'metadata', 4096);
    return { topic: str(e, 'topic', 255), partition: int(e, 'partition', 0), offset: int(e, 'offset', -Number.MAX_SAFE_INTEGER),
      ...(leaderEpoch !== undefined ? { leaderEpoch } : {}), ...(metadata !== undefined ? { metadata } : {}) };
  });
}

function request(type: string, b: Body): object {
  if (type === 'groupHeartbeat') return heartbeat(b);
  const classic = classicRequest(type, b);
  if (classic !== undefined) return classic;
  if (type === 'listGroups') {
    const states = b['states'] === undefined ? undefined : strList(b['states'], 'states', 10, 16);
    if (states !== undefined && !states.every((s) => (STATES as string[]).includes(s))) fail(`states must be among ${STATES.join(', ')}`);
    return states === undefined ? {} : { states };
  }
  const { groupId: id, refusal } = groupId(b);
  const common = { groupId: id, ...(refusal !== undefined ? { refusal } : {}) };
  switch (type) {
    case 'offsetCommit':
      return { ...common, memberId: str(b, 'memberId', 64), memberEpoch: int(b, 'memberEpoch', -1, 2 ** 31 - 1), offsets: commitEntries(b['offsets']) };
    case 'offsetFetch':
      return { ...common, ...(b['partitions'] === undefined || b['partitions'] === null ? {} : { partitions: topicPartitions(b['partitions'], 'partitions') }) };
    case 'deleteGroupOffsets': return { ...common, topic: str(b, 'topic', 255) };
    default: return common; // describeGroup, deleteGroup
  }
}

function replyEvent(inbound: Inbound, head: Head, b: Body): CoordinatorEvent {
  if (!Number.isSafeInteger(inbound.corr)) fail(`${inbound.type} needs a corr`);
  const code = b['code'];
  if (code !== 'OK' && !isErrorCode(code)) fail('code must be OK or a known error code');
  switch (inbound.type) {
    case 'produceReply': {
      if (code === 'OK') return { type: 'produceReply', ...head, body: { code, baseOffset: int(b, 'baseOffset', 0), logStartOffset: int(b, 'logStartOffset', 0) } };
      const leaderEpoch = optInt(b, 'leaderEpoch', -1);
      return { type: 'produceReply', ...head, body: { code: code as never, ...(leaderEpoch !== undefined ? { leaderEpoch } : {}) } };
    }
    case 'fetchReply': return { type: 'fetchReply', ...head, body: fetchReplyBody(b) };
    case 'deleteRecordsReply': {
      const logStartOffset = optInt(b, 'logStartOffset', 0);
      return { type: 'deleteRecordsReply', ...head, body: { code: code as string, ...(logStartOffset !== undefined ? { logStartOffset } : {}) } };
    }
    default: return { type: 'memberProbeReply', ...head, code: code as string };
  }
}

const REQUESTS = new Set(['groupHeartbeat', 'offsetCommit', 'offsetFetch', 'listGroups', 'describeGroup', 'deleteGroup', 'deleteGroupOffsets', ...CLASSIC_REQUESTS]);
const REPLIES = new Set(['produceReply', 'fetchReply', 'deleteRecordsReply', 'memberProbeReply']);

/** Inbound envelope → a typed event; `topicsChanged` and `leadershipLost` come only from the local runtime, never from the network. */
export function parseCoordinatorMessage(inbound: Inbound): Parsed<CoordinatorEvent> {
  if (!REQUESTS.has(inbound.type) && !REPLIES.has(inbound.type)) {
    return { ok: false, code: 'UNSUPPORTED_MESSAGE', message: `a group coordinator does not take ${inbound.type}` };
  }
  const head: Head = { from: inbound.from, ...(inbound.corr !== undefined ? { corr: inbound.corr } : {}),
    ...(inbound.replyTo !== undefined ? { replyTo: inbound.replyTo } : {}) };
  return parsed(() => {
    const b = inbound.body === undefined || inbound.body === null ? {} : object(inbound.body, 'body');
    if (REPLIES.has(inbound.type)) return replyEvent(inbound, head, b);
    return { type: inbound.type, ...head, ...request(inbound.type, b) } as CoordinatorRequest;
  });
}
