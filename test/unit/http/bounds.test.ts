// Goal: partition series stay bounded: up to partitionsMax hosted replicas each gets its own
// series; above it they fold into per-topic sums labelled partition="all".
// Method: partitionRows over a stub node whose host holds replica snapshots.
import test from 'ava';
import type { BrookNode } from '../../../runtime/node/node.js';
import { partitionRows } from '../../../runtime/http/node-collector.js';

function stubNode(replicas: Array<{ topic: string; partition: number; hw: number; isr: number[] }>): BrookNode {
  const contexts = new Map(replicas.map((r) => [`n/repl/${r.topic}/${r.partition}/1`, {
    topic: r.topic, partition: r.partition, index: { bytes: 100 }, leo: r.hw + 1, logStart: 0, hw: r.hw,
    state: { leader: 1, isr: r.isr, replicas: [1, 2, 3] },
  }]));
  const host = {
    get addresses() { return [...contexts.keys(), 'c/group/0/1', 'n/ctl/1'].sort(); },
    snapshot: (address: string) => (contexts.has(address) ? { status: 'active', context: contexts.get(address) } : undefined),
  };
  return { host, config: { nodeId: 1 } } as unknown as BrookNode;
}

const replicas = [
  { topic: 'a', partition: 0, hw: 10, isr: [1, 2, 3] },
  { topic: 'a', partition: 1, hw: 20, isr: [1, 2] },
  { topic: 'b', partition: 0, hw: 5, isr: [1] },
];

test('at or below the cap, one row per hosted replica', (t) => {
  const rows = partitionRows(stubNode(replicas), 3);
  t.deepEqual(rows.map((r) => `${r.topic}/${r.partition}`), ['a/0', 'a/1', 'b/0']);
  t.deepEqual(rows.map((r) => r.underReplicated), [0, 1, 1]);
});

test('above the cap, per-topic sums with partition="all"', (t) => {
  const rows = partitionRows(stubNode(replicas), 2);
  t.deepEqual(rows.map((r) => [r.topic, r.partition, r.hw, r.size, r.underReplicated, r.isr, r.replicas]),
    [['a', 'all', 30, 200, 1, 5, 6], ['b', 'all', 5, 100, 1, 1, 3]]);
});
