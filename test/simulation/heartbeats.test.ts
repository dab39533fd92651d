// Goal: a node that catches up on metadata by heartbeating early (records capped per reply) goes
// back to one heartbeat per interval afterwards, rather than keeping a timer chain per early beat;
// and it acts on its image even when the metadata log grows faster than it can follow.
// Method: a simulated cluster whose controller sends one record per heartbeat reply; node 3
// restarts and replays the log; heartbeats delivered to the controller are counted over two
// simulated seconds once it has caught up. Then the same with an admin client committing records
// faster than node 3 applies them.
import test from 'ava';
import { ClusterSim } from '../../runtime/sim/cluster.js';
import { NODE_DEFAULTS } from '../../runtime/node/node.js';
import { Rpc } from '../../runtime/rpc.js';
import { CONTROLLER_FOR_ADMIN, controllerVoter } from '../../actors/kit/addresses.js';

test('after catching up on metadata a node heartbeats once per interval', (t) => {
  const sim = new ClusterSim({ seed: 5, nodeCount: 3, voters: [1, 2, 3], node: { controller: { heartbeatRecordsMax: 1 } } });
  let beats = 0;
  const add = sim.world.trace.add.bind(sim.world.trace);
  sim.world.trace.add = (nowMs, ...fields) => { if (fields[0] === 'ev' && fields[2] === 'nodeHeartbeat') beats++; add(nowMs, ...fields); };
  sim.start();
  sim.world.run(5000);
  sim.world.within(() => sim.apply({ atMs: 0, op: 'crash', nodes: [3] }));
  sim.world.run(5500);
  sim.world.within(() => sim.apply({ atMs: 0, op: 'restart', nodes: [3] }));
  sim.world.run(10_000);
  const applied = sim.nodes.get(3)?.brook?.metadata.appliedOffset ?? 0;
  t.true(applied > 3 && applied === sim.nodes.get(1)?.brook?.metadata.appliedOffset, `node 3 replayed the metadata log (to ${applied})`);
  beats = 0;
  sim.world.run(12_000);
  const perNodePerSecond = beats / 3 / 2;
  const expected = 1000 / NODE_DEFAULTS.heartbeatIntervalMs;
  t.true(perNodePerSecond <= expected * 1.2, `${perNodePerSecond} heartbeats per node per simulated second, expected about ${expected}`);
  t.true(perNodePerSecond >= expected * 0.5, `${perNodePerSecond} heartbeats per node per simulated second`);
});

// Seed 81262: a node that gets one metadata record per heartbeat reply acted on its image only
// once it held everything committed when the controller answered. While the controller committed
// faster than the node applied, that never happened: the node's replicas kept proposing ISR changes
// against partition state long replaced, and the images of the nodes never converged.
test('a node catching up on a metadata log that grows faster than it applies still acts on its image', (t) => {
  const sim = new ClusterSim({ seed: 7, nodeCount: 3, voters: [1, 2, 3], node: { controller: { heartbeatRecordsMax: 1 } } });
  sim.start();
  sim.world.run(1000);
  // An admin client keeps the controller committing (one record per changed topic config) several
  // times faster than one record per heartbeat round trip.
  const s = sim.world.scheduler;
  const clock = { nowMs: () => s.nowMs, wallMs: () => s.nowMs, setTimeout: (fn: () => void, ms: number) => s.at(ms, fn), clearTimeout: (h: unknown) => s.cancel(h as never) };
  const rpc = new Rpc(sim.world.network.endpoint('admin'), clock, 'client/admin', { timeoutMsDefault: 500 });
  let created = false;
  const create = (): void => {
    rpc.call(CONTROLLER_FOR_ADMIN, 'createTopic', { name: 'hammered', partitions: 1, replicationFactor: 1, configs: {} }, {}, (r) => {
      if (r.ok && (r.envelope.body as { code?: string }).code === 'OK') created = true; else s.at(100, create);
    });
  };
  sim.world.within(create);
  sim.world.runUntil(5000, () => created);
  t.true(created, 'the topic whose config changes is created');
  let busy = true;
  let change = 0;
  const hammer = (): void => {
    if (!busy) return;
    rpc.call(CONTROLLER_FOR_ADMIN, 'alterConfigs', { name: 'hammered', configs: { 'retention.ms': String(60_000 + change++) } }, {}, () => {});
    s.at(2, hammer);
  };
  sim.world.within(hammer);
  sim.world.within(() => sim.apply({ atMs: 0, op: 'crash', nodes: [3] }));
  const t0 = s.nowMs;
  sim.world.run(t0 + 200);
  sim.world.within(() => sim.apply({ atMs: 0, op: 'restart', nodes: [3] }));
  sim.world.run(t0 + 2500);
  const node = sim.nodes.get(3)?.brook;
  const committed = (): number => Math.max(...[1, 2, 3].map((id) => (sim.nodes.get(id)?.brook?.host.snapshot(controllerVoter(id))?.context as { commitIndex?: number } | undefined)?.commitIndex ?? 0));
  t.true(committed() > (node?.metadata.appliedOffset ?? 0) + 100, `the log (${committed()}) grows faster than node 3 follows (${node?.metadata.appliedOffset})`);
  t.true(node?.actedOnImage, 'node 3 acted on its image while the log kept growing');
  busy = false;
  sim.world.run(t0 + 13_000);
  t.is(node?.metadata.appliedOffset, committed(), 'and catches up once the log is quiet');
  t.deepEqual(sim.world.failures, []);
});
