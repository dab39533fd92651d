/**
 * Input checks shared by every NodeStore implementation, so both stores reject exactly the same
 * calls. A failure here is a programmer error (the caller built a bad batch), hence an assertion.
 */
import { assert } from '../../actors/assert.js';
import { isOffset } from './keys.js';
import { isStoreName } from './store.js';
import type { LogEntry } from './store.js';

export function assertLogName(log: string): void {
  assert(isStoreName(log), `log ${JSON.stringify(log)} is not a store name`);
}

export function assertOffset(offset: number): void {
  assert(isOffset(offset), `offset ${offset} is not a non-negative safe integer`);
}

/** A non-empty batch of valid entries in strictly ascending offset order. */
export function assertBatch(log: string, entries: readonly LogEntry[]): void {
  assertLogName(log);
  assert(entries.length > 0, `append to ${log}: empty batch`);
  let previous = -1;
  for (const entry of entries) {
    assert(isOffset(entry.offset), `append to ${log}: offset ${entry.offset} is not a non-negative safe integer`);
    assert(entry.offset > previous, `append to ${log}: offsets not ascending (${entry.offset} after ${previous})`);
    assert(entry.value instanceof Uint8Array, `append to ${log}: value is not a Uint8Array`);
    previous = entry.offset;
  }
}

export function assertMetaBatch(entries: ReadonlyArray<readonly [string, Uint8Array | undefined]>): void {
  assert(entries.length > 0, 'putMetas: empty batch');
  for (const [key, value] of entries) {
    assert(isStoreName(key), `meta key ${JSON.stringify(key)} is not a store name`);
    assert(value === undefined || value instanceof Uint8Array, `meta ${key}: value is not a Uint8Array`);
  }
}

export function assertBytesMax(bytesMax: number): void {
  assert(Number.isFinite(bytesMax) && bytesMax >= 0, `bytesMax ${bytesMax} is not a non-negative number`);
}
