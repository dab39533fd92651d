/**
 * How Brook machines run their handlers: a pure step function gets a shallow copy of the context
 * and a list to push effects into; the action then assigns the copy and enqueues the effects, in
 * order, as the machine's declared actions. One place for the pattern every actor shares.
 */
import { enqueueActions, type ParameterizedObject } from 'xstate';

export type Step<C, E> = (ctx: C, fx: ParameterizedObject[], event: E) => void;

export function stepAction<C extends object, E extends { type: string }>(step: Step<C, E>) {
  return enqueueActions<C, E, undefined, E, never, never, never, never, never>(({ context, event, enqueue }) => {
    const ctx = { ...context };
    const fx: ParameterizedObject[] = [];
    step(ctx, fx, event);
    enqueue.assign(() => ctx);
    for (const effect of fx) enqueue(effect as never);
  });
}
