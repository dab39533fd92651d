/**
 * On-disk key layout of a node's single LevelDB:
 *
 *   log entry:  'l' (0x6c) | log name (ASCII) | 0x00 | base offset (8 bytes, big-endian)
 *   metadata:   'm' (0x6d) | key (ASCII)
 *
 * Names are printable ASCII (0x21..0x7e, see `isStoreName`), so the 0x00 separator sorts below every
 * name byte: one log's keys form one contiguous range `[l name 0x00, l name 0x01)` that no other log
 * interleaves with, and big-endian offsets make key order equal offset order.
 */
import { assert } from '../../actors/assert.js';
import { isStoreName } from './store.js';

const LOG_PREFIX = 0x6c; // 'l'
const META_PREFIX = 0x6d; // 'm'
const OFFSET_BYTES = 8;
const TWO_POW_32 = 0x1_0000_0000;

export interface KeyRange { gte: Uint8Array; lt: Uint8Array }

export function isOffset(offset: number): boolean {
  return Number.isSafeInteger(offset) && offset >= 0;
}

function assertName(name: string, what: string): void {
  assert(isStoreName(name), `${what} ${JSON.stringify(name)} is not a store name`);
}

/** prefix | name | trailer, with `trailerBytes` bytes left zeroed for the caller to fill. */
function withName(prefix: number, name: string, trailerBytes: number): Uint8Array {
  const key = new Uint8Array(1 + name.length + trailerBytes);
  key[0] = prefix;
  for (let i = 0; i < name.length; i++) key[1 + i] = name.charCodeAt(i);
  return key;
}

function nameAt(key: Uint8Array, end: number): string {
  let name = '';
  for (let i = 1; i < end; i++) name += String.fromCharCode(key[i] as number);
  return name;
}

export function logKey(log: string, offset: number): Uint8Array {
  assertName(log, 'log');
  assert(isOffset(offset), `offset ${offset} is not a non-negative safe integer`);
  const key = withName(LOG_PREFIX, log, 1 + OFFSET_BYTES);
  const view = new DataView(key.buffer, key.byteOffset, key.byteLength);
  const at = key.length - OFFSET_BYTES;
  view.setUint32(at, Math.floor(offset / TWO_POW_32));
  view.setUint32(at + 4, offset % TWO_POW_32);
  return key;
}

/** Every key of one log: `[l log 0x00, l log 0x01)`. */
export function logRange(log: string): KeyRange {
  assertName(log, 'log');
  const gte = withName(LOG_PREFIX, log, 1);
  const lt = withName(LOG_PREFIX, log, 1);
  lt[lt.length - 1] = 0x01;
  return { gte, lt };
}

/** Keys of every log, in (log name, offset) order. */
export const allLogsRange: KeyRange = { gte: Uint8Array.of(LOG_PREFIX), lt: Uint8Array.of(LOG_PREFIX + 1) };

function assertLogKey(key: Uint8Array): void {
  assert(key.length >= 2 + 1 + OFFSET_BYTES, `log key too short (${key.length} bytes)`);
  assert(key[0] === LOG_PREFIX, 'log key prefix');
  assert(key[key.length - OFFSET_BYTES - 1] === 0, 'log key separator');
}

export function logKeyOffset(key: Uint8Array): number {
  assertLogKey(key);
  const view = new DataView(key.buffer, key.byteOffset, key.byteLength);
  const at = key.length - OFFSET_BYTES;
  const offset = view.getUint32(at) * TWO_POW_32 + view.getUint32(at + 4);
  assert(isOffset(offset), `decoded offset ${offset} is not a safe integer`);
  return offset;
}

export function logKeyName(key: Uint8Array): string {
  assertLogKey(key);
  const log = nameAt(key, key.length - OFFSET_BYTES - 1);
  assertName(log, 'decoded log');
  return log;
}

export function decodeLogKey(key: Uint8Array): { log: string; offset: number } {
  return { log: logKeyName(key), offset: logKeyOffset(key) };
}

export function metaKey(name: string): Uint8Array {
  assertName(name, 'meta key');
  return withName(META_PREFIX, name, 0);
}

export function decodeMetaKey(key: Uint8Array): string {
  assert(key[0] === META_PREFIX, 'meta key prefix');
  const name = nameAt(key, key.length);
  assertName(name, 'decoded meta key');
  return name;
}
