// Goal: the node lifecycle as a statechart: registering → catchingUp → serving, back to
// registering when the controller forgets the epoch, catching up again when the log moved on,
// controlled shutdown, and the refusals that end the node. Method: drive the machine with xstate's
// pure initialTransition/transition and assert the next state, context and effects (each step's
// input snapshot is checked unchanged, and invariants() runs after each).
import test from 'ava';
import { initialTransition, transition } from 'xstate';
import { invariants, NODE_DEFAULTS, nodeMachine, parseNodeMessage, type NodeEvent, type NodeNotice } from '../../../actors/node.js';
import type { MetadataRecord } from '../../../actors/metadata/records.js';
import { CONTROLLER_FOR_NODES } from '../../../actors/kit/addresses.js';
import { deepClone, firstDifference } from '../../helpers/pure-transitions.js';

type Snapshot = ReturnType<typeof initialTransition<typeof nodeMachine>>[0];
interface Action { type: string; params?: unknown }

const input = { nodeId: 2, cluster: 'c1', incarnationId: 'i2', knobs: NODE_DEFAULTS, nowMs: 1000 };
const CONTROLLER = 'n/ctl/1';

class Node {
  snapshot: Snapshot;
  actions: Action[];
  constructor() { [this.snapshot, this.actions] = initialTransition(nodeMachine, input) as [Snapshot, Action[]]; }
  get state(): string { return String(this.snapshot.value); }
  get ctx() { return this.snapshot.context; }
  send(event: NodeEvent): Action[] {
    const before = deepClone({ value: this.snapshot.value, context: this.snapshot.context });
    const [next, actions] = transition(nodeMachine, this.snapshot, event);
    const diff = firstDifference(before, { value: this.snapshot.value, context: this.snapshot.context });
    if (diff !== undefined) throw new Error(`${event.type} changed its input snapshot at ${diff}`);
    if (next.status === 'active') invariants(next.context);
    this.snapshot = next;
    this.actions = actions as Action[];
    return this.actions;
  }
  tick(ms: number): Action[] { return this.send({ type: 'tick', nowMs: this.ctx.nowMs + ms }); }
  sent(type: string): Array<{ to: string; type: string; corr?: number; body: Record<string, unknown> }> {
    return this.actions.filter((a) => a.type === 'send').map((a) => a.params as { to: string; type: string; corr?: number; body: Record<string, unknown> }).filter((p) => p.type === type);
  }
  notices(): NodeNotice[] { return this.actions.filter((a) => a.type === 'notify').map((a) => (a.params as { notice: NodeNotice }).notice); }
  corr(): number { return this.ctx.request?.corr ?? -1; }
}

const registered = (nodeId: number, offset: number): MetadataRecord => ({ type: 'nodeRegistered', nodeId, nodeEpoch: offset, incarnationId: `i${nodeId}`, address: `n/node/${nodeId}` });
const unfenced = (nodeId: number, nodeEpoch: number): MetadataRecord => ({ type: 'nodeUnfenced', nodeId, nodeEpoch });

function heartbeatReply(corr: number, committedOffset: number, records: Array<[number, MetadataRecord]>, extra: Record<string, unknown> = {}): NodeEvent {
  return { type: 'nodeHeartbeatReply', from: CONTROLLER, corr, body: { code: 'OK', leaderId: 1, term: 3, fenced: false, shutdownReady: false, committedOffset,
    records: records.map(([offset, record]) => ({ offset, record })), ...extra } as never };
}

/** A node registered as epoch 5 whose first heartbeat is in flight. */
function registeredNode(): Node {
  const n = new Node();
  n.tick(1);
  n.send({ type: 'registerNodeReply', from: CONTROLLER, corr: n.corr(), body: { code: 'OK', nodeEpoch: 5 } });
  return n;
}

test('a new node registers at once, then heartbeats; a late reply to an abandoned registration changes nothing', (t) => {
  const n = new Node();
  t.is(n.state, 'registering');
  n.tick(1);
  const [register] = n.sent('registerNode');
  t.is(register?.to, CONTROLLER_FOR_NODES);
  t.like(register?.body, { nodeId: 2, incarnationId: 'i2', clusterId: 'c1', address: 'n/node/2' });
  n.tick(NODE_DEFAULTS.requestTimeoutMs); // The registration is abandoned; the next one goes.
  const second = n.sent('registerNode')[0];
  t.truthy(second);
  t.not(second?.corr, register?.corr);
  n.send({ type: 'registerNodeReply', from: CONTROLLER, corr: register?.corr as number, body: { code: 'OK', nodeEpoch: 4 } });
  t.is(n.state, 'registering', 'an answer to the abandoned registration is ignored');
  t.is(n.ctx.nodeEpoch, undefined);
  n.send({ type: 'registerNodeReply', from: CONTROLLER, corr: second?.corr as number, body: { code: 'OK', nodeEpoch: 5 } });
  t.is(n.state, 'catchingUp');
  t.is(n.ctx.nodeEpoch, 5);
  t.like(n.sent('nodeHeartbeat')[0]?.body, { nodeId: 2, nodeEpoch: 5, appliedOffset: 0, wantShutdown: false }, 'the first heartbeat goes at once');
});

test('the image is acted on only once it holds what was committed when the catch-up began', (t) => {
  const n = registeredNode();
  n.send(heartbeatReply(n.corr(), 4, [[1, registered(1, 1)], [2, unfenced(1, 1)]]));
  t.is(n.state, 'catchingUp');
  t.is(n.ctx.image.offset, 2);
  t.is(n.ctx.catchUpTarget, 4);
  t.deepEqual(n.notices(), [], 'not acted on mid-catch-up');
  t.is(n.sent('nodeHeartbeat').length, 1, 'asks again at once');
  // The log moved on to 9 meanwhile: the target stays 4.
  n.send(heartbeatReply(n.corr(), 9, [[3, registered(2, 3)], [4, unfenced(2, 3)]]));
  t.is(n.state, 'serving');
  t.is(n.ctx.catchUpTarget, undefined);
  const [notice] = n.notices();
  t.is(notice?.kind, 'apply');
  t.is(notice?.kind === 'apply' ? notice.image.offset : -1, 4);
  t.is(n.sent('nodeHeartbeat').length, 1, 'still behind the log: asks again at once');
  // Behind again: back to catching up, serving once there.
  n.send(heartbeatReply(n.corr(), 9, [[5, registered(3, 5)]]));
  t.is(n.state, 'catchingUp');
  n.send(heartbeatReply(n.corr(), 9, [[6, unfenced(3, 5)], [7, { type: 'leaderChanged', leaderId: 1, term: 3 }], [8, { type: 'leaderChanged', leaderId: 1, term: 3 }], [9, { type: 'leaderChanged', leaderId: 1, term: 3 }]]));
  t.is(n.state, 'serving');
  t.is(n.ctx.image.offset, 9);
});

test('duplicated, reordered and gapped records are applied once, in order', (t) => {
  const n = registeredNode();
  n.send(heartbeatReply(n.corr(), 2, [[1, registered(1, 1)], [2, unfenced(1, 1)]]));
  t.is(n.state, 'serving');
  n.tick(NODE_DEFAULTS.heartbeatIntervalMs);
  // A record already applied, then a gap: nothing new is applied and nothing fails.
  n.send(heartbeatReply(n.corr(), 4, [[2, unfenced(1, 1)], [4, registered(2, 4)]]));
  t.is(n.ctx.image.offset, 2);
  t.is(n.state, 'catchingUp');
});

test('a lost session forgets its catch-up target: leaderships come back only with an image as fresh as the first answer after the silence (seed 700170)', (t) => {
  const n = registeredNode();
  n.send(heartbeatReply(n.corr(), 2, [[1, registered(1, 1)], [2, unfenced(1, 1)]]));
  t.is(n.state, 'serving');
  n.tick(NODE_DEFAULTS.heartbeatIntervalMs);
  n.send(heartbeatReply(n.corr(), 6, [[3, registered(2, 3)], [4, unfenced(2, 3)]]));
  t.is(n.ctx.catchUpTarget, 6, 'behind: a target of 6');
  // Silence for a session: every heartbeat times out, the leaderships are resigned.
  for (let waited = 0; waited <= NODE_DEFAULTS.controllerSessionMs; waited += NODE_DEFAULTS.heartbeatTimeoutMs) n.tick(NODE_DEFAULTS.heartbeatTimeoutMs);
  t.true(n.ctx.session.lost);
  t.is(n.ctx.catchUpTarget, undefined, 'the target from before the silence is forgotten');
  // Answered again: records up to the old target, while the log has moved on to 10 (this node may have been fenced since).
  n.send(heartbeatReply(n.corr(), 10, [[5, { type: 'leaderChanged', leaderId: 1, term: 3 }], [6, { type: 'leaderChanged', leaderId: 1, term: 3 }]]));
  t.is(n.ctx.image.offset, 6);
  t.true(n.ctx.session.lost, 'not regained on an image older than the answer');
  t.false(n.notices().some((x) => x.kind === 'controller'), 'no leadership taken back');
  t.is(n.ctx.catchUpTarget, 10);
  n.send(heartbeatReply(n.corr(), 10, [7, 8, 9, 10].map((o) => [o, { type: 'leaderChanged', leaderId: 1, term: 3 }] as [number, MetadataRecord])));
  t.false(n.ctx.session.lost, 'regained once caught up to the first answer');
  t.deepEqual(n.notices().filter((x) => x.kind === 'controller'), [{ kind: 'controller', event: 'controllerReachable' }]);
});

test('a lost heartbeat is abandoned at its deadline and the next goes at once', (t) => {
  const n = registeredNode();
  const first = n.corr();
  n.tick(NODE_DEFAULTS.heartbeatTimeoutMs);
  const [next] = n.sent('nodeHeartbeat');
  t.truthy(next);
  t.not(next?.corr, first);
  n.send(heartbeatReply(first, 0, []));
  t.is(n.ctx.request?.corr, next?.corr, 'the answer to the abandoned heartbeat is ignored');
});

test('a controller that forgot the epoch sends the node back to registering', (t) => {
  const n = registeredNode();
  n.send(heartbeatReply(n.corr(), 2, [[1, registered(1, 1)], [2, unfenced(1, 1)]]));
  n.tick(NODE_DEFAULTS.heartbeatIntervalMs);
  n.send({ type: 'nodeHeartbeatReply', from: CONTROLLER, corr: n.corr(), body: { code: 'STALE_NODE_EPOCH', message: 'fenced' } });
  t.is(n.state, 'registering');
  t.is(n.ctx.nodeEpoch, undefined);
  t.true(n.ctx.imageReady, 'it still answers metadata from the image it has');
  t.is(n.sent('registerNode').length, 1, 'and registers again at once');
});

test('controlled shutdown: heartbeats ask for it until the controller says the node may go', (t) => {
  const n = registeredNode();
  n.send(heartbeatReply(n.corr(), 2, [[1, registered(1, 1)], [2, unfenced(1, 1)]]));
  n.send({ type: 'shutdown' });
  t.is(n.state, 'shuttingDown');
  n.tick(NODE_DEFAULTS.heartbeatTimeoutMs); // The heartbeat in flight (without the flag) is abandoned.
  t.like(n.sent('nodeHeartbeat')[0]?.body, { wantShutdown: true });
  n.send(heartbeatReply(n.corr(), 2, [], { shutdownReady: false }));
  t.is(n.state, 'shuttingDown');
  n.tick(NODE_DEFAULTS.heartbeatIntervalMs);
  n.send(heartbeatReply(n.corr(), 2, [], { shutdownReady: true }));
  t.is(n.state, 'stopped');
  t.deepEqual(n.notices(), [{ kind: 'stopped' }]);
  t.deepEqual(n.sent('nodeHeartbeat'), [], 'no heartbeat after the last one');
  t.is(n.snapshot.status, 'done');
});

test('a shutdown before the node acted on any image stops it at once', (t) => {
  const n = new Node();
  n.send({ type: 'shutdown' });
  t.is(n.state, 'stopped');
  t.deepEqual(n.notices(), [{ kind: 'stopped' }]);
  const m = registeredNode();
  m.send({ type: 'shutdown' });
  t.is(m.state, 'stopped', 'registered but not caught up: nothing to move away');
});

test('another cluster\'s controller, or a node id held by a live process, ends the node', (t) => {
  const n = new Node();
  n.tick(1);
  n.send({ type: 'registerNodeReply', from: CONTROLLER, corr: n.corr(), body: { code: 'INCONSISTENT_CLUSTER_ID', message: 'cluster c2' } });
  t.is(n.state, 'failed');
  t.deepEqual(n.notices(), [{ kind: 'fatal', code: 'INCONSISTENT_CLUSTER_ID', message: 'cluster c2' }]);

  const m = new Node();
  let refusals = 0;
  while (m.state === 'registering' && refusals < 100) {
    m.tick(NODE_DEFAULTS.heartbeatIntervalMs);
    m.send({ type: 'registerNodeReply', from: CONTROLLER, corr: m.corr(), body: { code: 'NODE_ID_IN_USE', message: 'in use' } });
    refusals++;
  }
  t.is(m.state, 'failed');
  t.is(m.notices()[0]?.kind, 'fatal');
  t.true(refusals * NODE_DEFAULTS.heartbeatIntervalMs > NODE_DEFAULTS.registrationGiveUpMs, `gave up after ${refusals} refusals, not before the give-up time`);
});

test('probes are answered in every live state', (t) => {
  const n = new Node();
  n.send({ type: 'probe', from: CONTROLLER, corr: 7, replyTo: CONTROLLER });
  t.deepEqual(n.sent('probeReply').map((s) => [s.to, s.corr, s.body]), [[CONTROLLER, 7, { code: 'OK' }]]);
});

test('the validator refuses malformed replies and other message types', (t) => {
  const bad = parseNodeMessage({ type: 'nodeHeartbeatReply', from: CONTROLLER, corr: 1, body: { code: 'OK', leaderId: 1, term: 1, fenced: false, shutdownReady: false,
    committedOffset: 3, records: [{ offset: 1, record: { type: 'nodeRegistered', nodeId: -4 } }] } });
  t.like(bad, { ok: false, code: 'INVALID_REQUEST' });
  t.like(parseNodeMessage({ type: 'produce', from: 'client/x', body: {} }), { ok: false, code: 'UNSUPPORTED_MESSAGE' });
  t.like(parseNodeMessage({ type: 'registerNodeReply', from: CONTROLLER, corr: 1, body: { code: 'OK' } }), { ok: false, code: 'INVALID_REQUEST' });
  t.like(parseNodeMessage({ type: 'registerNodeReply', from: CONTROLLER, corr: 1, body: { code: 'OK', nodeEpoch: 3 } }), { ok: true });
});
