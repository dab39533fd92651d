/**
 * Replies that wait for their records to commit (KRaft's DeferredEventQueue): ordered by offset,
 * completed when the commit index passes them, failed with NOT_CONTROLLER when leadership is lost
 * (the records may still commit under the next leader; the requester retries idempotently or
 * re-reads metadata).
 */
import { assert } from '../assert.js';
import type { SendParams } from '../effects.js';
import type { ControllerContext, Waiter } from './types.js';
import type { Fx } from '../kit/fx.js';
import { splitWhere, waitInOrder } from '../kit/purgatory.js';

export function park(ctx: ControllerContext, fx: Fx, index: number, send: SendParams): void {
  if (index <= ctx.commitIndex) { fx.push({ type: 'send', params: send }); return; }
  const last = ctx.purgatory[ctx.purgatory.length - 1];
  assert(last === undefined || last.index <= index, 'waiters arrive in offset order');
  ctx.purgatory = waitInOrder(ctx.purgatory, { index, send }, indexOf);
}

function indexOf(w: Waiter): number { return w.index; }

export function completeUpTo(ctx: ControllerContext, fx: Fx, index: number): void {
  assert(index <= ctx.commitIndex, 'replies complete only up to the commit index');
  const [done, rest] = splitWhere(ctx.purgatory, (w) => w.index <= index);
  for (const w of done) fx.push({ type: 'send', params: w.send });
  ctx.purgatory = rest as Waiter[];
  assert(ctx.purgatory.every((w) => w.index > index), 'every reply left waits for a later entry');
}

export function failAll(ctx: ControllerContext, fx: Fx, body: Record<string, unknown>): void {
  for (const w of ctx.purgatory) fx.push({ type: 'send', params: { ...w.send, body } });
  ctx.purgatory = [];
}
