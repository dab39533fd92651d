/**
 * Replies that wait for their records to commit (KRaft's DeferredEventQueue): ordered by offset,
 * completed when the commit index passes them, failed with NOT_CONTROLLER when leadership is lost
 * (the records may still commit under the next leader; the requester retries idempotently or
 * re-reads metadata).
 *
 * A config change waits in a second stage once committed: its reply goes when every live unfenced
 * node's heartbeat says it applied the change, so the next request to any partition leader sees
 * it. A node that stops heartbeating loses its session and no longer holds the reply; one that
 * heartbeats without catching up holds it at most a node session timeout (after which the reply
 * goes anyway: the change is committed, and that node is as late as its metadata). Held replies
 * fail with NOT_CONTROLLER too when leadership is lost: the next leader has not heard the nodes, and a
 * config change retried is the same change.
 */
import { assert } from '../assert.js';
import type { SendParams } from '../effects.js';
import { sessionAlive, type AppliedWaiter, type ControllerContext, type Waiter } from './types.js';
import type { Fx } from '../kit/fx.js';
import { splitWhere, waitInOrder } from '../kit/purgatory.js';

export function park(ctx: ControllerContext, fx: Fx, index: number, send: SendParams, untilApplied = false): void {
  const waiter: Waiter = untilApplied ? { index, send, untilApplied } : { index, send };
  if (index <= ctx.commitIndex) { committed(ctx, fx, waiter); releaseApplied(ctx, fx); return; }
  const last = ctx.purgatory[ctx.purgatory.length - 1];
  assert(last === undefined || last.index <= index, 'waiters arrive in offset order');
  ctx.purgatory = waitInOrder(ctx.purgatory, waiter, indexOf);
}

function indexOf(w: { index: number }): number { return w.index; }

export function completeUpTo(ctx: ControllerContext, fx: Fx, index: number): void {
  assert(index <= ctx.commitIndex, 'replies complete only up to the commit index');
  const [done, rest] = splitWhere(ctx.purgatory, (w) => w.index <= index);
  for (const w of done) committed(ctx, fx, w);
  ctx.purgatory = rest as Waiter[];
  assert(ctx.purgatory.every((w) => w.index > index), 'every reply left waits for a later entry');
  if (done.some((w) => w.untilApplied === true)) releaseApplied(ctx, fx);
}

/** A reply whose records committed: sent, or held for the nodes to apply them. */
function committed(ctx: ControllerContext, fx: Fx, w: Waiter): void {
  assert(w.index <= ctx.commitIndex, 'only a committed reply leaves the first stage');
  if (w.untilApplied !== true) { fx.push({ type: 'send', params: w.send }); return; }
  assert(ctx.role === 'leader', 'only the leader holds replies');
  const held: AppliedWaiter = { index: w.index, send: w.send, deadlineMs: ctx.nowMs + ctx.knobs.nodeSessionTimeoutMs };
  ctx.appliedWaiters = waitInOrder(ctx.appliedWaiters, held, indexOf);
}

/** A node's heartbeat said which metadata offset it applied: replies that waited only for it go. */
export function noteApplied(ctx: ControllerContext, fx: Fx, nodeId: number, appliedOffset: number): void {
  assert(ctx.role === 'leader', 'the leader hears heartbeats');
  assert(appliedOffset >= 0, 'an applied offset');
  const key = String(nodeId);
  // The latest heartbeat, not the highest: a new incarnation may start from an older image.
  if (ctx.nodesApplied[key] !== appliedOffset) ctx.nodesApplied = { ...ctx.nodesApplied, [key]: appliedOffset };
  releaseApplied(ctx, fx);
}

/**
 * Second stage: the replies every live unfenced node has applied, or whose deadline passed (on the
 * leader's tick too, as sessions and deadlines run out).
 */
export function releaseApplied(ctx: ControllerContext, fx: Fx): void {
  if (ctx.appliedWaiters.length === 0) return;
  const before = ctx.appliedWaiters.length;
  const floor = appliedByAll(ctx);
  const [done, rest] = splitWhere(ctx.appliedWaiters, (w) => w.index <= floor || w.deadlineMs <= ctx.nowMs);
  for (const w of done) fx.push({ type: 'send', params: w.send });
  ctx.appliedWaiters = rest as AppliedWaiter[];
  assert(done.length + ctx.appliedWaiters.length === before, 'every held reply is sent or still held');
  assert(ctx.appliedWaiters.every((w) => w.index > floor && w.index <= ctx.commitIndex), 'held replies wait for committed changes not yet applied everywhere');
}

/** The lowest offset applied by the live unfenced nodes of the committed image (a node not heard from yet counts as none). */
function appliedByAll(ctx: ControllerContext): number {
  assert(ctx.role === 'leader', 'the leader counts what the nodes applied');
  let floor = ctx.commitIndex;
  for (const node of Object.values(ctx.image.nodes)) {
    if (node.state === 'fenced' || !sessionAlive(ctx, node.nodeId)) continue;
    floor = Math.min(floor, ctx.nodesApplied[String(node.nodeId)] ?? -1);
  }
  assert(floor <= ctx.commitIndex, 'no node applied past the commit index');
  return floor;
}

export function failAll(ctx: ControllerContext, fx: Fx, body: Record<string, unknown>): void {
  for (const w of [...ctx.purgatory, ...ctx.appliedWaiters]) fx.push({ type: 'send', params: { ...w.send, body } });
  ctx.purgatory = [];
  ctx.appliedWaiters = [];
}
