// Goal: a node sent SIGTERM comes back after its process ends, even when its restart was due
// while it was still moving its leaderships away (seed 917207: the shutdown waited 1.6 s for a
// quorum, the restart found the node up and did nothing, and the node stayed down for good).
// Method: a simulated cluster; voters 2 and 3 crash so that node 1's controlled shutdown cannot
// finish; node 1's restart comes while it is shutting down; then 2 and 3 come back.
import test from 'ava';
import { ClusterSim } from '../../runtime/sim/cluster.js';

test('a restart that comes while the node is still shutting down starts it once its process ends', (t) => {
  const sim = new ClusterSim({ seed: 11, nodeCount: 3, voters: [1, 2, 3] });
  const crashes: string[] = [];
  const add = sim.world.trace.add.bind(sim.world.trace);
  sim.world.trace.add = (nowMs, ...fields) => { if (fields[0] === 'crash') crashes.push(`${String(fields[1])}:${String(fields[2])}`); add(nowMs, ...fields); };
  sim.start();
  sim.world.run(4000);
  const first = sim.nodes.get(1)?.brook;
  t.true(first?.actedOnImage, 'node 1 serves before the faults');
  const apply = (op: 'crash' | 'shutdown' | 'restart', nodes: number[]): void => sim.world.within(() => sim.apply({ atMs: 0, op, nodes }));
  apply('crash', [2]);
  apply('crash', [3]);
  sim.world.run(4200);
  apply('shutdown', [1]);
  sim.world.run(4500);
  t.true(sim.nodes.get(1)?.sim.up, 'without a quorum the shutdown cannot finish: node 1 is still up');
  apply('restart', [1]);
  t.is(sim.nodes.get(1)?.brook, first, 'the restart found the node up and left it running');
  apply('restart', [2]);
  apply('restart', [3]);
  sim.world.run(12_000);
  t.true(crashes.includes('n1:process'), `node 1's process ended once the controller let it go (${crashes.join(' ')})`);
  const node = sim.nodes.get(1);
  t.true(node?.sim.up, 'node 1 is up again');
  t.not(node?.brook, first, 'as a new incarnation');
  t.true(node?.brook?.actedOnImage, 'serving again');
  t.deepEqual(sim.world.failures, []);
});

test('a shutdown whose restart comes after the process ended starts it once, as before', (t) => {
  const sim = new ClusterSim({ seed: 12, nodeCount: 3, voters: [1, 2, 3] });
  sim.start();
  sim.world.run(4000);
  const first = sim.nodes.get(1)?.brook;
  sim.world.within(() => sim.apply({ atMs: 0, op: 'shutdown', nodes: [1] }));
  sim.world.run(6000);
  t.false(sim.nodes.get(1)?.sim.up, 'with a quorum the shutdown finishes and the process ends');
  sim.world.run(7000);
  t.false(sim.nodes.get(1)?.sim.up, 'and nothing restarts it before its restart step');
  sim.world.within(() => sim.apply({ atMs: 0, op: 'restart', nodes: [1] }));
  sim.world.run(12_000);
  t.true(sim.nodes.get(1)?.sim.up && sim.nodes.get(1)?.brook !== first && sim.nodes.get(1)?.brook?.actedOnImage, 'node 1 serves again after its restart');
  t.deepEqual(sim.world.failures, []);
});
