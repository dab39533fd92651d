/**
 * Node sessions and fast fencing of dead nodes: a node whose session ran out is fenced (one
 * decision per node, on the leader's tick). A node's session runs out only `nodeSessionTimeoutMs` after its
 * last heartbeat, and every partition it leads is unavailable until then. So the leader probes a
 * node that has been silent for `nodeProbeAfterMs`, fail-fast: when the transport answers that
 * nothing listens at the node's address (NATS "no responders": the process and its connection
 * are gone), the session ends now. Silence or a lost probe proves nothing and changes nothing; a
 * live node answers OK. Fencing early is safe — leader epochs, not sessions, fence old leaders —
 * it only moves leadership sooner.
 */
import { assert } from '../assert.js';
import type { ControllerContext, ProbeReply, From } from './types.js';
import { controllerVoter, nodeAddress, nodeIdOf } from '../kit/addresses.js';
import { decideFenceNode } from '../metadata/decide.js';
import { propose } from './replication.js';
import { decideEnv } from './requests.js';
import { logLine, type Fx } from '../kit/fx.js';

/**
 * When an unfenced node is next due a probe: once silent for `nodeProbeAfterMs`, and at most
 * every `nodeProbeEveryMs`. A node not heard since this leader took over is due at once: after a
 * failover of the controller itself, the node that died with the old leader is found without more
 * waiting. probeSilentNodes acts on it; tick.ts nextTickAt wakes the leader for it.
 */
export function probeDueAtMs(ctx: ControllerContext, id: string): number {
  const { nodeSessionTimeoutMs, nodeProbeAfterMs, nodeProbeEveryMs } = ctx.knobs;
  assert(nodeProbeEveryMs > 0, 'probes are spaced');
  const lastHeardMs = (ctx.sessions[id] ?? -Infinity) - nodeSessionTimeoutMs;
  const silentAtMs = ctx.sessionsHeard[id] === true ? lastHeardMs + nodeProbeAfterMs : -Infinity;
  const previous = ctx.probes[id];
  const dueMs = Math.max(silentAtMs, previous === undefined ? -Infinity : previous.atMs + nodeProbeEveryMs);
  assert(!Number.isNaN(dueMs), 'a due time is a time');
  return dueMs;
}

/** Tick (leader): one probe per silent (or not yet heard) unfenced node, at most every `nodeProbeEveryMs`. */
export function probeSilentNodes(ctx: ControllerContext, fx: Fx): void {
  const working = ctx.working;
  if (working === undefined) return;
  assert(ctx.role === 'leader', 'only the leader probes');
  assert(ctx.lastTickMs === ctx.nowMs, 'probes are decided on the leader\'s tick');
  for (const id of Object.keys(working.nodes).map(Number).sort((a, b) => a - b)) {
    const node = working.nodes[String(id)];
    if (node === undefined || node.state === 'fenced' || id === ctx.nodeId) continue;
    if (ctx.nowMs < probeDueAtMs(ctx, String(id))) continue;
    const corr = ctx.nextProbeCorr++;
    ctx.probes = { ...ctx.probes, [String(id)]: { corr, atMs: ctx.nowMs, nodeEpoch: node.nodeEpoch } };
    fx.push({ type: 'send', params: { to: nodeAddress(id), type: 'probe', corr, replyTo: controllerVoter(ctx.nodeId), body: { nodeEpoch: node.nodeEpoch }, failFast: true } });
  }
}

/** UNKNOWN_ADDRESS for the latest probe of a node still silent and unfenced in the same incarnation ends its session. */
export function onProbeReply(ctx: ControllerContext, fx: Fx, reply: ProbeReply & From): void {
  if (ctx.role !== 'leader' || ctx.working === undefined || reply.code !== 'UNKNOWN_ADDRESS') return;
  assert(ctx.nextProbeCorr > 0, 'probe corrs are counters');
  const id = nodeIdOf(reply.from) ?? NaN;
  const probe = ctx.probes[String(id)];
  if (probe === undefined || probe.corr !== reply.corr) return;
  const node = ctx.working.nodes[String(id)];
  if (node === undefined || node.state === 'fenced' || node.nodeEpoch !== probe.nodeEpoch) return;
  const lastHeardMs = (ctx.sessions[String(id)] ?? -Infinity) - ctx.knobs.nodeSessionTimeoutMs;
  if (lastHeardMs > probe.atMs) return; // It spoke after the probe left: the answer is out of date.
  assert(probe.nodeEpoch === node.nodeEpoch, 'the probe went to this incarnation');
  logLine(fx, 'info', 'nodeGone', { nodeId: id, silentMs: ctx.nowMs - lastHeardMs });
  ctx.sessions = { ...ctx.sessions, [String(id)]: ctx.nowMs };
  expireSessions(ctx, fx);
}

/**
 * Fence every node whose session ran out (one decision per node, in node id order). Each decision
 * reads the working image the previous one left: two nodes fenced in one tick both change a
 * partition they share, and deciding both on one image wrote two records with the same partition
 * epoch (seeds 720116, 222435).
 */
export function expireSessions(ctx: ControllerContext, fx: Fx): void {
  if (ctx.working === undefined) return;
  assert(ctx.role === 'leader', 'only the leader fences nodes');
  const ids = Object.keys(ctx.working.nodes).map(Number).sort((a, b) => a - b);
  for (const id of ids) {
    const working = ctx.working;
    assert(working !== undefined, 'a leader keeps its working image while it fences');
    if (working.nodes[String(id)]?.state === 'fenced') continue;
    if ((ctx.sessions[String(id)] ?? -Infinity) > ctx.nowMs) continue;
    assert(working.nodes[String(id)] !== undefined, 'a session belongs to a registered node');
    const records = decideFenceNode(working, id, decideEnv(ctx));
    if (records.length === 0) continue;
    logLine(fx, 'info', 'nodeSessionExpired', { nodeId: id });
    propose(ctx, fx, records, undefined);
  }
}
