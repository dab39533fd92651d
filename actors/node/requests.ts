/**
 * Registration and heartbeats (KRaft's broker lifecycle): one request to the controller leader at
 * a time, registerNode until the node has an epoch, then nodeHeartbeat every interval. A
 * heartbeat carries the applied metadata offset and its reply the committed records since then
 * (heartbeat = metadata fetch); a lost or late answer is abandoned at its deadline and the next
 * heartbeat goes at once. A node that must catch up asks again at once after each reply.
 */
import { assert } from '../assert.js';
import { CONTROLLER_FOR_NODES, nodeAddress } from '../kit/addresses.js';
import { logLine, notify, send, sendFailFast, type Fx } from '../kit/fx.js';
import { newCorr } from '../kit/ops.js';
import { applyDelta } from './metadata.js';
import { answered, sessionLostFor, sessionRegained } from './session.js';
import type { HeartbeatReply, NodeContext, NodeNotice, RegisterReply } from './types.js';

/** Sends the registration or heartbeat that is due, unless one is in flight. */
export function beat(ctx: NodeContext, fx: Fx): void {
  assert(ctx.request === undefined || ctx.request.corr < ctx.nextCorr, 'the request in flight has an issued corr');
  if (ctx.request !== undefined || ctx.nowMs < ctx.nextBeatMs) return;
  const corr = newCorr(ctx);
  ctx.nextBeatMs = ctx.nowMs + ctx.knobs.heartbeatIntervalMs;
  assert(ctx.nextBeatMs > ctx.nowMs, 'the next beat waits an interval');
  if (ctx.nodeEpoch === undefined) {
    ctx.request = { kind: 'register', corr, sentMs: ctx.nowMs, deadlineMs: ctx.nowMs + ctx.knobs.requestTimeoutMs };
    send(fx, CONTROLLER_FOR_NODES, 'registerNode', { nodeId: ctx.nodeId, incarnationId: ctx.incarnationId, clusterId: ctx.cluster,
      address: nodeAddress(ctx.nodeId), ...(ctx.rack !== undefined ? { rack: ctx.rack } : {}),
      ...(ctx.kafkaListener !== undefined ? { kafkaListener: ctx.kafkaListener } : {}) }, corr);
    return;
  }
  ctx.request = { kind: 'heartbeat', corr, sentMs: ctx.nowMs, deadlineMs: ctx.nowMs + ctx.knobs.heartbeatTimeoutMs };
  // Fail-fast: with no controller leader listening (an election), the answer is UNKNOWN_ADDRESS at once (session.ts answered).
  sendFailFast(fx, CONTROLLER_FOR_NODES, 'nodeHeartbeat', { nodeId: ctx.nodeId, nodeEpoch: ctx.nodeEpoch, appliedOffset: ctx.image.offset,
    wantShutdown: ctx.shutdownRequested }, corr);
}

/** Tick: a request past its deadline is abandoned (a heartbeat's successor goes at once); then beat. */
export function onTick(ctx: NodeContext, fx: Fx, nowMs: number): void {
  assert(Number.isFinite(nowMs), 'a tick carries the time');
  ctx.nowMs = Math.max(ctx.nowMs, nowMs);
  const r = ctx.request;
  assert(ctx.nextBeatMs <= ctx.nowMs + ctx.knobs.heartbeatIntervalMs, 'a beat is never more than an interval away');
  if (r !== undefined && ctx.nowMs >= r.deadlineMs) {
    ctx.request = undefined;
    // The heartbeat or its reply was lost: send the next one now rather than at the next interval,
    // which the timeout may just have missed (a node catching up would lose most of an interval).
    if (r.kind === 'heartbeat') ctx.nextBeatMs = ctx.nowMs;
  }
  // A node that never acted on an image has no leadership to resign.
  if (ctx.imageReady) checkSession(ctx, fx);
  beat(ctx, fx);
}

function tellReplicas(fx: Fx, event: 'controllerChanged' | 'controllerUnreachable' | 'controllerReachable'): void {
  notify(fx, { kind: 'controller', event } satisfies NodeNotice);
}

/** No heartbeat answered for a session: the controller may have fenced this node; its partition leaders resign. */
function checkSession(ctx: NodeContext, fx: Fx): void {
  assert(ctx.imageReady, 'only a node that acted on an image has leaderships to resign');
  const silentMs = sessionLostFor(ctx.session, ctx.nowMs, ctx.knobs.controllerSessionMs);
  if (silentMs === undefined) return;
  assert(!ctx.session.lost && silentMs >= ctx.knobs.controllerSessionMs, 'a session is lost once, after a whole session of silence');
  ctx.session = { ...ctx.session, lost: true };
  // A catch-up target set before the silence names what was committed back then: reached after the
  // session is back, it would lead again from an image that predates this node's fencing (seed
  // 700170: node 5 took back a leadership two epochs old). The first answer after the loss sets a fresh one.
  ctx.catchUpTarget = undefined;
  logLine(fx, 'warn', 'controllerSessionLost', { silentMs: Math.round(silentMs), sessionMs: ctx.knobs.controllerSessionMs, action: 'partition leaderships resigned' });
  tellReplicas(fx, 'controllerUnreachable');
}

/** Whether a reply answers the request in flight (late and duplicated replies do not). */
export function answers(ctx: NodeContext, kind: 'register' | 'heartbeat', corr: number | undefined): boolean {
  return ctx.request?.kind === kind && ctx.request.corr === corr;
}

/** The registration was refused NODE_ID_IN_USE for longer than the give-up time: another live process has this id. */
export function gaveUp(ctx: NodeContext, body: RegisterReply): boolean {
  return body.code === 'NODE_ID_IN_USE' && ctx.refusedSinceMs !== undefined && ctx.nowMs - ctx.refusedSinceMs > ctx.knobs.registrationGiveUpMs;
}

export function onRegisterReply(ctx: NodeContext, fx: Fx, body: RegisterReply): void {
  assert(ctx.request?.kind === 'register', 'the registration in flight is answered');
  assert(ctx.nodeEpoch === undefined, 'a registered node does not register again');
  ctx.request = undefined;
  if (body.code === 'OK' && 'nodeEpoch' in body) {
    ctx.nodeEpoch = body.nodeEpoch;
    ctx.refusedSinceMs = undefined;
    ctx.nextBeatMs = ctx.nowMs; // The first heartbeat goes at once: it brings the metadata.
    logLine(fx, 'info', 'nodeRegistered', { nodeId: ctx.nodeId, nodeEpoch: body.nodeEpoch });
    return;
  }
  // A restarted process races its own expiring session; a second live process never wins.
  if (body.code === 'NODE_ID_IN_USE') ctx.refusedSinceMs ??= ctx.nowMs;
}

export function fatal(fx: Fx, code: string, message: string): void {
  logLine(fx, 'error', 'nodeFatal', { code, message });
  notify(fx, { kind: 'fatal', code, message } satisfies NodeNotice);
}

/** The controller no longer knows this incarnation: register again. */
export function epochLost(body: HeartbeatReply): boolean {
  return body.code === 'STALE_NODE_EPOCH' || body.code === 'NODE_NOT_REGISTERED';
}

export function forgetEpoch(ctx: NodeContext): void {
  ctx.request = undefined;
  ctx.nodeEpoch = undefined;
  ctx.nextBeatMs = ctx.nowMs; // Register again at once.
}

/**
 * Applies a heartbeat reply: the metadata it carries, and whether the node is caught up. Acts on
 * the image only once it holds everything that was committed when this catch-up began. A node
 * catching up (after a restart, or records capped per reply) replays history: acting on an
 * intermediate image would start replicas in roles long over, e.g. lead an epoch that ended while
 * this node was down. Until then, it asks again at once. The target stays fixed: chasing the
 * latest committed offset instead, a node that applies fewer records per second than the
 * controller commits would never act on its image at all. A new controller leader may report less
 * committed than its predecessor did for a moment: then it waits a beat.
 */
export function onHeartbeatReply(ctx: NodeContext, fx: Fx, body: HeartbeatReply): void {
  assert(!epochLost(body), 'a lost epoch is a transition of its own');
  const sentMs = ctx.request?.sentMs ?? ctx.nowMs;
  ctx.request = undefined;
  if (body.code === 'UNKNOWN_ADDRESS') ctx.session = answered(ctx.session, sentMs); // No controller leader: an election (session.ts).
  if (body.code !== 'OK' || !('committedOffset' in body)) return;
  ctx.session = answered(ctx.session, sentMs);
  // Another controller leader answers: ISR proposals sent to the old one may be lost with it.
  const controllerChanged = ctx.controllerTerm !== 0 && (body.term !== ctx.controllerTerm || body.leaderId !== ctx.controllerId);
  ctx.controllerId = body.leaderId;
  ctx.controllerTerm = body.term;
  if (controllerChanged) tellReplicas(fx, 'controllerChanged');
  ctx.heartbeatAckMs = ctx.nowMs;
  const image = applyDelta(ctx.image, body);
  if (image !== ctx.image) { ctx.image = image; ctx.imageChanged = true; }
  const behind = ctx.image.offset < body.committedOffset;
  if (behind) ctx.catchUpTarget ??= body.committedOffset;
  if (behind) ctx.nextBeatMs = ctx.nowMs; // Still behind (the log moved on while this node caught up): ask again at once.
  if (ctx.catchUpTarget !== undefined && ctx.image.offset < ctx.catchUpTarget) return;
  ctx.catchUpTarget = undefined;
  ctx.imageReady = true;
  if (ctx.imageChanged) {
    ctx.imageChanged = false;
    logLine(fx, 'debug', 'metadataApplied', { offset: ctx.image.offset, committedOffset: body.committedOffset });
    assert(ctx.nodeEpoch !== undefined, 'a registered node acts on its image');
    notify(fx, { kind: 'apply', image: ctx.image, nodeEpoch: ctx.nodeEpoch } satisfies NodeNotice);
  }
  // Answered again with the image caught up (and acted on): lead again where the controller says so.
  if (!sessionRegained(ctx.session, ctx.nowMs, ctx.knobs.controllerSessionMs)) return;
  ctx.session = { ...ctx.session, lost: false };
  logLine(fx, 'info', 'controllerSessionRegained', {});
  tellReplicas(fx, 'controllerReachable');
}

/** A heartbeat reply telling a node in controlled shutdown that its leaderships moved away. */
export function shutdownReady(body: HeartbeatReply): boolean {
  return body.code === 'OK' && 'shutdownReady' in body && body.shutdownReady;
}
