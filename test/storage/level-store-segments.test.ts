// Goal: LevelStore's segmented layout (runtime/storage/keys.ts, segment-index.ts, versions.ts,
// segment-reclaim.ts) keeps the store's contract when a log's entries lie in many segments, when
// deletions are reclaimed at segment rolls, and across reopen (the index and the versions are rebuilt
// from the keys), and moves a data directory of the layout before segments into segment 0.
// Method: random appends (an emptied log restarting below its old start too), truncations,
// deletions, meta writes, reads, bounds, log lists and reopens against a plain model, with a new
// segment every write or every few KB; then a directory written by hand in the old layout, opened.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { Level } from 'level';
import { LevelStore, type LevelStoreOptions } from '../../runtime/storage/level-store.js';
import { legacyLogKey, legacyLogRange, legacyMetaKey, legacyMetaRange } from '../../runtime/storage/keys.js';
import type { LogBounds, LogEntry } from '../../runtime/storage/store.js';
import { StorageError } from '../../runtime/storage/store.js';

const call = <T>(run: (done: (error: StorageError | undefined, value?: T) => void) => void): Promise<T> =>
  new Promise((resolve, reject) => run((error, value) => (error ? reject(error) : resolve(value as T))));

function tempDir(t: ExecutionContext): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-segments-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The logs as plain arrays: what every store operation must agree with. */
class Model {
  readonly logs = new Map<string, LogEntry[]>();
  entries(log: string): LogEntry[] { return this.logs.get(log) ?? []; }
  read(log: string, from: number, bytesMax: number): LogEntry[] {
    const all = this.entries(log);
    let start = 0;
    for (let i = 0; i < all.length; i++) if ((all[i] as LogEntry).offset <= from) start = i;
    const out: LogEntry[] = [];
    let bytes = 0;
    for (const e of all.slice(start)) {
      if (out.length > 0 && bytes + e.value.length > bytesMax) break;
      out.push(e);
      bytes += e.value.length;
    }
    return out;
  }
  bounds(log: string): LogBounds {
    const all = this.entries(log);
    return { first: all[0]?.offset, last: all[all.length - 1] };
  }
  set(log: string, entries: LogEntry[]): void { if (entries.length === 0) this.logs.delete(log); else this.logs.set(log, entries); }
}

function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => { state = (Math.imul(state, 1664525) + 1013904223) >>> 0; return state / 0x1_0000_0000; };
}

async function randomRun(t: ExecutionContext, seed: number, options: LevelStoreOptions): Promise<void> {
  const dir = tempDir(t);
  let store = await LevelStore.open(dir, options);
  const model = new Model();
  const random = prng(seed);
  const pick = (n: number): number => Math.floor(random() * n);
  const logs = ['a', 'b', 'c'];
  const next = new Map<string, number>(logs.map((l) => [l, 0]));
  const metas = new Map<string, Uint8Array>();
  try {
    for (let step = 0; step < 400; step++) {
      const log = logs[pick(logs.length)] as string;
      const roll = random();
      const where = `seed ${seed}, step ${step}`;
      if (roll < 0.4) {
        const count = 1 + pick(3);
        const entries: LogEntry[] = [];
        // A log whose entries are all deleted may start again anywhere, below its old start too.
        let offset = model.entries(log).length === 0 && random() < 0.4 ? pick((next.get(log) as number) + 1) : next.get(log) as number;
        for (let i = 0; i < count; i++) {
          entries.push({ offset, value: new Uint8Array(1 + pick(3000)).fill((offset * 7 + seed) % 251) });
          offset += 1 + pick(5);
        }
        await call((done) => store.append(log, entries, { sync: false }, done));
        next.set(log, offset);
        model.set(log, [...model.entries(log), ...entries]);
      } else if (roll < 0.48) {
        const last = next.get(log) as number;
        const at = pick(last + 2);
        await call((done) => store.truncateFrom(log, at, done));
        model.set(log, model.entries(log).filter((e) => e.offset < at));
        const remaining = model.entries(log);
        next.set(log, remaining.length === 0 ? at : (remaining[remaining.length - 1] as LogEntry).offset + 1);
      } else if (roll < 0.56) {
        const at = pick((next.get(log) as number) + 2);
        await call((done) => store.deleteBefore(log, at, done));
        model.set(log, model.entries(log).filter((e) => e.offset >= at));
      } else if (roll < 0.64) {
        const key = `k${pick(3)}`;
        const value = random() < 0.25 ? undefined : new Uint8Array(1 + pick(40)).fill(step % 251);
        await call((done) => store.putMetas([[key, value]], { sync: false }, done));
        if (value === undefined) metas.delete(key); else metas.set(key, value);
        for (const k of ['k0', 'k1', 'k2']) t.deepEqual(await call<Uint8Array | undefined>((done) => store.getMeta(k, done)), metas.get(k), `${where}: meta ${k}`);
      } else if (roll < 0.86) {
        const from = pick((next.get(log) as number) + 3);
        const bytesMax = pick(8000);
        const got = await call<LogEntry[]>((done) => store.read(log, from, bytesMax, done));
        t.deepEqual(got.map((e) => e.offset), model.read(log, from, bytesMax).map((e) => e.offset), `${where}: read ${log} from ${from}, ${bytesMax} B`);
      } else if (roll < 0.96) {
        const got = await call<LogBounds>((done) => store.bounds(log, done));
        const want = model.bounds(log);
        t.is(got.first, want.first, `${where}: first of ${log}`);
        t.is(got.last?.offset, want.last?.offset, `${where}: last of ${log}`);
        t.deepEqual(await call<string[]>((done) => store.logs(done)), [...model.logs.keys()].sort(), `${where}: logs`);
      } else {
        await call((done) => store.close(done));
        store = await LevelStore.open(dir, options);
        for (const k of ['k0', 'k1', 'k2']) t.deepEqual(await call<Uint8Array | undefined>((done) => store.getMeta(k, done)), metas.get(k), `${where}: meta ${k} after reopen`);
      }
    }
    const names = await call<string[]>((done) => store.logs(done));
    t.deepEqual(names, [...model.logs.keys()].sort());
    for (const log of logs) {
      const all = await call<LogEntry[]>((done) => store.read(log, 0, 1 << 30, done));
      t.deepEqual(all, model.entries(log), `seed ${seed}: all of ${log}`);
    }
  } finally {
    await call((done) => store.close(done)).catch(() => undefined);
  }
}

for (const seed of [1, 2, 3]) {
  test(`a new segment every write: random operations agree with the model (seed ${seed})`, (t) => randomRun(t, seed, { segmentRollBytes: 1 }));
  test(`a new segment every 8 KB: random operations agree with the model (seed ${seed})`, (t) => randomRun(t, seed, { segmentRollBytes: 8192 }));
}

test('a data directory of the layout before segments opens with its entries in place', async (t) => {
  const dir = tempDir(t);
  const raw = new Level<Uint8Array, Uint8Array>(dir, { keyEncoding: 'view', valueEncoding: 'view' });
  await raw.open();
  const value = (o: number): Uint8Array => new Uint8Array(100).fill(o % 251);
  const ops = [];
  for (let o = 0; o < 3000; o++) ops.push({ type: 'put' as const, key: legacyLogKey(o % 2 === 0 ? 'even' : 'odd', o), value: value(o) });
  ops.push({ type: 'put' as const, key: legacyMetaKey('raft.term'), value: Uint8Array.of(7) });
  await raw.batch(ops);
  await raw.close();

  let store = await LevelStore.open(dir, { segmentRollBytes: 1 });
  t.deepEqual(await call<string[]>((done) => store.logs(done)), ['even', 'odd']);
  const odd = await call<LogEntry[]>((done) => store.read('odd', 1001, 1 << 30, done));
  t.is(odd[0]?.offset, 1001);
  t.is(odd.length, 1000);
  t.deepEqual(odd[0]?.value, value(1001));
  t.deepEqual(await call<Uint8Array | undefined>((done) => store.getMeta('raft.term', done)), Uint8Array.of(7));
  await call((done) => store.append('odd', [{ offset: 3001, value: value(3001) }], { sync: false }, done));
  await expectInvalid(t, store, 'even', 2998);
  await call((done) => store.close(done));

  const check = new Level<Uint8Array, Uint8Array>(dir, { keyEncoding: 'view', valueEncoding: 'view' });
  await check.open();
  t.deepEqual(await check.keys({ ...legacyLogRange, limit: 1 }).all(), [], 'no log key of the old layout is left');
  t.deepEqual(await check.keys({ ...legacyMetaRange, limit: 1 }).all(), [], 'no meta key of the old layout is left');
  await check.close();
  store = await LevelStore.open(dir);
  const bounds = await call<LogBounds>((done) => store.bounds('odd', done));
  t.is(bounds.first, 1);
  t.deepEqual(await call<Uint8Array | undefined>((done) => store.getMeta('raft.term', done)), Uint8Array.of(7), 'the moved meta key reopens');
  t.is(bounds.last?.offset, 3001);
  await call((done) => store.close(done));
});

async function expectInvalid(t: ExecutionContext, store: LevelStore, log: string, offset: number): Promise<void> {
  const error = await t.throwsAsync(call((done) => store.append(log, [{ offset, value: new Uint8Array(1) }], { sync: false }, done)), { instanceOf: StorageError });
  t.is(error?.code, 'INVALID_ARGUMENT', 'an append not above the migrated last entry is refused');
}
