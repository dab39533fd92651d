/**
 * On-disk key layout of a node's single LevelDB:
 *
 *   log entry:  'L' (0x4c) | segment (4 bytes, big-endian) | log name (ASCII) | 0x00 | base offset (8 bytes, big-endian)
 *   version:    'L' (0x4c) | segment (4 bytes, big-endian) | 0x01 meta / 0x02 log start | name (ASCII)
 *
 * A segment is a stretch of the node's writes (level-store.ts starts a new one every few tens of
 * MB and has LevelDB flush its memtable right then): the segment comes first so that every new
 * key sorts after every key of an older segment. Why: LevelDB compacts a table into the older ones
 * whose key ranges it overlaps. With keys ordered by (log, offset), a table holding the newest
 * batches of six logs spans the key ranges of those logs' whole histories, and compaction rewrote
 * the stored log about twice over. With the segment first and one segment per table, no table
 * overlaps another and LevelDB moves them down its levels without rewriting them. That holds only
 * if nothing is written into an old segment's range: so meta keys, which change all the time, are
 * versions written into the current segment (the newest wins), and so is a log's start after
 * `deleteBefore`; old segments are only ever deleted from, at rolls (segment-reclaim.ts).
 *
 * Within a segment, names are printable ASCII (0x21..0x7e, see `isStoreName`), so the 0x00
 * separator sorts below every name byte: one log's keys in one segment form one contiguous range
 * `[L seg name 0x00, L seg name 0x01)`, and big-endian offsets make key order equal offset order.
 * The version marks sort below every name byte too: a segment's versions come before its logs.
 *
 * The layout before segments ('l' (0x6c) | name | 0x00 | offset, 'm' (0x6d) | key) is read only to
 * move a data directory written by an earlier version into segment 0 (legacy-layout.ts).
 */
import { assert } from '../../actors/assert.js';
import { isStoreName } from './store.js';

const LOG_PREFIX = 0x4c; // 'L'
const LEGACY_LOG_PREFIX = 0x6c; // 'l'
const META_PREFIX = 0x6d; // 'm'
const SEGMENT_BYTES = 4;
const OFFSET_BYTES = 8;
const TWO_POW_32 = 0x1_0000_0000;
export const SEGMENT_MAX = TWO_POW_32 - 1;

export interface KeyRange { gte: Uint8Array; lt: Uint8Array }

export function isOffset(offset: number): boolean {
  return Number.isSafeInteger(offset) && offset >= 0;
}

export function isSegment(segment: number): boolean {
  return Number.isInteger(segment) && segment >= 0 && segment <= SEGMENT_MAX;
}

function assertName(name: string, what: string): void {
  assert(isStoreName(name), `${what} ${JSON.stringify(name)} is not a store name`);
}

function assertSegment(segment: number): void {
  assert(isSegment(segment), `segment ${segment} is not a 32-bit unsigned integer`);
}

/** prefix | head | name | trailer, with `trailerBytes` bytes left zeroed for the caller to fill. */
function withName(prefix: number, headBytes: number, name: string, trailerBytes: number): Uint8Array {
  const key = new Uint8Array(1 + headBytes + name.length + trailerBytes);
  key[0] = prefix;
  for (let i = 0; i < name.length; i++) key[1 + headBytes + i] = name.charCodeAt(i);
  return key;
}

function nameAt(key: Uint8Array, start: number, end: number): string {
  let name = '';
  for (let i = start; i < end; i++) name += String.fromCharCode(key[i] as number);
  return name;
}

function view(key: Uint8Array): DataView {
  return new DataView(key.buffer, key.byteOffset, key.byteLength);
}

function setOffset(key: Uint8Array, offset: number): void {
  const at = key.length - OFFSET_BYTES;
  view(key).setUint32(at, Math.floor(offset / TWO_POW_32));
  view(key).setUint32(at + 4, offset % TWO_POW_32);
}

export function logKey(segment: number, log: string, offset: number): Uint8Array {
  assertSegment(segment);
  assertName(log, 'log');
  assert(isOffset(offset), `offset ${offset} is not a non-negative safe integer`);
  const key = withName(LOG_PREFIX, SEGMENT_BYTES, log, 1 + OFFSET_BYTES);
  view(key).setUint32(1, segment);
  setOffset(key, offset);
  return key;
}

/** Every key of one log in one segment: `[L seg log 0x00, L seg log 0x01)`. */
export function logRange(segment: number, log: string): KeyRange {
  assertSegment(segment);
  assertName(log, 'log');
  const gte = withName(LOG_PREFIX, SEGMENT_BYTES, log, 1);
  view(gte).setUint32(1, segment);
  const lt = gte.slice();
  lt[lt.length - 1] = 0x01;
  return { gte, lt };
}

/** Keys of every log in every segment, in (segment, log name, offset) order. */
export const allLogsRange: KeyRange = { gte: Uint8Array.of(LOG_PREFIX), lt: Uint8Array.of(LOG_PREFIX + 1) };

function assertLogKey(key: Uint8Array): void {
  assert(key.length >= 1 + SEGMENT_BYTES + 1 + 1 + OFFSET_BYTES, `log key too short (${key.length} bytes)`);
  assert(key[0] === LOG_PREFIX, 'log key prefix');
  assert(key[key.length - OFFSET_BYTES - 1] === 0, 'log key separator');
}

function offsetAt(key: Uint8Array): number {
  const at = key.length - OFFSET_BYTES;
  const offset = view(key).getUint32(at) * TWO_POW_32 + view(key).getUint32(at + 4);
  assert(isOffset(offset), `decoded offset ${offset} is not a safe integer`);
  return offset;
}

/** An offset as the 8 big-endian bytes keys end in (a log's start is stored so too). */
export function encodeOffset(offset: number): Uint8Array {
  assert(isOffset(offset), `offset ${offset} is not a non-negative safe integer`);
  const bytes = new Uint8Array(OFFSET_BYTES);
  setOffset(bytes, offset);
  return bytes;
}

export function decodeOffset(bytes: Uint8Array): number {
  assert(bytes.byteLength === OFFSET_BYTES, `an offset is ${OFFSET_BYTES} bytes`);
  return offsetAt(bytes);
}

export function logKeyOffset(key: Uint8Array): number {
  assertLogKey(key);
  return offsetAt(key);
}

export function logKeySegment(key: Uint8Array): number {
  assertLogKey(key);
  return view(key).getUint32(1);
}

export function logKeyName(key: Uint8Array): string {
  assertLogKey(key);
  const log = nameAt(key, 1 + SEGMENT_BYTES, key.length - OFFSET_BYTES - 1);
  assertName(log, 'decoded log');
  return log;
}

export function decodeLogKey(key: Uint8Array): { segment: number; log: string; offset: number } {
  return { segment: logKeySegment(key), log: logKeyName(key), offset: logKeyOffset(key) };
}

/** Keys of the layout before segments, which only a data directory of an earlier version holds. */
export const legacyLogRange: KeyRange = { gte: Uint8Array.of(LEGACY_LOG_PREFIX), lt: Uint8Array.of(LEGACY_LOG_PREFIX + 1) };

export function legacyLogKey(log: string, offset: number): Uint8Array {
  assertName(log, 'log');
  assert(isOffset(offset), `offset ${offset} is not a non-negative safe integer`);
  const key = withName(LEGACY_LOG_PREFIX, 0, log, 1 + OFFSET_BYTES);
  setOffset(key, offset);
  return key;
}

export function decodeLegacyLogKey(key: Uint8Array): { log: string; offset: number } {
  assert(key.length >= 1 + 1 + 1 + OFFSET_BYTES && key[0] === LEGACY_LOG_PREFIX && key[key.length - OFFSET_BYTES - 1] === 0, 'legacy log key');
  const log = nameAt(key, 1, key.length - OFFSET_BYTES - 1);
  assertName(log, 'decoded legacy log');
  return { log, offset: offsetAt(key) };
}

/**
 * Versioned keys: a meta key's value, or the first entry a log keeps (`deleteBefore`), written
 * into the segment that is current when it changes, so that a table of new writes never reaches
 * back into the key range of older segments. The newest version of each wins (level-store.ts keeps
 * them in memory). Their marks are below every name byte, so a segment's versions sort before its logs.
 */
export type VersionKind = 'meta' | 'start';
const VERSION_MARKS: Record<VersionKind, number> = { meta: 0x01, start: 0x02 };
const VERSION_MARK_END = 0x03;

/** `'L' | segment | mark | name`. */
export function versionKey(segment: number, kind: VersionKind, name: string): Uint8Array {
  assertSegment(segment);
  assertName(name, kind === 'meta' ? 'meta key' : 'log');
  const key = withName(LOG_PREFIX, SEGMENT_BYTES + 1, name, 0);
  view(key).setUint32(1, segment);
  key[1 + SEGMENT_BYTES] = VERSION_MARKS[kind];
  return key;
}

/** Whether a key of `allLogsRange` is a version rather than a log entry. */
export function isVersionKey(key: Uint8Array): boolean {
  const mark = key[1 + SEGMENT_BYTES];
  return key.length > 1 + SEGMENT_BYTES + 1 && key[0] === LOG_PREFIX && mark !== undefined && mark >= VERSION_MARKS.meta && mark < VERSION_MARK_END;
}

export function decodeVersionKey(key: Uint8Array): { segment: number; kind: VersionKind; name: string } {
  assert(isVersionKey(key), 'version key');
  const name = nameAt(key, 1 + SEGMENT_BYTES + 1, key.length);
  assertName(name, 'decoded version name');
  return { segment: view(key).getUint32(1), kind: key[1 + SEGMENT_BYTES] === VERSION_MARKS.meta ? 'meta' : 'start', name };
}

/** Every version written in one segment: `[L seg 0x01, L seg 0x03)`. */
export function segmentVersionsRange(segment: number): KeyRange {
  assertSegment(segment);
  const gte = new Uint8Array(1 + SEGMENT_BYTES + 1);
  gte[0] = LOG_PREFIX;
  view(gte).setUint32(1, segment);
  gte[1 + SEGMENT_BYTES] = VERSION_MARKS.meta;
  const lt = gte.slice();
  lt[1 + SEGMENT_BYTES] = VERSION_MARK_END;
  return { gte, lt };
}

/** The layout before segments kept meta keys apart (`'m' | key`); read only to move them into segment 0. */
export const legacyMetaRange: KeyRange = { gte: Uint8Array.of(META_PREFIX), lt: Uint8Array.of(META_PREFIX + 1) };

export function legacyMetaKey(name: string): Uint8Array {
  assertName(name, 'meta key');
  return withName(META_PREFIX, 0, name, 0);
}

export function decodeLegacyMetaKey(key: Uint8Array): string {
  assert(key[0] === META_PREFIX, 'meta key prefix');
  const name = nameAt(key, 1, key.length);
  assertName(name, 'decoded meta key');
  return name;
}
