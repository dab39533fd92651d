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

export function park(ctx: ControllerContext, fx: Fx, index: number, send: SendParams): void {
  if (index <= ctx.commitIndex) { fx.push({ type: 'send', params: send }); return; }
  const last = ctx.purgatory[ctx.purgatory.length - 1];
  assert(last === undefined || last.index <= index, 'waiters arrive in offset order');
  ctx.purgatory = [...ctx.purgatory, { index, send }];
}

export function completeUpTo(ctx: ControllerContext, fx: Fx, index: number): void {
  assert(index <= ctx.commitIndex, 'replies complete only up to the commit index');
  let n = 0;
  while (n < ctx.purgatory.length && (ctx.purgatory[n] as Waiter).index <= index) {
    fx.push({ type: 'send', params: (ctx.purgatory[n] as Waiter).send });
    n++;
  }
  if (n > 0) ctx.purgatory = ctx.purgatory.slice(n);
  assert(ctx.purgatory.every((w) => w.index > index), 'every reply left waits for a later entry');
}

export function failAll(ctx: ControllerContext, fx: Fx, body: Record<string, unknown>): void {
  for (const w of ctx.purgatory) fx.push({ type: 'send', params: { ...w.send, body } });
  ctx.purgatory = [];
}
