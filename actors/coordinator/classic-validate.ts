/** The edge validator's part for the classic group protocol's requests (actors/coordinator/validate.ts calls it). */
import { bytes, fail, int, list, object, optStr, str, type Body } from '../kit/validate.js';

const GROUP_ID_MAX = 255;
const MEMBER_ID_MAX = 255;
/** Protocol metadata and assignments: far above what any assignor writes. */
const PROTOCOL_BYTES_MAX = 1024 * 1024;
const PROTOCOLS_MAX = 100;
const MEMBERS_MAX = 10_000;

function instanceOf(b: Body): { instanceId?: string } {
  const instanceId = optStr(b, 'instanceId', 255);
  return instanceId === undefined ? {} : { instanceId };
}

function refusal(groupId: string): { refusal?: { code: string; message: string } } {
  return groupId === '' ? { refusal: { code: 'INVALID_GROUP_ID', message: 'the group id is empty' } } : {};
}

/** The body of a classic request, or undefined when `type` is not one. */
export function classicRequest(type: string, b: Body): object | undefined {
  const groupId = (): string => str(b, 'groupId', GROUP_ID_MAX);
  switch (type) {
    case 'joinGroup': {
      const id = groupId();
      const protocols = list(b['protocols'], 'protocols', PROTOCOLS_MAX).map((v) => {
        const p = object(v, 'protocols[]');
        return { name: str(p, 'name', 255), metadata: bytes(p, 'metadata', PROTOCOL_BYTES_MAX) };
      });
      // Kafka keys a join's protocols by name: one name twice is not a protocol list.
      if (new Set(protocols.map((p) => p.name)).size !== protocols.length) fail('protocols must have distinct names');
      return { groupId: id, memberId: str(b, 'memberId', MEMBER_ID_MAX), clientId: str(b, 'clientId', 255), clientHost: str(b, 'clientHost', 255),
        sessionTimeoutMs: int(b, 'sessionTimeoutMs', 0, 2 ** 31 - 1), rebalanceTimeoutMs: int(b, 'rebalanceTimeoutMs', 0, 2 ** 31 - 1),
        protocolType: str(b, 'protocolType', 255), protocols, ...instanceOf(b), ...refusal(id) };
    }
    case 'syncGroup': {
      const id = groupId();
      const assignments = list(b['assignments'], 'assignments', MEMBERS_MAX).map((v) => {
        const a = object(v, 'assignments[]');
        return { memberId: str(a, 'memberId', MEMBER_ID_MAX), assignment: bytes(a, 'assignment', PROTOCOL_BYTES_MAX) };
      });
      if (new Set(assignments.map((a) => a.memberId)).size !== assignments.length) fail('assignments must name each member once');
      const protocolType = optStr(b, 'protocolType', 255);
      const protocolName = optStr(b, 'protocolName', 255);
      return { groupId: id, generationId: int(b, 'generationId', -1, 2 ** 31 - 1), memberId: str(b, 'memberId', MEMBER_ID_MAX), assignments,
        ...(protocolType !== undefined ? { protocolType } : {}), ...(protocolName !== undefined ? { protocolName } : {}), ...instanceOf(b), ...refusal(id) };
    }
    case 'classicHeartbeat': {
      const id = groupId();
      return { groupId: id, generationId: int(b, 'generationId', -1, 2 ** 31 - 1), memberId: str(b, 'memberId', MEMBER_ID_MAX), ...instanceOf(b), ...refusal(id) };
    }
    case 'leaveGroup': {
      const id = groupId();
      const members = list(b['members'], 'members', MEMBERS_MAX).map((v) => {
        const m = object(v, 'members[]');
        return { memberId: str(m, 'memberId', MEMBER_ID_MAX), ...instanceOf(m) };
      });
      return { groupId: id, members, ...refusal(id) };
    }
    default: return undefined;
  }
}

export const CLASSIC_REQUESTS = ['joinGroup', 'syncGroup', 'classicHeartbeat', 'leaveGroup'] as const;
