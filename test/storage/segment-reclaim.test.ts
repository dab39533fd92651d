// Goal: what `deleteBefore` and superseded meta values leave behind in older segments is deleted for
// good at later segment rolls (runtime/storage/segment-reclaim.ts): the disk does not keep what
// retention dropped, nor the meta versions of segments no entry is left in; the newest meta values,
// the starts and the kept entries survive reclaiming and reopening; a store that takes no more
// writes reclaims on its own check.
// Method: three logs and a meta key written across many small segments, most of each log deleted,
// then more rolls; the LevelDB directory, opened raw afterwards, is counted key by key. The counts
// before the deletions and with reclaiming held off (no roll after them) are the controls.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { Level } from 'level';
import { allLogsRange, decodeLogKey, decodeVersionKey, isVersionKey } from '../../runtime/storage/keys.js';
import { LevelStore } from '../../runtime/storage/level-store.js';
import type { LogEntry } from '../../runtime/storage/store.js';
import type { StorageError } from '../../runtime/storage/store.js';

const call = <T>(run: (done: (error: StorageError | undefined, value?: T) => void) => void): Promise<T> =>
  new Promise((resolve, reject) => run((error, value) => (error ? reject(error) : resolve(value as T))));

const LOGS = ['a', 'b', 'c'];
const ROLL = 4096;

interface Census { entries: Map<string, number[]>; versions: number; hwVersions: number }

async function census(dir: string): Promise<Census> {
  const raw = new Level<Uint8Array, Uint8Array>(dir, { keyEncoding: 'view', valueEncoding: 'view' });
  await raw.open();
  const entries = new Map<string, number[]>();
  let versions = 0;
  let hwVersions = 0;
  for (const key of await raw.keys(allLogsRange).all()) {
    if (isVersionKey(key)) { versions++; if (decodeVersionKey(key).name === 'a/hw') hwVersions++; continue; }
    const { log, offset } = decodeLogKey(key);
    entries.set(log, [...(entries.get(log) ?? []), offset]);
  }
  await raw.close();
  return { entries, versions, hwVersions };
}

async function fill(t: ExecutionContext): Promise<{ dir: string; store: LevelStore }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-reclaim-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const store = await LevelStore.open(dir, { segmentRollBytes: ROLL });
  for (let offset = 0; offset < 200; offset++) {
    for (const log of LOGS) await call((done) => store.append(log, [{ offset, value: new Uint8Array(500).fill(offset % 251) }], { sync: false }, done));
    await call((done) => store.putMeta('a/hw', Uint8Array.of(offset % 251), { sync: false }, done));
  }
  return { dir, store };
}

test('entries below a start and superseded meta versions are deleted at the rolls after; what is kept reads back', async (t) => {
  const { dir, store } = await fill(t);
  await call((done) => store.close(done));
  const before = await census(dir);
  t.deepEqual(before.entries.get('a')?.length, 200);
  t.true(before.hwVersions >= 20, `a meta version per segment it was written in (${before.hwVersions})`);

  let reopened = await LevelStore.open(dir, { segmentRollBytes: ROLL });
  await call((done) => reopened.deleteBefore('a', 190, done));
  await call((done) => reopened.deleteBefore('b', 1000, done)); // every entry of b
  await call((done) => reopened.deleteBefore('c', 150, done));
  await call((done) => reopened.close(done));
  const held = await census(dir);
  t.is(held.entries.get('a')?.length, 200, 'control: without a roll after it, a deletion only moves the start');

  reopened = await LevelStore.open(dir, { segmentRollBytes: ROLL });
  t.deepEqual((await call<LogEntry[]>((done) => reopened.read('a', 0, 1 << 30, done))).map((e) => e.offset), Array.from({ length: 10 }, (_, i) => 190 + i));
  for (let offset = 200; offset < 240; offset++) {
    await call((done) => reopened.append('c', [{ offset, value: new Uint8Array(500) }], { sync: false }, done));
  }
  await call((done) => reopened.close(done));
  const after = await census(dir);
  t.deepEqual(after.entries.get('a'), Array.from({ length: 10 }, (_, i) => 190 + i), 'a keeps only what is at or above its start');
  t.false(after.entries.has('b'), 'b keeps nothing');
  t.is(after.entries.get('c')?.length, 90, 'c keeps 150–239');
  // The segments from before offset 150 hold no entry any more: their meta versions went with them.
  t.true(after.hwVersions < before.hwVersions / 2, `superseded meta versions go with their segments (${before.hwVersions} → ${after.hwVersions})`);

  reopened = await LevelStore.open(dir, { segmentRollBytes: ROLL });
  t.deepEqual(await call<Uint8Array | undefined>((done) => reopened.getMeta('a/hw', done)), Uint8Array.of(199 % 251), 'the newest meta value survives');
  t.deepEqual(await call<string[]>((done) => reopened.logs(done)), ['a', 'c']);
  t.deepEqual((await call<LogEntry[]>((done) => reopened.read('b', 0, 1 << 30, done))), []);
  await call((done) => reopened.append('b', [{ offset: 5, value: Uint8Array.of(1) }], { sync: false }, done));
  t.deepEqual((await call<LogEntry[]>((done) => reopened.read('b', 0, 1 << 30, done))).map((e) => e.offset), [5], 'an emptied log starts again below its old start');
  await call((done) => reopened.close(done));
});

test('a store that takes no more writes reclaims what retention deleted on its own, within its check interval', async (t) => {
  const run = async (reclaimCheckMs: number): Promise<number[] | undefined> => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-reclaim-idle-'));
    t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
    const store = await LevelStore.open(dir, { reclaimCheckMs });
    for (let offset = 0; offset < 50; offset++) await call((done) => store.append('a', [{ offset, value: new Uint8Array(500) }], { sync: false }, done));
    await call((done) => store.deleteBefore('a', 45, done));
    await new Promise((resolve) => setTimeout(resolve, 400));
    t.deepEqual((await call<LogEntry[]>((done) => store.read('a', 0, 1 << 30, done))).map((e) => e.offset), [45, 46, 47, 48, 49]);
    await call((done) => store.close(done));
    return (await census(dir)).entries.get('a');
  };
  t.deepEqual(await run(50), [45, 46, 47, 48, 49], 'checked every 50 ms: the entries below the start are gone from disk');
  t.is((await run(3_600_000))?.length, 50, 'control: checked hourly, they are still on disk (only hidden)');
});
