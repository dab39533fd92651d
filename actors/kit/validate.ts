/**
 * Edge-validator helpers (DESIGN.md section 12): the checks every kind's validator builds its
 * parser from. A parser throws `Invalid` through `fail`; `parsed` turns that into the typed refusal
 * the host answers with, so a machine only ever sees well-typed events.
 */
import { assert } from '../assert.js';
import type { Parsed } from '../effects.js';

export type Body = Record<string, unknown>;
export class Invalid extends Error {}

export const STRING_MAX = 1024;
export const LIST_MAX = 100_000;

export function fail(message: string): never { throw new Invalid(message); }

export function object(value: unknown, what: string): Body {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array) fail(`${what} must be a map`);
  return value as Body;
}

export function int(b: Body, field: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const v = b[field];
  if (!Number.isSafeInteger(v) || (v as number) < min || (v as number) > max) fail(`${field} must be an integer in [${min}, ${max}]`);
  return v as number;
}

export function optInt(b: Body, field: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  return b[field] === undefined ? undefined : int(b, field, min, max);
}

export function str(b: Body, field: string, maxLength = STRING_MAX, minLength = 0): string {
  const v = b[field];
  if (typeof v !== 'string' || v.length > maxLength || v.length < minLength) fail(`${field} must be a string of ${minLength}-${maxLength} characters`);
  return v;
}

export function optStr(b: Body, field: string, maxLength = STRING_MAX): string | undefined {
  return b[field] === undefined || b[field] === null ? undefined : str(b, field, maxLength);
}

export function bool(b: Body, field: string): boolean {
  const v = b[field];
  if (typeof v !== 'boolean') fail(`${field} must be a boolean`);
  return v;
}

export function list(value: unknown, what: string, max = LIST_MAX): unknown[] {
  if (!Array.isArray(value) || value.length > max) fail(`${what} must be a list of at most ${max}`);
  return value;
}

export function intList(value: unknown, what: string, min = 0, max = LIST_MAX): number[] {
  const l = list(value, what, max);
  if (!l.every((v) => Number.isSafeInteger(v) && (v as number) >= min)) fail(`${what} must be integers ≥ ${min}`);
  return l as number[];
}

export function strList(value: unknown, what: string, max = LIST_MAX, maxLength = STRING_MAX): string[] {
  const l = list(value, what, max);
  if (!l.every((v) => typeof v === 'string' && v.length <= maxLength)) fail(`${what} must be strings`);
  return l as string[];
}

export function bytes(b: Body, field: string, maxBytes: number): Uint8Array {
  const v = b[field];
  if (!(v instanceof Uint8Array) || v.byteLength > maxBytes) fail(`${field} must be bytes within ${maxBytes}`);
  return v;
}

/**
 * Runs a parser: its value as the event, or the `Invalid` it threw as INVALID_REQUEST, its message
 * after `what: ` when given (other errors are bugs and propagate).
 */
export function parsed<E>(parse: () => E, what?: string): Parsed<E> {
  assert(what === undefined || what.length > 0, 'a parser names what it parses');
  try {
    return { ok: true, event: parse() };
  } catch (error) {
    if (error instanceof Invalid) return { ok: false, code: 'INVALID_REQUEST', message: what === undefined ? error.message : `${what}: ${error.message}` };
    assert(!(error instanceof Invalid), 'only bugs propagate from a parser');
    throw error;
  }
}

/** Like `parsed` for a value that is not an event (a record read from storage): undefined when invalid. */
export function parsedOrUndefined<T>(parse: () => T): T | undefined {
  assert(parse.length === 0, 'a parser takes no arguments');
  try {
    return parse();
  } catch (error) {
    if (error instanceof Invalid) return undefined;
    assert(!(error instanceof Invalid), 'only bugs propagate from a parser');
    throw error;
  }
}
