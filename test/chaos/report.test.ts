// Goal: the chaos report's figures mean what they say. Method: hand-made outcomes, faults and
// log lines; no processes.
import test from 'ava';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { acksPerSecond, gapsByKind, readNodeLogs, unexplained } from './report.js';
import { Prng } from './prng.js';
import type { Fault } from './nemesis.js';

const fault = (kind: Fault['kind'], atMs: number, healedAtMs: number): Fault => ({ kind, target: 'node-1', atMs, healedAtMs, settledAtMs: healedAtMs });
const ack = (atMs: number, partition = 0) => ({ atMs, partition, ok: true });

test('acks per second counts acks only, in 1 s buckets', (t) => {
  t.deepEqual(acksPerSecond([ack(10), ack(999), ack(1000), { atMs: 1500, partition: 0, ok: false, code: 'X' }], 2500), [2, 1, 0]);
});

test('a stall belongs to the fault it ends after, and the gap is the largest over partitions', (t) => {
  const outcomes = [ack(0), ack(100), ack(1900), ack(2000), ack(0, 1), ack(2500, 1), ack(2600, 1), ack(6000, 1)];
  const gaps = gapsByKind(outcomes, [fault('cut-node', 50, 1000), fault('kill-node', 2550, 3000)], 7000);
  t.deepEqual(gaps['cut-node'], { faults: 1, p50Ms: 2500, maxMs: 2500 });
  t.deepEqual(gaps['kill-node'], { faults: 1, p50Ms: 3400, maxMs: 3400 });
});

test('leader changes come from raftLeader lines with rising terms, step-downs from raftStepDown lines; elections near a fault are explained', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-chaos-report-'));
  try {
    const start = 1_800_000_000_000;
    const line = (ms: number, nodeId: number, term: number): string => JSON.stringify({ t: start + ms, level: 'info', event: 'raftLeader', nodeId, term });
    const down = (ms: number, nodeId: number, term: number): string => JSON.stringify({ t: start + ms, level: 'info', event: 'raftStepDown', nodeId, term, reason: 'check-quorum' });
    // A line stamped with a process's monotonic clock is a second time base: counted, not used.
    const monotonic = JSON.stringify({ t: 1234.5, level: 'info', event: 'raftLeader', nodeId: 1, term: 9 });
    fs.writeFileSync(path.join(dir, 'a.log'), [line(100, 1, 1), line(5_000, 2, 3), 'not json "raftLeader"', monotonic, line(40_000, 1, 4), down(39_000, 2, 3)].join('\n'));
    fs.writeFileSync(path.join(dir, 'b.log'), [line(4_900, 3, 2), line(5_100, 2, 3), line(50_000, 3, 5), down(45_500, 1, 4)].join('\n'));
    const facts = readNodeLogs([path.join(dir, 'a.log'), path.join(dir, 'b.log'), path.join(dir, 'missing.log')], start);
    t.deepEqual(facts.leaderChanges.map((c) => [c.term, c.nodeId, c.atMs]), [[1, 1, 100], [2, 3, 4_900], [3, 2, 5_000], [4, 1, 40_000], [5, 3, 50_000]]);
    t.deepEqual(facts.stepDowns.map((c) => [c.nodeId, c.atMs, c.reason]), [[2, 39_000, 'check-quorum'], [1, 45_500, 'check-quorum']]);
    t.is(facts.offTimeBase, 1);
    const faults = [fault('kill-controller-leader', 4_000, 6_000), fault('cut-node', 45_000, 46_000)];
    t.deepEqual(unexplained(facts.leaderChanges, faults, 10_000).map((c) => c.term), [4]);
    t.deepEqual(unexplained(facts.stepDowns, faults, 10_000).map((c) => c.term), [3]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the nemesis PRNG is deterministic per seed and shuffles without loss', (t) => {
  const a = new Prng(42);
  const b = new Prng(42);
  t.deepEqual(Array.from({ length: 5 }, () => a.int(1000)), Array.from({ length: 5 }, () => b.int(1000)));
  t.deepEqual(new Prng(7).shuffle([1, 2, 3, 4, 5]).sort(), [1, 2, 3, 4, 5]);
  for (let i = 0; i < 100; i++) { const v = a.between(3, 5); t.true(v >= 3 && v <= 5); }
});
