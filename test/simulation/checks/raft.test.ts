// Goal: each Raft check fires on the situation it names and stays quiet otherwise.
// Method: a fake cluster (reports pushed by hand, stores and images built in the test).
import test from 'ava';
import { RaftChecker } from '../../../runtime/sim/checks/raft.js';
import type { ClusterSim } from '../../../runtime/sim/cluster.js';
import { encodeStoredValue } from '../../../runtime/host.js';
import type { LogEntry } from '../../../runtime/storage/store.js';
import { SimStore } from '../../../runtime/storage/sim-store.js';

type Listener = (node: unknown, address: string, kind: string, data: Record<string, unknown>) => void;

function fakeCluster() {
  const listeners: Listener[] = [];
  const failures: string[] = [];
  const logs = new Map<number, LogEntry[]>();
  const images = new Map<number, { offset: number; nodes: Record<string, { nodeId: number; nodeEpoch: number }> }>();
  const metas = new Map<number, Map<string, Uint8Array>>();
  const nodes = new Map([1, 2, 3].map((id) => [id, {
    id,
    sim: { store: { isClosed: false, snapshotForChecks: () => ({ logs: new Map([['__metadata', logs.get(id) ?? []]]), meta: metas.get(id) ?? new Map() }) } },
    brook: { get metadata() { return { image: images.get(id) }; } },
  }]));
  const sim = {
    world: { onReport: (l: Listener) => listeners.push(l), fail: (m: string) => failures.push(m) },
    options: { voters: [1, 2, 3] }, nodes, up: () => [...nodes.values()],
  } as unknown as ClusterSim;
  const report = (kind: string, data: Record<string, unknown>) => listeners.forEach((l) => l(undefined, 'ctl/x', kind, data));
  const entry = (offset: number, term: number, name: string): LogEntry => ({ offset, value: encodeStoredValue({ term, record: { type: 'topicDeleted', name, topicId: name } }) });
  const storeSnapshot = (id: number, index: number, topics: Record<string, unknown>) => metas.set(id, new Map([['ctl/snapshot',
    encodeStoredValue({ index, term: 1, image: { offset: index, nodes: {}, topics } })]]));
  return { sim, failures, logs, images, report, entry, storeSnapshot };
}

test('two leaders in one term are reported; one leader per term is not', (t) => {
  const f = fakeCluster();
  const checker = new RaftChecker(f.sim);
  f.report('raftLeader', { nodeId: 1, term: 1 });
  f.report('raftLeader', { nodeId: 2, term: 2 });
  t.deepEqual(checker.violations, []);
  f.report('raftLeader', { nodeId: 3, term: 2 });
  t.regex(checker.violations[0] ?? '', /^one-raft-leader-per-term/);
});

test('a term going back is reported', (t) => {
  const f = fakeCluster();
  const checker = new RaftChecker(f.sim);
  f.report('raftTerm', { nodeId: 1, term: 3 });
  f.report('raftTerm', { nodeId: 1, term: 4 });
  t.deepEqual(checker.violations, []);
  f.report('raftTerm', { nodeId: 1, term: 2 });
  t.regex(checker.violations[0] ?? '', /^term-regressed/);
});

test('a committed entry that changes, and two entries with one index and term, are reported', (t) => {
  const f = fakeCluster();
  const checker = new RaftChecker(f.sim);
  f.logs.set(1, [f.entry(1, 1, 'a'), f.entry(2, 1, 'b')]);
  f.logs.set(2, [f.entry(1, 1, 'a'), f.entry(2, 1, 'b')]);
  f.report('raftCommit', { nodeId: 1, commitIndex: 2, term: 1 });
  f.report('raftCommit', { nodeId: 2, commitIndex: 2, term: 1 });
  checker.sweep();
  t.deepEqual(checker.violations, []);
  f.logs.set(3, [f.entry(1, 1, 'a'), f.entry(2, 1, 'other')]);
  checker.sweep();
  t.regex(checker.violations[0] ?? '', /^log-matching/);
  f.report('raftCommit', { nodeId: 3, commitIndex: 2, term: 1 });
  t.true(checker.violations.some((v) => v.startsWith('committed-changed')));
});

test('a node epoch going back in an up-to-date image is reported', (t) => {
  const f = fakeCluster();
  const checker = new RaftChecker(f.sim);
  f.images.set(1, { offset: 5, nodes: { '2': { nodeId: 2, nodeEpoch: 4 } } });
  checker.sweep();
  f.images.set(1, { offset: 9, nodes: { '2': { nodeId: 2, nodeEpoch: 8 } } });
  checker.sweep();
  t.deepEqual(checker.violations, []);
  f.images.set(3, { offset: 9, nodes: { '2': { nodeId: 2, nodeEpoch: 4 } } });
  checker.sweep();
  t.regex(checker.violations[0] ?? '', /^node-epoch-regressed/);
});

test('entries a snapshot replaced are not read as the log; two snapshots at one index must agree', (t) => {
  const f = fakeCluster();
  const checker = new RaftChecker(f.sim);
  f.logs.set(1, [f.entry(1, 1, 'a'), f.entry(2, 1, 'b')]);
  f.report('raftCommit', { nodeId: 1, commitIndex: 2, term: 1 });
  // Node 2 installed a snapshot at 2; its old branch (term 1, 'x') is still on its way out of the store.
  f.logs.set(2, [f.entry(1, 1, 'a'), f.entry(2, 1, 'x')]);
  f.report('raftCommit', { nodeId: 2, commitIndex: 2, term: 2, logStart: 2 });
  t.deepEqual(checker.violations, []);
  f.storeSnapshot(1, 2, { a: { id: 'a' }, b: { id: 'b' } });
  f.report('raftSnapshot', { nodeId: 1, index: 2, term: 1, installed: false });
  f.storeSnapshot(2, 2, { b: { id: 'b' }, a: { id: 'a' } }); // the same image, keys in another order
  f.report('raftSnapshot', { nodeId: 2, index: 2, term: 1, installed: true });
  t.deepEqual(checker.violations, []);
  f.storeSnapshot(3, 2, { a: { id: 'a' } });
  f.report('raftSnapshot', { nodeId: 3, index: 2, term: 1, installed: true });
  t.regex(checker.violations[0] ?? '', /^committed-changed: node 3's snapshot at index 2/);
  // Without the log start, the replaced entry would count.
  f.report('raftCommit', { nodeId: 2, commitIndex: 2, term: 2 });
  t.regex(checker.violations[1] ?? '', /^committed-changed: node 2 index 2/);
});

test('the stored term is judged on what the disk holds for sure: a term write lost in flight is no regression, a reported one is', (t) => {
  const f = fakeCluster();
  const due: Array<() => void> = [];
  // A store whose completions run when the test says, and whose crash keeps no write in flight.
  const store = new SimStore({ schedule: (_ms, fn) => due.push(fn), random: { float: () => 0, int: (min) => min, chance: () => false } });
  const flush = () => { while (due.length > 0) due.shift()?.(); };
  (f.sim.nodes.get(1) as unknown as { sim: { store: SimStore } }).sim.store = store;
  const putTerm = (term: number) => store.putMeta('ctl/state', encodeStoredValue({ term, votedFor: null }), { sync: true }, () => {});
  const checker = new RaftChecker(f.sim);
  putTerm(2);
  flush();
  f.report('raftTerm', { nodeId: 1, term: 2 });
  putTerm(3); // a vote in flight: nothing is sent on it until it is stored
  checker.sweep();
  store.crashProcess();
  store.restart();
  checker.sweep();
  t.deepEqual(checker.violations, [], 'the term 3 write never completed');
  f.report('raftTerm', { nodeId: 1, term: 3 }); // reported stored, yet the disk holds 2
  checker.sweep();
  t.regex(checker.violations[0] ?? '', /^term-regressed: node 1's stored term went 3 → 2/);
});
