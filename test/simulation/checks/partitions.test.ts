// Goal: PartitionChecker finds each replication violation it names and stays quiet on clean input.
// Method: a fake world (report listeners, fail, nodes whose stores hold hand-built partition logs
// encoded as the host encodes them); reports are pushed the way partition replicas emit them.
import test from 'ava';
import type { StoredBatch } from '../../../actors/partition.js';
import { encodeStoredValue } from '../../../runtime/host.js';
import { PartitionChecker, readStoredLog, type CheckedNode, type CheckedWorld } from '../../../runtime/sim/checks/partitions.js';
import type { SimWorld } from '../../../runtime/sim/world.js';
import type { StoreSnapshot } from '../../../runtime/storage/sim-store.js';
import type { LogEntry } from '../../../runtime/storage/store.js';

// The real SimWorld must fit the checker's narrow view of it (a compile-time check).
const simWorldFits: SimWorld extends CheckedWorld ? true : never = true;

const TOPIC_ID = 'tid-orders';
const LOG = `p/${TOPIC_ID}/0`;

class FakeNode implements CheckedNode {
  incarnation = 1;
  up = true;
  readonly logs = new Map<string, LogEntry[]>();
  readonly meta = new Map<string, Uint8Array>();
  readonly store = { viewForChecks: (): StoreSnapshot => ({ logs: this.logs, meta: this.meta }) };
  constructor(readonly name: string) {}

  holds(batches: StoredBatch[], logStart?: number): this {
    this.logs.set(LOG, batches.map((b) => ({ offset: b.baseOffset, value: encodeStoredValue(b) })));
    if (logStart !== undefined) this.meta.set(`${LOG}/logStart`, encodeStoredValue(logStart));
    return this;
  }
}

type Listener = Parameters<CheckedWorld['onReport']>[0];

class FakeWorld implements CheckedWorld {
  readonly nodes = new Map<string, FakeNode>();
  readonly failures: string[] = [];
  private readonly listeners: Listener[] = [];
  constructor(names: string[]) { for (const name of names) this.nodes.set(name, new FakeNode(name)); }
  onReport(listener: Listener): void { this.listeners.push(listener); }
  fail(message: string): void { this.failures.push(message); }
  node(name: string): FakeNode { return this.nodes.get(name) as FakeNode; }

  report(name: string, kind: string, data: Record<string, unknown>): void {
    for (const listener of this.listeners) listener(this.node(name), `part/orders/0/r${name}`, kind, { topic: 'orders', partition: 0, ...data });
  }
}

function batch(baseOffset: number, recordCount: number, leaderEpoch: number, fill = baseOffset): StoredBatch {
  return {
    baseOffset, lastOffset: baseOffset + recordCount - 1, leaderEpoch, recordCount, firstTimestamp: 1, maxTimestamp: 1,
    producerId: -1, producerEpoch: -1, baseSequence: -1, records: new Uint8Array([recordCount, fill, fill + 1]), bytes: 64,
  };
}

function setup(): { world: FakeWorld; checker: PartitionChecker } {
  const world = new FakeWorld(['n1', 'n2', 'n3']);
  const checker = new PartitionChecker(world, (topic) => (topic === 'orders' ? TOPIC_ID : undefined));
  return { world, checker };
}

/** Three replicas with the same log [0..2] [3..4] at epoch 1, all at hw 5, n1 leading. */
function cleanCluster(): { world: FakeWorld; checker: PartitionChecker } {
  const { world, checker } = setup();
  for (const name of ['n1', 'n2', 'n3']) world.node(name).holds([batch(0, 3, 1), batch(3, 2, 1)]);
  world.report('n1', 'partitionLeader', { nodeId: 1, leaderEpoch: 1 });
  world.report('n1', 'partitionAppend', { nodeId: 1, leaderEpoch: 1, baseOffset: 0, lastOffset: 2, asLeader: true });
  world.report('n2', 'partitionAppend', { nodeId: 2, leaderEpoch: 1, baseOffset: 0, lastOffset: 2, asLeader: false });
  world.report('n1', 'partitionAppend', { nodeId: 1, leaderEpoch: 1, baseOffset: 3, lastOffset: 4, asLeader: true });
  for (const [name, nodeId] of [['n1', 1], ['n2', 2], ['n3', 3]] as const) {
    world.report(name, 'partitionHw', { nodeId, hw: 3, leaderEpoch: 1 });
    world.report(name, 'partitionHw', { nodeId, hw: 5, leaderEpoch: 1 });
  }
  return { world, checker };
}

test('the real SimWorld fits the checker interface', (t) => { t.true(simWorldFits); });

test('a clean cluster passes reports, a leader change and a sweep', (t) => {
  const { world, checker } = cleanCluster();
  world.report('n2', 'partitionLeader', { nodeId: 2, leaderEpoch: 2 });
  world.report('n2', 'partitionAppend', { nodeId: 2, leaderEpoch: 2, baseOffset: 5, lastOffset: 5, asLeader: true });
  checker.sweep();
  t.deepEqual(world.failures, []);
  t.deepEqual(checker.violations, []);
  t.is(checker.leaderChanges, 2);
});

test('one-writer-per-epoch: two nodes append as leader in one epoch', (t) => {
  const { world, checker } = cleanCluster();
  world.report('n2', 'partitionAppend', { nodeId: 2, leaderEpoch: 1, baseOffset: 5, lastOffset: 5, asLeader: true });
  t.deepEqual(checker.violations, ['one-writer-per-epoch: orders/0 epoch 1 appended by leaders 1 and 2']);
  t.deepEqual(world.failures, checker.violations);
});

test('hw-regressed: a replica reports a lower hw in the same incarnation, not after a restart', (t) => {
  const { world, checker } = cleanCluster();
  world.node('n3').incarnation = 2; // restarted: its hw starts over
  world.report('n3', 'partitionHw', { nodeId: 3, hw: 2, leaderEpoch: 1 });
  t.deepEqual(checker.violations, []);
  world.report('n2', 'partitionHw', { nodeId: 2, hw: 4, leaderEpoch: 1 });
  t.deepEqual(checker.violations, ['hw-regressed: orders/0 on n2 (incarnation 1) hw 5 → 4']);
});

test('hw-regressed: a replica dropped by a reassignment and assigned again later starts a new life', (t) => {
  const { world, checker } = setup();
  world.report('n2', 'partitionHw', { nodeId: 2, hw: 5, leaderEpoch: 1 });
  world.report('n2', 'partitionReplicaDropped', { nodeId: 2 });
  world.report('n2', 'partitionHw', { nodeId: 2, hw: 1, leaderEpoch: 2 });
  t.deepEqual(checker.violations, [], 'the new replica recovered from an empty log');
  world.report('n2', 'partitionHw', { nodeId: 2, hw: 0, leaderEpoch: 2 });
  t.deepEqual(checker.violations, ['hw-regressed: orders/0 on n2 (incarnation 1) hw 1 → 0'], 'within the new life the check holds');
});

test('replicas-diverge-below-hw: different records below both HWs', (t) => {
  const { world, checker } = cleanCluster();
  world.node('n3').holds([batch(0, 3, 1), batch(3, 2, 1, 99)]);
  checker.sweep();
  t.is(checker.violations.length, 2, 'n1/n3 and n2/n3');
  t.regex(checker.violations[0] ?? '', /^replicas-diverge-below-hw: orders\/0 n1 and n3 differ below 5: offset 3: records differ/);
});

test('replicas-diverge-below-hw: different batch bounds or leader epochs, and a batch only one side holds', (t) => {
  for (const [n3Log, message] of [
    [[batch(0, 2, 1), batch(2, 3, 1)], /offset 0: lastOffset 2 vs 1/],
    [[batch(0, 3, 2), batch(3, 2, 1)], /offset 0: leaderEpoch 1 vs 2/],
    [[batch(0, 3, 1), batch(3, 1, 1), batch(4, 1, 1)], /offset 3: lastOffset 4 vs 3/],
  ] as const) {
    const { world, checker } = cleanCluster();
    world.node('n3').holds([...n3Log]);
    checker.sweep();
    t.regex(checker.violations[0] ?? '', message);
  }
});

test('the sweep compares only below min(hw, leo) of both, and skips down or restarted replicas', (t) => {
  const { world, checker } = cleanCluster();
  world.node('n3').holds([batch(0, 3, 1), batch(3, 2, 2, 99)]);
  world.node('n3').up = false;
  checker.sweep();
  world.node('n3').up = true;
  world.node('n3').incarnation = 2; // its hw of incarnation 1 no longer vouches for its log
  checker.sweep();
  t.deepEqual(checker.violations, []);
  world.report('n3', 'partitionHw', { nodeId: 3, hw: 3, leaderEpoch: 1 });
  checker.sweep(); // hw 3: the differing batch at 3 is above it
  t.deepEqual(checker.violations, []);
  t.is(checker.sweeps, 3);
});

test('the sweep ignores batches deleted by retention on one replica', (t) => {
  const { world, checker } = cleanCluster();
  world.node('n2').holds([batch(3, 2, 1)], 3);
  checker.sweep();
  t.deepEqual(checker.violations, []);
});

test('exposed-hw-regressed: a new leader lacks data below the highest reported hw', (t) => {
  const { world, checker } = cleanCluster();
  world.node('n3').holds([batch(0, 3, 1)]);
  world.report('n3', 'partitionLeader', { nodeId: 3, leaderEpoch: 2 });
  t.deepEqual(checker.violations, ['exposed-hw-regressed: orders/0 new leader 3 (epoch 2) lacks offset 3, below the highest hw 5']);
});

test('exposed-hw-regressed: a hole in the new leader log, but not below its log start', (t) => {
  const { world, checker } = cleanCluster();
  world.node('n3').holds([batch(0, 2, 1), batch(3, 2, 1)]);
  world.report('n3', 'partitionLeader', { nodeId: 3, leaderEpoch: 2 });
  t.regex(checker.violations[0] ?? '', /lacks offset 2/);
  world.node('n2').holds([], 5); // everything below the hw deleted by retention
  world.report('n2', 'partitionLeader', { nodeId: 2, leaderEpoch: 3 });
  t.is(checker.violations.length, 1);
});

// Seeds 830019 and 830489: a leader that had not yet learned of a newer epoch had a write fail,
// rebuilt from disk and led again in its old epoch. It owes what its epoch and the ones before
// exposed, not what the newer leadership committed since.
test('exposed-hw-regressed: a leader of an older epoch leading again owes the hw of its epoch, not of newer ones', (t) => {
  const { world, checker } = cleanCluster();
  world.node('n2').holds([batch(0, 3, 1), batch(3, 2, 1), batch(5, 4, 2)]);
  world.report('n2', 'partitionLeader', { nodeId: 2, leaderEpoch: 2 });
  world.report('n2', 'partitionAppend', { nodeId: 2, leaderEpoch: 2, baseOffset: 5, lastOffset: 8, asLeader: true });
  world.report('n2', 'partitionHw', { nodeId: 2, hw: 9, leaderEpoch: 2 });
  world.report('n1', 'partitionLeader', { nodeId: 1, leaderEpoch: 1 });
  t.deepEqual(checker.violations, [], 'the epoch-1 zombie holds all that epoch 1 exposed (hw 5)');
  world.node('n3').holds([batch(0, 3, 1)]);
  world.report('n3', 'partitionLeader', { nodeId: 3, leaderEpoch: 1 });
  t.deepEqual(checker.violations, ['exposed-hw-regressed: orders/0 new leader 3 (epoch 1) lacks offset 3, below the highest hw 5'],
    'one that lost what its own epoch exposed is still caught');
  world.node('n1').holds([batch(0, 3, 1), batch(3, 2, 1)]);
  world.report('n1', 'partitionLeader', { nodeId: 1, leaderEpoch: 3 });
  t.regex(checker.violations[1] ?? '', /new leader 1 \(epoch 3\) lacks offset 5, below the highest hw 9/, 'a newer leader owes everything');
});

test('reports for topics without a known id are skipped, other report kinds ignored', (t) => {
  const { world, checker } = setup();
  world.node('n1').holds([]);
  world.report('n1', 'partitionHw', { topic: 'unknown', nodeId: 1, hw: 9, leaderEpoch: 1 });
  world.report('n1', 'partitionLeader', { topic: 'unknown', nodeId: 1, leaderEpoch: 2 });
  world.report('n1', 'raftLeader', { nodeId: 1, term: 3 });
  checker.sweep();
  t.deepEqual(world.failures, []);
});

test('readStoredLog decodes batches, log start and leo', (t) => {
  const node = new FakeNode('n9').holds([batch(4, 2, 3), batch(6, 1, 3)], 4);
  const log = readStoredLog(node.store.viewForChecks(), TOPIC_ID, 0);
  t.deepEqual(log.batches.map((b) => [b.baseOffset, b.lastOffset, b.leaderEpoch]), [[4, 5, 3], [6, 6, 3]]);
  t.true(log.batches[0]?.records instanceof Uint8Array);
  t.is(log.logStart, 4);
  t.is(log.leo, 7);
  t.deepEqual(readStoredLog(node.store.viewForChecks(), 'other', 0), { batches: [], logStart: 0, leo: 0 });
});
