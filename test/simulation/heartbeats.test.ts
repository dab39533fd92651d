// Goal: a node that catches up on metadata by heartbeating early (records capped per reply) goes
// back to one heartbeat per interval afterwards, rather than keeping a timer chain per early beat.
// Method: a simulated cluster whose controller sends one record per heartbeat reply; node 3
// restarts and replays the log; heartbeats delivered to the controller are counted over two
// simulated seconds once it has caught up.
import test from 'ava';
import { ClusterSim } from '../../runtime/sim/cluster.js';
import { NODE_DEFAULTS } from '../../runtime/node/node.js';

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
