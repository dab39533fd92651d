/**
 * Correlation ids and the token-keyed table of storage operations in flight. A storage effect
 * carries a token; its completion event comes back with it and `takeOp` finds what it was for.
 * The table is replaced, never changed in place, so the snapshot an event started from stays
 * intact (pure transitions).
 */
import { assert } from '../assert.js';

export interface OpTable<Op> { nextToken: number; ops: ReadonlyMap<number, Op> }

export function newToken<Op>(table: OpTable<Op>, op: Op): number {
  const token = table.nextToken;
  assert(!table.ops.has(token), 'tokens are unique');
  table.nextToken = token + 1;
  table.ops = new Map(table.ops).set(token, op);
  return token;
}

/** Removes and returns the op a completion is for; undefined for a completion of a forgotten op (after a reset). */
export function takeOp<Op>(table: OpTable<Op>, token: number): Op | undefined {
  assert(Number.isSafeInteger(token) && token < table.nextToken, 'a token this table issued');
  const op = table.ops.get(token);
  if (op === undefined) return undefined;
  const ops = new Map(table.ops);
  ops.delete(token);
  table.ops = ops;
  assert(!table.ops.has(token), 'a taken op is gone');
  return op;
}

export function newCorr(ctx: { nextCorr: number }): number {
  const corr = ctx.nextCorr;
  assert(Number.isSafeInteger(corr) && corr >= 0, 'corr ids are counters');
  ctx.nextCorr = corr + 1;
  return corr;
}
