// Goal: the history checker reports each Jepsen kafka anomaly by its name, and only when it is
// there. Method: for every anomaly, a small hand-written history that holds exactly that anomaly;
// a clean history (hand-written and a generated one of a few hundred ops) reports nothing.
import test from 'ava';
import { SeededRandom } from '../../../runtime/random.js';
import {
  HistoryRecorder, checkHistory, violations, type Anomaly, type FinalReads, type OpType,
} from '../../../runtime/sim/checks/history.js';

interface SendOptions { type?: Exclude<OpType, 'invoke'>; acks?: 'all' | '1'; idempotent?: boolean; partition?: number }

function recorder(): HistoryRecorder {
  let t = 0;
  return new HistoryRecorder(() => t++);
}

/** One send by `process`, invoked and completed at once; `offset` is ignored unless it is ok. */
function send(h: HistoryRecorder, process: string, value: string, offset: number, options: SendOptions = {}): void {
  const base = { topic: 't', value, idempotent: options.idempotent ?? false, acks: options.acks ?? 'all' } as const;
  const id = h.invoke(process, 'send', base);
  const type = options.type ?? 'ok';
  h.complete(id, type, type === 'ok' ? { ...base, partition: options.partition ?? 0, offset } : base);
}

function poll(h: HistoryRecorder, process: string, records: Array<[number, string]>, partition = 0): void {
  const id = h.invoke(process, 'poll', []);
  h.complete(id, 'ok', records.map(([offset, value]) => ({ topic: 't', partition, offset, value })));
}

function assign(h: HistoryRecorder, process: string): void {
  const id = h.invoke(process, 'assign', [{ topic: 't', partition: 0 }]);
  h.complete(id, 'ok', [{ topic: 't', partition: 0 }]);
}

function finals(records: Array<[number, string]>, key = 't/0'): FinalReads {
  return new Map([[key, records.map(([offset, value]) => ({ offset, value }))]]);
}

const names = (anomalies: readonly Anomaly[]): string[] => anomalies.map((a) => a.name);

/** a, b, c sent by p1 at 0, 1, 2 and polled by c1. */
function cleanBase(): HistoryRecorder {
  const h = recorder();
  send(h, 'p1', 'p1:0', 0);
  send(h, 'p1', 'p1:1', 1);
  send(h, 'p1', 'p1:2', 2);
  poll(h, 'c1', [[0, 'p1:0'], [1, 'p1:1'], [2, 'p1:2']]);
  return h;
}
const cleanFinal = finals([[0, 'p1:0'], [1, 'p1:1'], [2, 'p1:2']]);

test('a clean history has no anomalies', (t) => {
  t.deepEqual(checkHistory(cleanBase().history(), cleanFinal), []);
});

test('lost-write: an acknowledged acks=all send absent from the final reads', (t) => {
  const anomalies = checkHistory(cleanBase().history(), finals([[0, 'p1:0'], [1, 'p1:1']]));
  t.deepEqual(names(anomalies), ['lost-write']);
  t.like(anomalies[0], { topic: 't', partition: 0 });
  t.regex(anomalies[0]?.detail ?? '', /p1:2 acknowledged at 2.*absent/);
});

test('lost-write: an acknowledged send found at a different offset', (t) => {
  const h = recorder();
  send(h, 'p1', 'p1:0', 0);
  send(h, 'p1', 'p1:1', 1);
  poll(h, 'c1', [[0, 'p1:0']]);
  const anomalies = checkHistory(h.history(), finals([[0, 'p1:0'], [2, 'p1:1']]));
  t.deepEqual(names(anomalies), ['lost-write']);
  t.regex(anomalies[0]?.detail ?? '', /found at 2/);
});

test('lost-write skips offsets below a given log start (retention)', (t) => {
  const anomalies = checkHistory(cleanBase().history(), finals([[1, 'p1:1'], [2, 'p1:2']]), { logStartOffsets: new Map([['t/0', 1]]) });
  t.deepEqual(anomalies, []);
});

test('unseen: an acknowledged acks=1 send never observed', (t) => {
  const h = cleanBase();
  send(h, 'p2', 'p2:0', 3, { acks: '1' });
  const anomalies = checkHistory(h.history(), cleanFinal);
  t.deepEqual(names(anomalies), ['unseen']);
  t.like(anomalies[0], { acks: '1', topic: 't', partition: 0 });
  t.deepEqual(violations(anomalies), [], 'an acks=1 write may be lost to a crash');
});

test('unseen: an acks=all loss that no poll saw is both lost and unseen', (t) => {
  const h = recorder();
  send(h, 'p1', 'p1:0', 0);
  const anomalies = checkHistory(h.history(), finals([]));
  t.deepEqual(names(anomalies), ['lost-write', 'unseen']);
  t.is(violations(anomalies).length, 2);
});

for (const idempotent of [false, true]) {
  test(`duplicate: one value at two offsets (idempotent=${idempotent})`, (t) => {
    const h = recorder();
    send(h, 'p1', 'p1:0', 0, { idempotent });
    send(h, 'p1', 'p1:1', 2, { idempotent });
    poll(h, 'c1', [[0, 'p1:0'], [1, 'p1:1'], [2, 'p1:1']]);
    const anomalies = checkHistory(h.history(), finals([[0, 'p1:0'], [1, 'p1:1'], [2, 'p1:1']]));
    t.deepEqual(names(anomalies), ['duplicate']);
    t.is(anomalies[0]?.idempotent, idempotent);
    t.regex(anomalies[0]?.detail ?? '', /p1:1 at offsets 1,2/);
    t.is(violations(anomalies).length, idempotent ? 1 : 0, 'only an idempotent producer promises no duplicates');
  });
}

test('inconsistent-offsets: one offset read with two values', (t) => {
  const h = recorder();
  send(h, 'p1', 'p1:0', 0);
  send(h, 'p1', 'p1:1', 1);
  send(h, 'p2', 'p2:0', 0, { type: 'info' });
  poll(h, 'c1', [[0, 'p1:0'], [1, 'p1:1']]);
  poll(h, 'c2', [[0, 'p1:0'], [1, 'p2:0']]);
  const anomalies = checkHistory(h.history(), finals([[0, 'p1:0'], [1, 'p1:1']]));
  t.deepEqual(names(anomalies), ['inconsistent-offsets']);
  t.regex(anomalies[0]?.detail ?? '', /offset 1 holds p1:1 and p2:0/);
});

/** Four sends at 0..3, all in the final reads. */
function fourSends(): HistoryRecorder {
  const h = recorder();
  for (let i = 0; i < 4; i++) send(h, 'p1', `p1:${i}`, i);
  return h;
}
const fourFinal = finals([[0, 'p1:0'], [1, 'p1:1'], [2, 'p1:2'], [3, 'p1:3']]);

test('poll-skip: successive polls jump over a value in the log', (t) => {
  const h = fourSends();
  poll(h, 'c1', [[0, 'p1:0'], [1, 'p1:1']]);
  poll(h, 'c1', [[3, 'p1:3']]);
  const anomalies = checkHistory(h.history(), fourFinal);
  t.deepEqual(names(anomalies), ['poll-skip']);
  t.regex(anomalies[0]?.detail ?? '', /c1 polled 3 after 1, skipping 2/);
});

test('poll-skip: a jump over offsets that hold nothing is not a skip', (t) => {
  const h = recorder();
  send(h, 'p1', 'p1:0', 0);
  send(h, 'p1', 'p1:1', 5);
  poll(h, 'c1', [[0, 'p1:0']]);
  poll(h, 'c1', [[5, 'p1:1']]);
  t.deepEqual(checkHistory(h.history(), finals([[0, 'p1:0'], [5, 'p1:1']])), []);
});

test('nonmonotonic-poll: a consumer reads backwards without an assign', (t) => {
  const h = fourSends();
  poll(h, 'c1', [[0, 'p1:0'], [1, 'p1:1'], [2, 'p1:2']]);
  poll(h, 'c1', [[1, 'p1:1'], [2, 'p1:2'], [3, 'p1:3']]);
  const anomalies = checkHistory(h.history(), fourFinal);
  t.deepEqual(names(anomalies), ['nonmonotonic-poll'], 'one report per backwards step');
  t.regex(anomalies[0]?.detail ?? '', /c1 polled 1 after 2/);
});

test('an assign between polls resets the position: no skip and no backwards read', (t) => {
  const h = fourSends();
  poll(h, 'c1', [[0, 'p1:0'], [1, 'p1:1'], [2, 'p1:2']]);
  assign(h, 'c1');
  poll(h, 'c1', [[1, 'p1:1']]);
  assign(h, 'c1');
  poll(h, 'c1', [[3, 'p1:3']]);
  poll(h, 'c2', [[2, 'p1:2']]); // another consumer's position is its own
  t.deepEqual(checkHistory(h.history(), fourFinal), []);
});

test('nonmonotonic-send: sequential sends acknowledged out of order', (t) => {
  const h = recorder();
  send(h, 'p1', 'p1:0', 1);
  send(h, 'p1', 'p1:1', 0);
  const anomalies = checkHistory(h.history(), finals([[0, 'p1:1'], [1, 'p1:0']]));
  t.deepEqual(names(anomalies), ['nonmonotonic-send']);
  t.regex(anomalies[0]?.detail ?? '', /p1 sent p1:0@1 then p1:1@0/);
});

test('nonmonotonic-send: an acks=1 write lost to a failover may see its offset reused', (t) => {
  const h = recorder();
  send(h, 'p1', 'p1:0', 5, { acks: '1' });
  send(h, 'p1', 'p1:1', 0, { acks: '1' });
  // The lost write is only `unseen` (acks=1, not a violation); no order was promised.
  t.deepEqual(names(checkHistory(h.history(), finals([[0, 'p1:1']]))), ['unseen']);
});

/** Two sends of p1 in flight together, acknowledged in reverse offset order. */
function concurrentSends(idempotent: boolean): HistoryRecorder {
  const h = recorder();
  const first = h.invoke('p1', 'send', { topic: 't', value: 'p1:0', idempotent, acks: 'all' });
  const second = h.invoke('p1', 'send', { topic: 't', value: 'p1:1', idempotent, acks: 'all' });
  h.complete(second, 'ok', { topic: 't', value: 'p1:1', idempotent, acks: 'all', partition: 0, offset: 0 });
  h.complete(first, 'ok', { topic: 't', value: 'p1:0', idempotent, acks: 'all', partition: 0, offset: 1 });
  return h;
}

test('nonmonotonic-send: concurrent sends may reorder, unless the producer is idempotent', (t) => {
  const final = finals([[0, 'p1:1'], [1, 'p1:0']]);
  t.deepEqual(checkHistory(concurrentSends(false).history(), final), []);
  t.deepEqual(names(checkHistory(concurrentSends(true).history(), final)), ['nonmonotonic-send']);
});

test('G1a: a read value whose send definitely failed', (t) => {
  const h = recorder();
  send(h, 'p1', 'p1:0', 0);
  send(h, 'p1', 'p1:1', 0, { type: 'fail' });
  poll(h, 'c1', [[0, 'p1:0'], [1, 'p1:1']]);
  const anomalies = checkHistory(h.history(), finals([[0, 'p1:0'], [1, 'p1:1']]));
  t.deepEqual(names(anomalies), ['G1a']);
  t.regex(anomalies[0]?.detail ?? '', /p1:1 failed for p1 but was read at 1/);
});

test('an info send may or may not have happened: neither G1a nor unseen', (t) => {
  const h = cleanBase();
  send(h, 'p1', 'p1:3', 0, { type: 'info' });
  send(h, 'p1', 'p1:4', 0, { type: 'info' });
  t.deepEqual(checkHistory(h.history(), finals([[0, 'p1:0'], [1, 'p1:1'], [2, 'p1:2'], [3, 'p1:3']])), []);
});

test('the recorder pairs completions with invokes, stamps time and closes open ops as info', (t) => {
  const h = recorder();
  const a = h.invoke('p1', 'send', { topic: 't', value: 'p1:0', idempotent: false, acks: 'all' });
  const b = h.invoke('c1', 'poll', []);
  h.complete(b, 'ok', []);
  t.throws(() => h.complete(b, 'ok', []), { message: /not in flight/ });
  t.is(h.inFlight, 1);
  h.closeOpen();
  const ops = h.history();
  t.deepEqual(ops.map((op) => [op.index, op.timeMs, op.process, op.type, op.f, op.invoke]),
    [[0, 0, 'p1', 'invoke', 'send', undefined], [1, 1, 'c1', 'invoke', 'poll', undefined],
      [2, 2, 'c1', 'ok', 'poll', b], [3, 3, 'p1', 'info', 'send', a]]);
  t.throws(() => h.invoke('p1', 'send', { topic: 't', value: '', idempotent: false, acks: 'all' }));
});

test('an ok send must name its partition and offset', (t) => {
  const h = recorder();
  const id = h.invoke('p1', 'send', { topic: 't', value: 'p1:0', idempotent: false, acks: 'all' });
  t.throws(() => h.complete(id, 'ok', { topic: 't', value: 'p1:0', idempotent: false, acks: 'all' }));
});

/**
 * A clean run: three producers (one idempotent and pipelined) over two partitions, some sends
 * timing out (appended or not) or failing, two consumers polling contiguously and re-assigning.
 */
function generatedClean(seed: number): { history: HistoryRecorder; final: FinalReads } {
  const random = new SeededRandom(seed);
  const h = recorder();
  const logs: string[][] = [[], []];
  const positions = new Map<string, number[]>([['c1', [0, 0]], ['c2', [0, 0]]]);
  let seq = 0;
  for (let step = 0; step < 150; step++) {
    const roll = random.int(0, 9);
    if (roll < 6) sendStep(h, random, logs, `p${random.int(1, 3)}`, seq++);
    else pollStep(h, random, logs, positions, random.chance(0.5) ? 'c1' : 'c2');
  }
  const final = new Map(logs.map((log, p) => [`t/${p}`, log.map((value, offset) => ({ offset, value }))]));
  return { history: h, final };
}

function sendStep(h: HistoryRecorder, random: SeededRandom, logs: string[][], process: string, seq: number): void {
  const partition = random.int(0, 1);
  const log = logs[partition] as string[];
  const base = { topic: 't', value: `${process}:${seq}`, idempotent: process === 'p1', acks: random.chance(0.5) ? 'all' : '1' } as const;
  const id = h.invoke(process, 'send', base);
  const outcome = random.int(0, 9);
  if (outcome === 0) return h.complete(id, 'fail', base);
  if (outcome === 1) {
    if (random.chance(0.5)) log.push(base.value); // timed out after the append, or before it
    return h.complete(id, 'info', base);
  }
  log.push(base.value);
  h.complete(id, 'ok', { ...base, partition, offset: log.length - 1 });
}

function pollStep(h: HistoryRecorder, random: SeededRandom, logs: string[][], positions: Map<string, number[]>, process: string): void {
  const position = positions.get(process) as number[];
  if (random.chance(0.1)) {
    const id = h.invoke(process, 'assign', [{ topic: 't', partition: 0 }, { topic: 't', partition: 1 }]);
    h.complete(id, 'ok', [{ topic: 't', partition: 0 }, { topic: 't', partition: 1 }]);
    for (let p = 0; p < 2; p++) position[p] = random.int(0, (logs[p] as string[]).length); // seek anywhere
    return;
  }
  const id = h.invoke(process, 'poll', []);
  const records = [];
  for (let p = 0; p < 2; p++) {
    const log = logs[p] as string[];
    const from = position[p] as number;
    const to = Math.min(log.length, from + random.int(0, 4));
    for (let offset = from; offset < to; offset++) records.push({ topic: 't', partition: p, offset, value: log[offset] as string });
    position[p] = to;
  }
  h.complete(id, 'ok', records);
}

test('a generated clean history of a few hundred ops has no anomalies', (t) => {
  const { history, final } = generatedClean(7);
  t.true(history.history().length >= 250, `${history.history().length} ops`);
  t.deepEqual(checkHistory(history.history(), final), []);
});

test('the generated history with one final read dropped is caught, deterministically', (t) => {
  const { history, final } = generatedClean(7);
  const log = [...(final.get('t/0') ?? [])];
  const okOffsets = new Set(history.history().flatMap((op) => (op.f === 'send' && op.type === 'ok' && op.value.partition === 0 && op.value.acks === 'all' ? [op.value.offset] : [])));
  const victim = log.findIndex((r) => okOffsets.has(r.offset));
  t.true(victim >= 0);
  log.splice(victim, 1);
  const broken = new Map(final).set('t/0', log);
  const first = checkHistory(history.history(), broken);
  t.true(first.some((a) => a.name === 'lost-write'));
  t.deepEqual(checkHistory(history.history(), broken), first);
});
