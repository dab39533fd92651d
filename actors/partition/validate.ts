/**
 * The edge validator for messages to a partition replica (DESIGN.md section 12): shapes, integer
 * ranges and sizes are checked here so that the machine can assert. A well-typed batch whose
 * fields disagree (recordCount 0, timestamps reversed, half an idempotence triple) passes here and
 * is refused by the machine with CORRUPT_MESSAGE, like Kafka's broker-side batch validation.
 */
import { assert } from '../assert.js';
import type { Inbound, Parsed } from '../effects.js';
import { fail, int, intList, object, optInt, parsed, type Body } from '../kit/validate.js';
import { isErrorCode } from '../errors.js';
import { isStoredBatch, type BatchInput, type StoredBatch } from './batch.js';
import type { AlterPartitionReply, FetchReply, PartitionEvent, PartitionState } from './types.js';

/** No single record blob may exceed this, whatever the topic config says (the envelope cap is 8 MiB). */
export const RECORDS_BYTES_MAX = 8 * 1024 * 1024;
export const TIMEOUT_MS_MAX = 15 * 60 * 1000;
export const FETCH_BATCHES_MAX = 100_000;

function batchInput(value: unknown): BatchInput {
  const b = object(value, 'batch');
  const records = b['records'];
  if (b['recordCount'] === undefined) fail('batch.recordCount is missing');
  if (!(records instanceof Uint8Array) || records.byteLength > RECORDS_BYTES_MAX) fail('batch.records must be bytes within the size cap');
  const attributes = optInt(b, 'attributes', 0, 0x7fff);
  const crc = optInt(b, 'crc', 0, 0xffffffff);
  return { recordCount: int(b, 'recordCount', -Number.MAX_SAFE_INTEGER), firstTimestamp: int(b, 'firstTimestamp', -Number.MAX_SAFE_INTEGER),
    maxTimestamp: int(b, 'maxTimestamp', -Number.MAX_SAFE_INTEGER), producerId: int(b, 'producerId', -1),
    producerEpoch: int(b, 'producerEpoch', -1), baseSequence: int(b, 'baseSequence', -1), records,
    ...(attributes !== undefined ? { attributes } : {}), ...(crc !== undefined ? { crc } : {}) };
}

export function parsePartitionState(value: unknown): PartitionState {
  const s = object(value, 'partition');
  return { replicas: intList(s['replicas'], 'replicas', 0, 1000), isr: intList(s['isr'], 'isr', 0, 1000), leader: int(s, 'leader', -1),
    leaderEpoch: int(s, 'leaderEpoch', 0), partitionEpoch: int(s, 'partitionEpoch', 0) };
}

function errorBody(b: Body): FetchReply & AlterPartitionReply {
  const code = b['code'];
  if (!isErrorCode(code)) fail('code must be OK or a known error code');
  if (b['message'] !== undefined && typeof b['message'] !== 'string') fail('message must be a string');
  const out: Body = { code };
  for (const field of ['leaderEpoch', 'leaderId', 'logStartOffset', 'leo']) if (b[field] !== undefined) out[field] = int(b, field, -1);
  if (typeof b['message'] === 'string') out['message'] = b['message'];
  return out as unknown as FetchReply & AlterPartitionReply;
}

/** A fetch reply's body (also read by the group coordinator, which loads its groups by fetching). */
export function fetchReplyBody(value: unknown): FetchReply {
  const b = object(value, 'body');
  if (b['code'] !== 'OK') return errorBody(b);
  const hw = int(b, 'hw', 0);
  const logStartOffset = int(b, 'logStartOffset', 0);
  if (b['divergingEpoch'] !== undefined) {
    const d = object(b['divergingEpoch'], 'divergingEpoch');
    return { code: 'OK', divergingEpoch: { epoch: int(d, 'epoch', -1), endOffset: int(d, 'endOffset', -1) }, hw, logStartOffset };
  }
  const batches = b['batches'];
  if (!Array.isArray(batches) || batches.length > FETCH_BATCHES_MAX) fail('batches must be an array');
  if (!batches.every(isStoredBatch)) fail('batches must be stored batches');
  const leo = optInt(b, 'leo', 0);
  return leo === undefined ? { code: 'OK', hw, logStartOffset, batches: batches as StoredBatch[] }
    : { code: 'OK', hw, logStartOffset, leo, batches: batches as StoredBatch[] };
}

function parse(inbound: Inbound, body: Body): PartitionEvent {
  assert(TYPES.has(inbound.type), 'only taken types are parsed');
  if (inbound.from.length === 0) fail('a message has a sender');
  const head = { from: inbound.from, ...(inbound.corr !== undefined ? { corr: inbound.corr } : {}),
    ...(inbound.replyTo !== undefined ? { replyTo: inbound.replyTo } : {}) };
  switch (inbound.type) {
    case 'produce': {
      const acks = body['acks'];
      if (acks !== 0 && acks !== 1 && acks !== -1) fail('acks must be 0, 1 or -1');
      const leaderEpoch = optInt(body, 'leaderEpoch', 0);
      return { type: 'produce', ...head, acks, timeoutMs: int(body, 'timeoutMs', 0, TIMEOUT_MS_MAX), batch: batchInput(body['batch']),
        ...(leaderEpoch !== undefined ? { leaderEpoch } : {}) };
    }
    case 'fetch': {
      const nodeEpoch = optInt(body, 'nodeEpoch', 0);
      const leaderEpoch = optInt(body, 'leaderEpoch', 0);
      return { type: 'fetch', ...head, replicaId: int(body, 'replicaId', -1), fetchOffset: int(body, 'fetchOffset', 0),
        lastFetchedEpoch: int(body, 'lastFetchedEpoch', -1), maxWaitMs: int(body, 'maxWaitMs', 0, TIMEOUT_MS_MAX),
        minBytes: int(body, 'minBytes', 0), bytesMax: int(body, 'bytesMax', 1),
        ...(nodeEpoch !== undefined ? { nodeEpoch } : {}), ...(leaderEpoch !== undefined ? { leaderEpoch } : {}) };
    }
    case 'listOffsets': {
      const leaderEpoch = optInt(body, 'leaderEpoch', 0);
      return { type: 'listOffsets', ...head, timestamp: int(body, 'timestamp', -2), ...(leaderEpoch !== undefined ? { leaderEpoch } : {}) };
    }
    case 'deleteRecords': {
      const leaderEpoch = optInt(body, 'leaderEpoch', 0);
      return { type: 'deleteRecords', ...head, offset: int(body, 'offset', 0), ...(leaderEpoch !== undefined ? { leaderEpoch } : {}) };
    }
    case 'fetchReply':
      return { type: 'fetchReply', ...head, body: fetchReplyBody(body) };
    case 'alterPartitionReply': case 'resignLeadershipReply':
      return { type: inbound.type, ...head,
        body: body['code'] === 'OK' ? { code: 'OK', partition: parsePartitionState(body['partition']) } : errorBody(body) };
    default:
      throw new Error('unreachable: types are filtered before parse');
  }
}

const TYPES = new Set(['produce', 'fetch', 'listOffsets', 'deleteRecords', 'fetchReply', 'alterPartitionReply', 'resignLeadershipReply']);
const NEED_CORR = new Set(['fetch', 'listOffsets', 'deleteRecords', 'fetchReply', 'alterPartitionReply', 'resignLeadershipReply']);

/** Inbound envelope → a typed event, or why it is refused (the host answers INVALID_REQUEST / UNSUPPORTED_MESSAGE). */
export function parsePartitionMessage(inbound: Inbound): Parsed<PartitionEvent> {
  if (!TYPES.has(inbound.type)) return { ok: false, code: 'UNSUPPORTED_MESSAGE', message: `a partition replica does not take ${inbound.type}` };
  if (NEED_CORR.has(inbound.type) && !Number.isSafeInteger(inbound.corr)) {
    return { ok: false, code: 'INVALID_REQUEST', message: `${inbound.type} needs a corr` };
  }
  return parsed(() => parse(inbound, object(inbound.body, 'body')), inbound.type);
}
