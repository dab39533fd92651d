/**
 * The node actor's edge validator (DESIGN.md section 12): the controller's answers to
 * registration and heartbeats (every metadata record and snapshot checked as the controller checks
 * what it stores), and its liveness probe.
 */
import { assert } from '../assert.js';
import type { Inbound, Parsed } from '../effects.js';
import { isImage, type MetadataImage } from '../metadata/image.js';
import { parseRecord } from '../metadata/validate.js';
import type { MetadataRecord } from '../metadata/records.js';
import { bool, fail, int, list, object, optStr, parsed, str, type Body } from '../kit/validate.js';
import type { HeartbeatReply, NodeEvent, RegisterReply } from './types.js';

/** The most records one heartbeat reply may carry (the controller sends heartbeatRecordsMax, 500 by default). */
const RECORDS_MAX = 100_000;

function failure(b: Body): { code: string; message?: string } {
  const message = optStr(b, 'message', 4096);
  return message === undefined ? { code: str(b, 'code', 64) } : { code: str(b, 'code', 64), message };
}

function registerReply(b: Body): RegisterReply {
  if (b['code'] !== 'OK') return failure(b);
  return { code: 'OK', nodeEpoch: int(b, 'nodeEpoch', 0) };
}

function records(value: unknown): Array<{ offset: number; record: MetadataRecord }> {
  assert(value !== null && value !== undefined, 'absent records default to none (the caller)');
  if (value !== undefined && !Array.isArray(value)) fail('records must be a list');
  return list(value, 'records', RECORDS_MAX).map((item) => {
    const entry = object(item, 'records[]');
    const record = parseRecord(entry['record']);
    if (record === undefined) fail('records[].record must be a metadata record');
    if (!Number.isSafeInteger(entry['offset'])) fail('records[].offset must be an offset');
    return { offset: int(entry, 'offset', 1), record };
  });
}

function heartbeatReply(b: Body): HeartbeatReply {
  if (b['code'] !== 'OK') return failure(b);
  const reply: HeartbeatReply = { code: 'OK', leaderId: int(b, 'leaderId', 0), term: int(b, 'term', 0), fenced: bool(b, 'fenced'),
    shutdownReady: bool(b, 'shutdownReady'), committedOffset: int(b, 'committedOffset', 0), records: records(b['records'] ?? []) };
  if (b['snapshot'] !== undefined) {
    const snapshot = object(b['snapshot'], 'snapshot');
    if (!isImage(snapshot['image'])) fail('snapshot.image must be a metadata image');
    const image = snapshot['image'] as MetadataImage;
    const offset = int(snapshot, 'offset', 1);
    if (image.offset !== offset) fail('snapshot.image must be at the snapshot offset');
    return { ...reply, snapshot: { offset, image } };
  }
  return reply;
}

const TAKEN = new Set(['registerNodeReply', 'nodeHeartbeatReply', 'probe']);

export function parseNodeMessage(inbound: Inbound): Parsed<NodeEvent> {
  if (!TAKEN.has(inbound.type)) return { ok: false, code: 'UNSUPPORTED_MESSAGE', message: `a node does not take ${inbound.type}` };
  assert(inbound.from.length > 0, 'a message has a sender (the codec checked it)');
  const head = { from: inbound.from, ...(inbound.corr !== undefined ? { corr: inbound.corr } : {}), ...(inbound.replyTo !== undefined ? { replyTo: inbound.replyTo } : {}) };
  const result = parsed((): NodeEvent => {
    assert(TAKEN.has(inbound.type), 'only taken types are parsed');
    // Replies answer a request of ours: they carry its corr.
    if (inbound.type !== 'probe' && !Number.isSafeInteger(inbound.corr)) fail('a reply needs a corr');
    switch (inbound.type) {
      case 'registerNodeReply': return { type: 'registerNodeReply', ...head, body: registerReply(object(inbound.body, 'body')) };
      case 'nodeHeartbeatReply': return { type: 'nodeHeartbeatReply', ...head, body: heartbeatReply(object(inbound.body, 'body')) };
      case 'probe': return { type: 'probe', ...head };
      default: return fail(`unexpected ${inbound.type}`);
    }
  }, inbound.type);
  assert(result.ok || result.code === 'INVALID_REQUEST', 'a taken type is refused only as invalid');
  return result;
}
