// Goal: registration, heartbeats, session-expiry fencing and unfencing move partition leadership.
// Method: three controllers in harness.ts; nodes are simulated by sending requests to the controller leader's node address.
import test from 'ava';
import { Cluster } from './harness.js';
import { controllerNextTickAt } from '../../../actors/controller.js';
import { controllerKind } from '../../../runtime/node/kinds.js';
import { CONTROLLER_FOR_ADMIN, CONTROLLER_FOR_NODES, controllerVoter, nodeAddress } from '../../../actors/kit/addresses.js';

function register(c: Cluster, id: number, incarnation = `inc-${id}`): Record<string, unknown> | undefined {
  const corr = c.request(CONTROLLER_FOR_NODES, 'registerNode', { nodeId: id, incarnationId: incarnation, clusterId: 'c1', address: nodeAddress(id) });
  c.advance(30);
  return c.reply(corr);
}

function beat(c: Cluster, id: number, nodeEpoch: number, appliedOffset = 1_000_000): Record<string, unknown> | undefined {
  return c.reply(c.request(CONTROLLER_FOR_NODES, 'nodeHeartbeat', { nodeId: id, nodeEpoch, appliedOffset }));
}

test('fencing on session expiry moves leadership with a new leader epoch; unfencing restores', (t) => {
  const c = new Cluster([1, 2, 3], 31);
  c.elect();
  const epochs = new Map<number, number>();
  for (const id of [1, 2, 3]) epochs.set(id, register(c, id)?.['nodeEpoch'] as number);
  t.true(c.leader().ctx.image.nodes['1']?.state === 'fenced', 'a new registration starts fenced');
  for (const id of [1, 2, 3]) beat(c, id, epochs.get(id) as number);
  c.advance(30);
  t.is(c.leader().ctx.image.nodes['1']?.state, 'unfenced');
  const created = c.request(CONTROLLER_FOR_ADMIN, 'createTopic', { name: 'p', partitions: 3, replicationFactor: 2, configs: {} });
  c.advance(30);
  t.is(c.reply(created)?.['code'], 'OK');
  const before = c.leader().ctx.image.topics['p']?.partitions ?? [];
  const victim = before[0]?.leader as number;
  // Everyone but the victim keeps heartbeating past the session timeout.
  for (let i = 0; i < 20; i++) {
    for (const id of [1, 2, 3]) if (id !== victim) beat(c, id, epochs.get(id) as number);
    c.advance(100);
  }
  const image = c.leader().ctx.image;
  t.is(image.nodes[String(victim)]?.state, 'fenced');
  const after = image.topics['p']?.partitions ?? [];
  before.forEach((p, i) => {
    const q = after[i];
    if (p.leader === victim) { t.not(q?.leader, victim); t.is(q?.leaderEpoch, p.leaderEpoch + 1); }
    t.false(q?.isr.includes(victim) ?? true, 'the fenced node left every ISR');
  });
  const hb = beat(c, victim, epochs.get(victim) as number);
  t.like(hb, { code: 'OK', fenced: true });
  c.advance(30);
  t.is(c.leader().ctx.image.nodes[String(victim)]?.state, 'unfenced', 'a caught-up heartbeat unfences');
  t.like(beat(c, victim, 0), { code: 'STALE_NODE_EPOCH' });
  t.like(beat(c, 99, 1), { code: 'NODE_NOT_REGISTERED' });
});

test('registration errors: foreign cluster, live node id in use; heartbeats carry committed records', (t) => {
  const c = new Cluster([1, 2, 3], 37);
  c.elect();
  const epoch = register(c, 1)?.['nodeEpoch'] as number;
  t.true(epoch > 0);
  const foreign = c.reply(c.request(CONTROLLER_FOR_NODES, 'registerNode', { nodeId: 2, incarnationId: 'x', clusterId: 'other', address: nodeAddress(2) }));
  t.like(foreign, { code: 'INCONSISTENT_CLUSTER_ID' });
  const hb = beat(c, 1, epoch, 0);
  t.like(hb, { code: 'OK', fenced: true });
  const records = hb?.['records'] as Array<{ offset: number; record: { type: string } }>;
  t.is(records[0]?.offset, 1);
  t.true(records.some((r) => r.record.type === 'nodeRegistered'));
  beat(c, 1, epoch);
  c.advance(30);
  t.like(register(c, 1, 'another'), { code: 'NODE_ID_IN_USE' });
  t.like(register(c, 1), { code: 'OK', nodeEpoch: epoch }, 'a retried registration is idempotent');
});

test('a silent node is probed; "nothing listens" fences it long before its session would run out', (t) => {
  const c = new Cluster([1, 2, 3], 41);
  c.elect();
  const epochs = new Map<number, number>();
  for (const id of [1, 2, 3]) epochs.set(id, register(c, id)?.['nodeEpoch'] as number);
  for (const id of [1, 2, 3]) beat(c, id, epochs.get(id) as number);
  c.advance(30);
  const leaderId = c.leader().nodeId;
  const victim = [1, 2, 3].find((id) => id !== leaderId) as number;
  const other = [1, 2, 3].find((id) => id !== leaderId && id !== victim) as number;
  const keepAlive = (ms: number): void => {
    for (let t = 0; t < ms; t += 100) { for (const id of [leaderId, other]) beat(c, id, epochs.get(id) as number); c.advance(100); }
  };
  keepAlive(100);
  t.deepEqual(c.toNodes, [], 'no probe while heartbeats are recent');
  keepAlive(300);
  const probes = c.toNodes.filter((m) => m.type === 'probe');
  t.true(probes.length >= 1 && probes.every((m) => m.to === nodeAddress(victim) && m.failFast === true), JSON.stringify(c.toNodes));
  const probe = probes[probes.length - 1] as (typeof probes)[number];
  // A live node's OK changes nothing; an answer to an older probe is ignored too.
  c.deliver(nodeAddress(victim), { to: controllerVoter(leaderId), type: 'probeReply', corr: probe.corr as number, body: { code: 'OK' } });
  c.deliver(nodeAddress(victim), { to: controllerVoter(leaderId), type: 'probeReply', corr: (probe.corr as number) - 1000, body: { code: 'UNKNOWN_ADDRESS' } });
  c.advance(10);
  t.is(c.leader().ctx.image.nodes[String(victim)]?.state, 'unfenced');
  // The transport says nothing listens there: fenced now, about 500 ms into a 1500 ms session.
  c.deliver(nodeAddress(victim), { to: controllerVoter(leaderId), type: 'probeReply', corr: probe.corr as number, body: { code: 'UNKNOWN_ADDRESS' } });
  c.advance(20);
  t.is(c.leader().ctx.image.nodes[String(victim)]?.state, 'fenced');
  t.is(c.leader().ctx.image.nodes[String(other)]?.state, 'unfenced');
});

test('a new controller leader probes at once the nodes it has not heard from, and fences the dead one', (t) => {
  const c = new Cluster([1, 2, 3], 43);
  const first = c.elect();
  const epochs = new Map<number, number>();
  for (const id of [1, 2, 3]) epochs.set(id, register(c, id)?.['nodeEpoch'] as number);
  for (const id of [1, 2, 3]) beat(c, id, epochs.get(id) as number);
  c.advance(30);
  c.kill(first.nodeId); // the controller leader's node dies, and with it that node
  const second = c.elect();
  c.toNodes = [];
  c.advance(20);
  const probed = c.toNodes.filter((m) => m.type === 'probe' && m.failFast === true).map((m) => m.to);
  t.true(probed.includes(nodeAddress(first.nodeId)), `probed ${probed.join(', ')} before any silence had passed`);
  const probe = c.toNodes.find((m) => m.to === nodeAddress(first.nodeId));
  c.deliver(nodeAddress(first.nodeId), { to: controllerVoter(second.nodeId), type: 'probeReply', corr: probe?.corr as number, body: { code: 'UNKNOWN_ADDRESS' } });
  c.advance(20);
  t.is(c.leader().ctx.image.nodes[String(first.nodeId)]?.state, 'fenced');
});

test('nextTickAt wakes a follower at its election deadline and the leader at its next heartbeat or a silent node\'s probe', (t) => {
  t.is(controllerKind().nextTickAt as unknown, controllerNextTickAt as unknown, 'the host asks the controller kind for it');
  const c = new Cluster([1, 2, 3], 43);
  c.elect();
  const epochs = new Map<number, number>();
  for (const id of [1, 2, 3]) epochs.set(id, register(c, id)?.['nodeEpoch'] as number);
  for (const id of [1, 2, 3]) beat(c, id, epochs.get(id) as number);
  c.advance(30);
  const leader = c.leader();
  const follower = c.get([1, 2, 3].find((id) => id !== leader.nodeId) as number);
  t.is(controllerNextTickAt(follower.ctx), follower.ctx.electionDeadlineMs);
  t.is(controllerNextTickAt(leader.ctx), leader.ctx.heartbeatDueMs, 'every node heard just now: the heartbeat comes first');
  // Node 'silent' stops beating; the others keep on. Its probe is due nodeProbeAfterMs after its last beat.
  const silent = follower.nodeId;
  const lastBeatMs = leader.ctx.nowMs;
  beat(c, silent, epochs.get(silent) as number);
  for (let i = 0; i < 3; i++) {
    for (const id of [1, 2, 3]) if (id !== silent) beat(c, id, epochs.get(id) as number);
    c.advance(50);
  }
  const ctx = c.leader().ctx;
  const probeAtMs = (ctx.sessions[String(silent)] as number) - ctx.knobs.nodeSessionTimeoutMs + ctx.knobs.nodeProbeAfterMs;
  t.true(probeAtMs > ctx.lastTickMs && probeAtMs <= lastBeatMs + ctx.knobs.nodeProbeAfterMs + 50, `probe due at ${probeAtMs}`);
  t.is(controllerNextTickAt(ctx), Math.min(ctx.heartbeatDueMs, probeAtMs));
  t.is(controllerNextTickAt({ ...ctx, heartbeatDueMs: ctx.nowMs + 10_000 }), probeAtMs, 'with the heartbeat far off, the probe is next');
  // Only the silent node left to watch (the others not heard: probed on the next regular tick).
  const probed = { ...ctx, heartbeatDueMs: ctx.nowMs + 10_000, sessionsHeard: { [String(silent)]: true as const },
    probes: { [String(silent)]: { corr: 1, atMs: probeAtMs + 5, nodeEpoch: 1 } } };
  t.is(controllerNextTickAt(probed), probeAtMs + 5 + ctx.knobs.nodeProbeEveryMs, 'once probed, the next probe waits nodeProbeEveryMs');
  const sessionEndMs = ctx.sessions[String(silent)] as number;
  const longProbes = { ...probed, knobs: { ...ctx.knobs, nodeProbeEveryMs: 60_000 } };
  t.is(controllerNextTickAt(longProbes), sessionEndMs, 'then its session running out');
});
