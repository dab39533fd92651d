/**
 * How Brook machines run their handlers: a pure step function gets a draft of the context (a
 * shallow copy it owns; deeper objects are copied on write with actors/kit/draft.ts `own`) and a
 * list to push effects into; the action then assigns the draft and enqueues the effects, in
 * order, as the machine's declared actions. The snapshot the event started from is never changed,
 * so xstate's `transition()` is pure. One place for the pattern every actor shares.
 */
import { assert } from './assert.js';
import { enqueueActions, type ParameterizedObject } from 'xstate';
import { draftOf } from './kit/draft.js';

export type Step<C, E> = (ctx: C, fx: ParameterizedObject[], event: E) => void;

export function stepAction<C extends object, E extends { type: string }>(step: Step<C, E>) {
  return enqueueActions<C, E, undefined, E, never, never, never, never, never>(({ context, event, enqueue }) => {
    const ctx = draftOf(context);
    assert(ctx !== context, 'a step works on a draft, never on the snapshot');
    const fx: ParameterizedObject[] = [];
    step(ctx, fx, event);
    assert(fx.every((effect) => typeof effect.type === 'string'), 'a step pushes declared effects');
    enqueue.assign(() => ctx);
    for (const effect of fx) enqueue(effect as never);
  });
}
