// The simulated disk's fault models: what a process crash, a power loss and a wipe keep, checked
// over many seeds, plus ordering, determinism and the incarnation fence on stale callbacks.
import test from 'ava';
import { StorageError } from '../../runtime/storage/store.js';
import type { LogEntry } from '../../runtime/storage/store.js';
import { SimHarness } from './store-harness.js';

const SEEDS = Array.from({ length: 200 }, (_, i) => i + 1);
const BATCH = 5;
const NOSYNC = { sync: false };
const SYNC = { sync: true };

/** Batch `i` holds offsets i*BATCH .. i*BATCH+4, so a half-kept batch shows up as a partial run. */
const batch = (i: number): LogEntry[] =>
  Array.from({ length: BATCH }, (_, j) => ({ offset: i * BATCH + j, value: Uint8Array.of(i, j) }));

const keptOffsets = (h: SimHarness, log = 'p'): number[] =>
  (h.store.snapshotForChecks().logs.get(log) ?? []).map((e) => e.offset);

/** The kept offsets must be exactly batches 0..k-1, whole; returns k (or -1 when not a prefix). */
function keptBatches(offsets: number[]): number {
  if (offsets.length % BATCH !== 0) return -1;
  return offsets.every((offset, i) => offset === i) ? offsets.length / BATCH : -1;
}

/** Issues `count` appends of batches first..first+count-1 without waiting; returns which were acknowledged. */
function issue(h: SimHarness, first: number, count: number, sync: boolean): Set<number> {
  const acked = new Set<number>();
  for (let i = first; i < first + count; i++) {
    h.store.append('p', batch(i), { sync }, (error) => { if (error === undefined) acked.add(i); });
  }
  return acked;
}

/** Runs the scheduler for a seed-chosen while, so some writes are acknowledged and some in flight. */
function runSome(h: SimHarness, seed: number): void {
  h.scheduler.runUntil(h.scheduler.nowMs + (seed % 7));
}

test('crash keeps every acknowledged write and a whole-batch prefix of the in-flight ones', async (t) => {
  const kepts = new Set<number>();
  for (const seed of SEEDS) {
    const h = new SimHarness(seed, { latencyMinMs: 0, latencyMaxMs: 3 });
    const settled = issue(h, 0, 4, false);
    h.scheduler.runWhile(Number.POSITIVE_INFINITY, () => settled.size === 4);
    const acked = issue(h, 4, 12, false);
    runSome(h, seed);
    const inflight = h.store.pendingWrites().inflight;
    h.store.crashProcess();
    h.store.restart();
    const k = keptBatches(keptOffsets(h));
    t.true(k >= 4 + acked.size, `seed ${seed}: kept ${k} batches, acknowledged ${4 + acked.size}`);
    t.true(k <= 16, `seed ${seed}: kept ${k} ≤ issued`);
    t.is(h.store.lostByLastFault, 16 - k, `seed ${seed}: lost count`);
    t.true(k - 4 - acked.size <= inflight, `seed ${seed}: kept only issued writes`);
    kepts.add(k);
  }
  t.true(kepts.size > 3, 'different seeds keep different prefixes');
});

test('crash result is visible through read() after restart', async (t) => {
  const h = new SimHarness(3);
  await h.done((callback) => h.store.append('p', batch(0), NOSYNC, callback));
  issue(h, 1, 3, false);
  h.store.crashProcess();
  h.store.restart();
  const read = await h.call<LogEntry[]>((callback) => h.store.read('p', 0, 1 << 20, callback));
  t.deepEqual(read.map((e) => e.offset), keptOffsets(h));
  t.true(keptBatches(read.map((e) => e.offset)) >= 1);
});

test('power loss keeps everything synced and a gap-free prefix of the unsynced writes', async (t) => {
  const kepts = new Set<number>();
  for (const seed of SEEDS) {
    const h = new SimHarness(seed, { latencyMinMs: 0, latencyMaxMs: 3, fsyncExtraMs: 1 });
    const synced = issue(h, 0, 3, true);
    h.scheduler.runWhile(Number.POSITIVE_INFINITY, () => synced.size === 3);
    await h.done((callback) => h.store.putMeta('term', Uint8Array.of(1), SYNC, callback));
    issue(h, 3, 20, false);
    runSome(h, seed);
    h.store.losePower();
    h.store.restart();
    const k = keptBatches(keptOffsets(h));
    t.true(k >= 3 && k <= 23, `seed ${seed}: kept batches 0..${k - 1} (-1 means a gap or half a batch)`);
    t.is(h.store.lostByLastFault, 23 - k, `seed ${seed}: lost count`);
    t.deepEqual(h.store.snapshotForChecks().meta.get('term'), Uint8Array.of(1), `seed ${seed}: synced meta kept`);
    kepts.add(k);
  }
  t.true(kepts.has(3), 'some seed loses every unsynced write');
  t.true(kepts.size > 5, 'different seeds keep different prefixes');
});

test('a synced write makes every earlier unsynced write durable', async (t) => {
  for (const seed of SEEDS.slice(0, 50)) {
    const h = new SimHarness(seed);
    const acked = issue(h, 0, 5, false);
    h.scheduler.runWhile(Number.POSITIVE_INFINITY, () => acked.size === 5);
    t.is(h.store.pendingWrites().cached, 5, 'unsynced writes sit in the page cache');
    await h.done((callback) => h.store.putMetas([['hw', Uint8Array.of(9)]], SYNC, callback));
    t.deepEqual(h.store.pendingWrites(), { cached: 0, inflight: 0 });
    t.deepEqual(h.store.snapshotForChecks('durable').logs.get('p')?.length, 25);
    h.store.losePower();
    h.store.restart();
    t.is(keptBatches(keptOffsets(h)), 5, `seed ${seed}`);
    t.is(h.store.lostByLastFault, 0);
  }
});

test('the page cache is written back past cacheWritesMax', async (t) => {
  const h = new SimHarness(5, { cacheWritesMax: 3 });
  const acked = issue(h, 0, 10, false);
  h.scheduler.runWhile(Number.POSITIVE_INFINITY, () => acked.size === 10);
  t.is(h.store.pendingWrites().cached, 3);
  h.store.losePower();
  h.store.restart();
  t.true(keptBatches(keptOffsets(h)) >= 7, 'the oldest seven writes were written back');
});

test('callbacks issued before a fault never fire after it; new ones do', async (t) => {
  for (const fault of ['crashProcess', 'losePower', 'wipe'] as const) {
    const h = new SimHarness(11);
    let fired = 0;
    const count = (): void => { fired++; };
    for (let i = 0; i < 5; i++) h.store.append('p', batch(i), { sync: i === 4 }, count);
    h.store.read('p', 0, 100, count);
    h.store.getMeta('k', count);
    h.store.close(count);
    h.store[fault]();
    h.scheduler.runUntil(Number.POSITIVE_INFINITY);
    t.is(fired, 0, `${fault}: no stale callback fired`);
    t.is(h.scheduler.pending, 0);
    await t.throwsAsync(h.done((callback) => h.store.append('p', batch(9), NOSYNC, callback)),
      { instanceOf: StorageError, message: /closed/ }, `${fault}: a crashed store is down until restart`);
    h.store.restart();
    const before = keptBatches(keptOffsets(h));
    await h.done((callback) => h.store.append('p', batch(before), NOSYNC, callback));
    t.is(keptBatches(keptOffsets(h)), before + 1, `${fault}: the restarted store works`);
  }
});

test('wipe loses everything, durable or not', async (t) => {
  const h = new SimHarness(2);
  await h.done((callback) => h.store.append('p', batch(0), SYNC, callback));
  await h.done((callback) => h.store.putMeta('term', Uint8Array.of(3), SYNC, callback));
  await h.done((callback) => h.store.append('p', batch(1), NOSYNC, callback));
  h.store.wipe();
  h.store.restart();
  t.deepEqual(await h.call<string[]>((callback) => h.store.logs(callback)), []);
  t.is(await h.call((callback) => h.store.getMeta('term', callback)), undefined);
  t.is(h.store.lostByLastFault, 1);
});

test('writes complete in issue order whatever latency each one drew', (t) => {
  for (const seed of SEEDS.slice(0, 50)) {
    const h = new SimHarness(seed, { latencyMinMs: 0, latencyMaxMs: 40, fsyncExtraMs: 15 });
    const order: number[] = [];
    for (let i = 0; i < 30; i++) {
      const record = (): void => { order.push(i); };
      if (i % 3 === 0) h.store.putMeta(`k${i}`, Uint8Array.of(i), { sync: i % 2 === 0 }, record);
      else h.store.append('p', batch(i), { sync: i % 4 === 1 }, record);
    }
    h.scheduler.runUntil(Number.POSITIVE_INFINITY);
    t.deepEqual(order, Array.from({ length: 30 }, (_, i) => i), `seed ${seed}`);
  }
});

test('same seed, same kept prefix and same completion times', (t) => {
  const run = (seed: number): string => {
    const h = new SimHarness(seed, { latencyMinMs: 1, latencyMaxMs: 9 });
    const times: number[] = [];
    for (let i = 0; i < 20; i++) h.store.append('p', batch(i), NOSYNC, () => times.push(h.scheduler.nowMs));
    h.scheduler.runUntil(12);
    h.store.crashProcess();
    const crashKept = keptOffsets(h).length;
    h.store.losePower();
    return JSON.stringify({ times, crashKept, powerKept: keptOffsets(h).length, lost: h.store.lostByLastFault });
  };
  const runs = SEEDS.slice(0, 30).map(run);
  t.deepEqual(SEEDS.slice(0, 30).map(run), runs);
  t.true(new Set(runs).size > 1, 'the outcome depends on the seed');
});

test('slowFactor and fsyncExtraMs scale completion times in simulated time', async (t) => {
  const h = new SimHarness(1, { latencyMinMs: 2, latencyMaxMs: 2, fsyncExtraMs: 3 });
  await h.done((callback) => h.store.append('p', batch(0), NOSYNC, callback));
  t.is(h.scheduler.nowMs, 2);
  await h.done((callback) => h.store.append('p', batch(1), SYNC, callback));
  t.is(h.scheduler.nowMs, 7);
  h.store.knobs.slowFactor = 10;
  await h.done((callback) => h.store.append('p', batch(2), NOSYNC, callback));
  t.is(h.scheduler.nowMs, 27);
});

test('failNext injects one IO_ERROR with no effect', async (t) => {
  const h = new SimHarness(4);
  h.store.failNext('append');
  const error = await t.throwsAsync(h.done((callback) => h.store.append('p', batch(0), NOSYNC, callback)), { instanceOf: StorageError });
  t.is(error?.code, 'IO_ERROR');
  t.deepEqual(keptOffsets(h), [], 'the failed append wrote nothing');
  await h.done((callback) => h.store.append('p', batch(0), NOSYNC, callback));
  t.is(keptBatches(keptOffsets(h)), 1, 'only the next call fails');
  h.store.failNext('read');
  const readError = await t.throwsAsync(h.call((callback) => h.store.read('p', 0, 10, callback)), { instanceOf: StorageError });
  t.is(readError?.code, 'IO_ERROR');
});
