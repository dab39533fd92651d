/**
 * The coordinator's records in `__consumer_offsets` (Kafka's KIP-848 record set, simplified):
 * key and value are JSON in UTF-8 (actors cannot import the msgpack codec); a null value is a
 * tombstone. On load the last value per key wins. Keys are JSON arrays led by the record kind.
 */
import { assert } from '../assert.js';
import { decodeRecords, encodeRecords } from '../client/record-codec.js';
import type { BatchInput, StoredBatch } from '../partition/batch.js';
import type { CommittedOffset, CoordRecord, GroupValue, MemberValue, TargetValue } from './types.js';

export type { CoordRecord, GroupValue, MemberValue, TargetValue } from './types.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

function keyOf(r: CoordRecord): unknown[] {
  switch (r.kind) {
    case 'offset': return ['o', r.groupId, r.topic, r.partition];
    case 'group': return ['g', r.groupId];
    case 'member': return ['m', r.groupId, r.memberId];
    case 'target': return ['a', r.groupId];
    case 'barrier': return ['b'];
  }
}

/** The record's key as a string: equal keys, equal strings (the checkpoint and load index by it). */
export function recordKey(r: CoordRecord): string { return JSON.stringify(keyOf(r)); }

/** A rough size, for grouping records into batches below the partition's max.message.bytes. */
export function recordBytes(r: CoordRecord): number { return recordKey(r).length + JSON.stringify(r.value).length + 8; }

export function toBatch(records: readonly CoordRecord[], wallMs: number): BatchInput {
  assert(records.length > 0 && Number.isFinite(wallMs), 'a batch has records and a time');
  const timestamp = Math.max(0, Math.floor(wallMs));
  const encoded = records.map((r) => ({
    key: encoder.encode(recordKey(r)), value: r.value === null ? null : encoder.encode(JSON.stringify(r.value)), timestamp,
  }));
  // What the load would skip is lost: every record written must read back as itself.
  assert(encoded.every((e, i) => recordKey(parseRecord(e.key, e.value) ?? { kind: 'barrier', value: null }) === recordKey(records[i] as CoordRecord)),
    'a record written reads back under its own key');
  return { recordCount: records.length, firstTimestamp: timestamp, maxTimestamp: timestamp, producerId: -1, producerEpoch: -1,
    baseSequence: -1, records: encodeRecords(encoded, timestamp) };
}

function parseRecord(keyBytes: Uint8Array, valueBytes: Uint8Array | null): CoordRecord | undefined {
  const key: unknown = JSON.parse(decoder.decode(keyBytes));
  const value: unknown = valueBytes === null ? null : JSON.parse(decoder.decode(valueBytes));
  if (!Array.isArray(key) || typeof key[1] !== 'string') return Array.isArray(key) && key[0] === 'b' ? { kind: 'barrier', value: null } : undefined;
  const groupId = key[1];
  const isObject = value === null || (typeof value === 'object' && !Array.isArray(value));
  if (!isObject) return undefined;
  switch (key[0]) {
    case 'o': return typeof key[2] === 'string' && Number.isSafeInteger(key[3])
      ? { kind: 'offset', groupId, topic: key[2], partition: key[3] as number, value: value as CommittedOffset | null } : undefined;
    case 'g': return { kind: 'group', groupId, value: value as GroupValue | null };
    case 'm': return typeof key[2] === 'string' ? { kind: 'member', groupId, memberId: key[2], value: value as MemberValue | null } : undefined;
    case 'a': return { kind: 'target', groupId, value: value as TargetValue | null };
    default: return undefined;
  }
}

/** The records of a fetched batch; undecodable ones are skipped (and counted). */
export function fromBatch(batch: StoredBatch): { records: CoordRecord[]; skipped: number } {
  assert(batch.recordCount > 0, 'a stored batch holds records');
  const decoded = decodeRecords(batch.records, batch.baseOffset, batch.firstTimestamp, batch.recordCount);
  if (!decoded.ok || decoded.records.length === 0) return { records: [], skipped: batch.recordCount };
  const records: CoordRecord[] = [];
  let skipped = 0;
  for (const r of decoded.records) {
    let parsed: CoordRecord | undefined;
    try {
      parsed = r.key === null ? undefined : parseRecord(r.key, r.value);
    } catch {
      parsed = undefined;
    }
    if (parsed === undefined) skipped++; else records.push(parsed);
  }
  assert(records.length + skipped === batch.recordCount, 'every record of the batch is read or counted as skipped');
  return { records, skipped };
}
