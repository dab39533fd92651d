/**
 * The controller's own helpers for one event's handling (the effect vocabulary and the op table are
 * the kit's: actors/kit/fx.ts, actors/kit/ops.ts): a handler gets a shallow copy of the context
 * (`ctx`) and a list of effects to push (`fx`); the machine assigns `ctx` and runs the effects in
 * order. Raft messages go through `raftSend`, which holds them while a term/vote write
 * is in flight, so nothing we send depends on a vote or candidacy that is not yet durable.
 */
import { assert } from '../assert.js';
import { CONTROLLER_FOR_ADMIN, CONTROLLER_FOR_NODES, CONTROLLER_FOR_PRODUCERS, controllerVoter } from '../kit/addresses.js';
import type { SendParams } from '../effects.js';
import type { Fx } from '../kit/fx.js';
import type { ControllerContext } from './types.js';

export const METADATA_LOG = '__metadata';
export const STATE_KEY = 'ctl/state';
export const SNAPSHOT_KEY = 'ctl/snapshot';
/** The addresses the controller leader listens on: node traffic, administration, producer ids. */
export const LEADER_ADDRESSES = [CONTROLLER_FOR_NODES, CONTROLLER_FOR_ADMIN, CONTROLLER_FOR_PRODUCERS];

export function stateWritesInFlight(ctx: ControllerContext): number {
  let n = 0;
  for (const op of ctx.ops.values()) if (op.kind === 'state') n++;
  return n;
}

/** A Raft message; held while a ctl/state write is in flight. */
export function raftSend(ctx: ControllerContext, fx: Fx, to: number, type: string, body: Record<string, unknown>): void {
  assert(to !== ctx.nodeId, 'no Raft messages to ourselves');
  const send: SendParams = { to: controllerVoter(to), type, body };
  if (stateWritesInFlight(ctx) > 0) ctx.held = [...ctx.held, send];
  else fx.push({ type: 'send', params: send });
}

export function releaseHeld(ctx: ControllerContext, fx: Fx): void {
  if (stateWritesInFlight(ctx) > 0 || ctx.held.length === 0) return;
  for (const send of ctx.held) fx.push({ type: 'send', params: send });
  ctx.held = [];
}

/** NOT_CONTROLLER naming the leader when we know it. */
export function notController(ctx: ControllerContext): { code: 'NOT_CONTROLLER'; leaderId?: number; message: string } {
  const known = ctx.leaderId !== undefined && ctx.leaderId !== ctx.nodeId;
  return known ? { code: 'NOT_CONTROLLER', leaderId: ctx.leaderId as number, message: `controller ${ctx.nodeId} is not the leader` }
    : { code: 'NOT_CONTROLLER', message: `controller ${ctx.nodeId} is not the leader and knows no leader` };
}
