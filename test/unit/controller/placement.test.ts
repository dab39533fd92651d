// Goal: the controller drives a reassignment to completion across a controller failover, elects
// preferred leaders on request and on its imbalance check, drains a decommissioned node, and runs
// a balance plan a few partitions at a time.
// Method: three controllers in harness.ts; nodes are simulated by sending their requests
// (register, heartbeat, the partition leader's alterPartition) to the controller leader's node address.
import test from 'ava';
import { Cluster } from './harness.js';
import type { PartitionImage } from '../../../actors/metadata/image.js';
import { CONTROLLER_FOR_ADMIN, CONTROLLER_FOR_NODES, nodeAddress } from '../../../actors/kit/addresses.js';

class Nodes {
  epochs = new Map<number, number>();
  constructor(readonly c: Cluster) {}
  register(id: number): void {
    const corr = this.c.request(CONTROLLER_FOR_NODES, 'registerNode', { nodeId: id, incarnationId: `inc-${id}-${this.c.nowMs}`, clusterId: 'c1', address: nodeAddress(id) });
    this.c.advance(30);
    this.epochs.set(id, this.c.reply(corr)?.['nodeEpoch'] as number);
  }
  beat(ids = [...this.epochs.keys()]): void {
    for (const id of ids) this.c.request(CONTROLLER_FOR_NODES, 'nodeHeartbeat', { nodeId: id, nodeEpoch: this.epochs.get(id), appliedOffset: 1_000_000 });
    this.c.settle();
  }
  /** Time passes with everyone heartbeating. */
  run(ms: number, ids?: number[]): void { for (let t = 0; t < ms; t += 100) { this.beat(ids); this.c.advance(100); } }
  ask(type: string, body: Record<string, unknown>): Record<string, unknown> | undefined {
    const corr = this.c.request(CONTROLLER_FOR_ADMIN, type, body);
    this.c.advance(50);
    return this.c.reply(corr);
  }
  partition(topic: string, p = 0): PartitionImage {
    const found = this.c.leader().ctx.image.topics[topic]?.partitions[p];
    if (found === undefined) throw new Error(`no ${topic}/${p}`);
    return found;
  }
  /** What the partition's leader does once `joiners` caught up: propose them into the ISR. */
  joinIsr(topic: string, p: number, joiners: number[]): Record<string, unknown> | undefined {
    const s = this.partition(topic, p);
    const topicId = this.c.leader().ctx.image.topics[topic]?.topicId;
    return this.ask('alterPartition', { topicId, partition: p, leaderId: s.leader, leaderEpoch: s.leaderEpoch, partitionEpoch: s.partitionEpoch,
      isr: [...s.isr, ...joiners.filter((id) => !s.isr.includes(id))] });
  }
}

function start(seed: number, nodes: number[], settings: Record<string, string> = {}): Nodes {
  const c = new Cluster([1, 2, 3], seed);
  c.elect();
  const n = new Nodes(c);
  // Nodes joining one by one would start balance plans; these tests start their own.
  t0(n.ask('alterClusterConfigs', { configs: { 'auto.balance.on.join': 'false', ...settings } }));
  for (const id of nodes) n.register(id);
  n.run(200);
  return n;
}

function t0(reply: Record<string, unknown> | undefined): void { if (reply?.['code'] !== 'OK') throw new Error(JSON.stringify(reply)); }

test('a reassignment [1,2,3] → [2,3,4] survives a controller failover and finishes once node 4 is in sync', (t) => {
  const n = start(41, [1, 2, 3, 4]);
  t0(n.ask('createTopic', { name: 'r', partitions: 1, replicationFactor: 3, configs: {} }));
  const original = n.partition('r');
  const leaving = original.replicas[0] as number;
  const newcomer = [1, 2, 3, 4].find((id) => !original.replicas.includes(id)) as number;
  const target = [...original.replicas.slice(1), newcomer];
  t.like(n.ask('alterPartitionReassignments', { topic: 'r', partition: 0, replicas: target }), { code: 'OK' });
  t.like(n.partition('r'), { addingReplicas: [newcomer], removingReplicas: [leaving] });
  const listed = n.ask('listPartitionReassignments', {});
  t.is((listed?.['reassignments'] as unknown[]).length, 1);
  n.run(500);
  t.like(n.partition('r'), { addingReplicas: [newcomer] }, 'nothing is dropped while the newcomer is out of the ISR');
  // The controller leader dies; a new one takes over from the log.
  const old = n.c.leader().nodeId;
  n.c.kill(old);
  n.c.elect();
  t.not(n.c.leader().nodeId, old);
  n.run(300);
  t.like(n.partition('r'), { addingReplicas: [newcomer] });
  t.like(n.joinIsr('r', 0, [newcomer]), { code: 'OK' });
  n.run(300);
  const done = n.partition('r');
  t.deepEqual(done.replicas, target);
  t.is(done.addingReplicas, undefined);
  t.false(done.isr.includes(leaving));
  t.is(done.leader, target[0] as number, 'the leaving leader handed over');
  t.is(done.leaderEpoch, original.leaderEpoch + 1);
  t.deepEqual(n.ask('listPartitionReassignments', {})?.['reassignments'], []);
  t.like(n.ask('alterPartitionReassignments', { topic: 'r', partition: 0, replicas: null }), { code: 'NO_REASSIGNMENT_IN_PROGRESS' });
});

test('preferred leaders: electLeaders on request, and the imbalance check after a node came back', (t) => {
  const n = start(43, [1, 2, 3], { 'leader.imbalance.check.interval.seconds': '1' });
  t0(n.ask('createTopic', { name: 'e', partitions: 3, replicationFactor: 3, configs: {} }));
  const preferred = n.partition('e', 0).replicas[0] as number;
  // The preferred leader of partition 0 goes silent: it is fenced and loses its leaderships.
  n.run(2500, [1, 2, 3].filter((id) => id !== preferred));
  t.not(n.partition('e', 0).leader, preferred);
  t.like(n.ask('electLeaders', { topic: 'e', partitions: [0] }), { code: 'OK', results: [{ code: 'PREFERRED_LEADER_NOT_AVAILABLE' }] });
  // It comes back (heartbeats unfence it) and its replica rejoins the ISR; within the check interval it leads again.
  n.run(200);
  for (let p = 0; p < 3; p++) if (n.partition('e', p).replicas.includes(preferred)) n.joinIsr('e', p, [preferred]);
  n.run(1200);
  for (let p = 0; p < 3; p++) t.is(n.partition('e', p).leader, n.partition('e', p).replicas[0] as number, `partition ${p} is led by its preferred replica`);
  t.like(n.ask('electLeaders', {}), { code: 'OK' });
});

test('decommission drains a node a few partitions at a time, then marks it decommissioned', (t) => {
  const n = start(47, [1, 2, 3, 4], { 'reassignment.max.concurrent': '1' });
  t0(n.ask('createTopic', { name: 'd', partitions: 4, replicationFactor: 2, configs: {} }));
  t.like(n.ask('decommissionNode', { nodeId: 9 }), { code: 'NODE_NOT_REGISTERED' });
  t.like(n.ask('decommissionNode', { nodeId: 4 }), { code: 'OK' });
  t.is(n.c.leader().ctx.image.nodes['4']?.decommission, 'draining');
  for (let round = 0; round < 20; round++) {
    n.run(200);
    const moving = [0, 1, 2, 3].filter((p) => (n.partition('d', p).addingReplicas?.length ?? 0) > 0);
    t.true(moving.length <= 1, 'at most reassignment.max.concurrent at once');
    for (const p of moving) n.joinIsr('d', p, n.partition('d', p).addingReplicas ?? []);
    if (n.c.leader().ctx.image.nodes['4']?.decommission === 'decommissioned') break;
  }
  t.is(n.c.leader().ctx.image.nodes['4']?.decommission, 'decommissioned');
  for (let p = 0; p < 4; p++) t.false(n.partition('d', p).replicas.includes(4));
  t0(n.ask('createTopic', { name: 'after', partitions: 4, replicationFactor: 3, configs: {} }));
  for (let p = 0; p < 4; p++) t.false(n.partition('after', p).replicas.includes(4), 'no new replicas on a decommissioned node');
});

test('balanceCluster: a dry run returns the plan; a run moves replicas onto a new node', (t) => {
  const n = start(53, [1, 2, 3]);
  t0(n.ask('createTopic', { name: 'b', partitions: 6, replicationFactor: 2, configs: {} }));
  n.register(4);
  n.run(300);
  const dry = n.ask('balanceCluster', { dryRun: true });
  const moves = dry?.['moves'] as Array<{ target: number[] }>;
  t.true(moves.length > 0);
  t.true(moves.some((m) => m.target.includes(4)));
  t.is([0, 1, 2, 3, 4, 5].filter((p) => n.partition('b', p).addingReplicas !== undefined).length, 0, 'a dry run changes nothing');
  t.like(n.ask('balanceCluster', { dryRun: false }), { code: 'OK' });
  for (let round = 0; round < 20; round++) {
    n.run(200);
    for (let p = 0; p < 6; p++) { const adding = n.partition('b', p).addingReplicas ?? []; if (adding.length > 0) n.joinIsr('b', p, adding); }
  }
  const onFour = [0, 1, 2, 3, 4, 5].filter((p) => n.partition('b', p).replicas.includes(4)).length;
  t.is(onFour, 3, 'node 4 holds its share: 12 replicas over 4 nodes');
  t.deepEqual(n.ask('balanceCluster', { dryRun: true })?.['moves'], []);
});

test('a balance plan started before a controller failover is finished by the new leader', (t) => {
  const n = start(59, [1, 2, 3], { 'reassignment.max.concurrent': '1' });
  t0(n.ask('createTopic', { name: 'f', partitions: 6, replicationFactor: 2, configs: {} }));
  n.register(4);
  n.run(300);
  t.like(n.ask('balanceCluster', { dryRun: false }), { code: 'OK' });
  t.like(n.c.leader().ctx.image.balance, { balancing: true }, 'the plan is in the log');
  n.run(300);
  const moving = () => [0, 1, 2, 3, 4, 5].filter((p) => (n.partition('f', p).addingReplicas?.length ?? 0) > 0);
  t.is(moving().length, 1, 'one move at a time, the rest still to start');
  // The leader dies with most of its plan not started; the new leader picks the plan up from the image.
  const old = n.c.leader().nodeId;
  n.c.kill(old);
  n.c.elect();
  t.not(n.c.leader().nodeId, old);
  for (let round = 0; round < 30 && n.c.leader().ctx.image.balance?.balancing !== false; round++) {
    n.run(200);
    for (const p of moving()) n.joinIsr('f', p, n.partition('f', p).addingReplicas ?? []);
  }
  t.like(n.c.leader().ctx.image.balance, { balancing: false }, 'the plan ran to its end');
  t.is([0, 1, 2, 3, 4, 5].filter((p) => n.partition('f', p).replicas.includes(4)).length, 3, 'node 4 holds its share');
  t.deepEqual(n.ask('balanceCluster', { dryRun: true })?.['moves'], []);
});

test('a node registering for the first time is noted in the log and balanced onto once unfenced', (t) => {
  const n = start(61, [1, 2, 3]);
  t0(n.ask('createTopic', { name: 'j', partitions: 4, replicationFactor: 3, configs: {} }));
  t0(n.ask('alterClusterConfigs', { configs: { 'auto.balance.on.join': 'true' } }));
  n.register(4);
  t.deepEqual(n.c.leader().ctx.image.balance?.awaiting, [4], 'awaiting its share while fenced');
  for (let round = 0; round < 30 && [0, 1, 2, 3].filter((p) => n.partition('j', p).replicas.includes(4)).length < 3; round++) {
    n.run(200);
    for (let p = 0; p < 4; p++) { const adding = n.partition('j', p).addingReplicas ?? []; if (adding.length > 0) n.joinIsr('j', p, adding); }
  }
  t.deepEqual(n.c.leader().ctx.image.balance?.awaiting, []);
  t.is([0, 1, 2, 3].filter((p) => n.partition('j', p).replicas.includes(4)).length, 3, '12 replicas over 4 nodes');
});
