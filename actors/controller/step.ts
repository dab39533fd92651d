/**
 * The shape of one event's handling (as in actors/partition/step.ts): a handler gets a shallow copy
 * of the context (`ctx`) and a list of effects to push (`fx`); the machine assigns `ctx` and runs the
 * effects in order. Raft messages go through `raftSend`, which holds them while a term/vote write
 * is in flight, so nothing we send depends on a vote or candidacy that is not yet durable.
 */
import { assert } from '../assert.js';
import { CONTROLLER_FOR_ADMIN, CONTROLLER_FOR_NODES, CONTROLLER_FOR_PRODUCERS, controllerVoter } from '../kit/addresses.js';
import type { effectActions, EffectName, SendParams } from '../effects.js';
import type { ControllerContext, From, StorageOp } from '../controller.js';

export type Effect = { [K in EffectName]: { type: K; params: Parameters<(typeof effectActions)[K]>[1] } }[EffectName];
export type Fx = Effect[];

export const METADATA_LOG = '__metadata';
export const STATE_KEY = 'ctl/state';
export const SNAPSHOT_KEY = 'ctl/snapshot';
/** The addresses the controller leader listens on: node traffic, administration, producer ids. */
export const LEADER_ADDRESSES = [CONTROLLER_FOR_NODES, CONTROLLER_FOR_ADMIN, CONTROLLER_FOR_PRODUCERS];

export function newToken(ctx: ControllerContext, op: StorageOp): number {
  const token = ctx.nextToken;
  ctx.nextToken = token + 1;
  assert(!ctx.ops.has(token), 'tokens are unique');
  ctx.ops = new Map(ctx.ops).set(token, op);
  return token;
}

export function takeOp(ctx: ControllerContext, token: number): StorageOp | undefined {
  const op = ctx.ops.get(token);
  if (op === undefined) return undefined;
  ctx.ops = new Map(ctx.ops);
  ctx.ops.delete(token);
  return op;
}

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

/** The reply to a request: to `replyTo ?? from`, same corr, type `<type>Reply`. */
export function replyParams(request: { type: string } & From, body: unknown): SendParams {
  const params: SendParams = { to: request.replyTo ?? request.from, type: `${request.type}Reply`, body };
  if (request.corr !== undefined) params.corr = request.corr;
  return params;
}

export function reply(fx: Fx, request: { type: string } & From, body: unknown): void {
  fx.push({ type: 'send', params: replyParams(request, body) });
}

export function report(fx: Fx, kind: string, data: Record<string, unknown>): void {
  fx.push({ type: 'report', params: { kind, data } });
}

export function logLine(fx: Fx, level: 'debug' | 'info' | 'warn' | 'error', event: string, detail: Record<string, unknown>): void {
  fx.push({ type: 'log', params: { level, event, detail } });
}

/** NOT_CONTROLLER naming the leader when we know it. */
export function notController(ctx: ControllerContext): { code: 'NOT_CONTROLLER'; leaderId?: number; message: string } {
  const known = ctx.leaderId !== undefined && ctx.leaderId !== ctx.nodeId;
  return known ? { code: 'NOT_CONTROLLER', leaderId: ctx.leaderId as number, message: `controller ${ctx.nodeId} is not the leader` }
    : { code: 'NOT_CONTROLLER', message: `controller ${ctx.nodeId} is not the leader and knows no leader` };
}
