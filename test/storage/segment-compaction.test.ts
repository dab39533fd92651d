// Goal: with segments (runtime/storage/keys.ts) and a memtable flush at every segment roll
// (memtable-switch.ts), LevelDB never compacts a log that is only appended to: each flushed table
// holds one segment, no later table overlaps it, and tables move down the levels untouched — while
// the same writes without the flushes at rolls (one segment, LevelDB flushing on its own) make it
// compact, reading back what it wrote (the control: the check can fail).
// Method: six logs appended in turn, as a node's replicas write, with meta writes between, through
// a 256 KiB memtable; LevelDB's own `leveldb.stats` gives the megabytes its compactions read.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { LevelStore, type LevelStoreOptions } from '../../runtime/storage/level-store.js';
import type { LogEntry } from '../../runtime/storage/store.js';
import type { StorageError } from '../../runtime/storage/store.js';
import { makePayloads } from '../../bench/lib/payload.js';

const call = <T>(run: (done: (error: StorageError | undefined, value?: T) => void) => void): Promise<T> =>
  new Promise((resolve, reject) => run((error, value) => (error ? reject(error) : resolve(value as T))));

const MEMTABLE = 256 * 1024;
const LOGS = 6;

/** Megabytes LevelDB's compactions read, summed over the levels of `leveldb.stats`. */
function compactionReadMb(stats: string): number {
  let total = 0;
  for (const line of stats.split('\n')) {
    const columns = line.trim().split(/\s+/).map(Number);
    if (columns.length === 6 && columns.every(Number.isFinite)) total += columns[4] as number;
  }
  return total;
}

/** `entries` of `entryBytes` to each of six logs, in turn. */
async function appendSixLogs(t: ExecutionContext, entries: number, entryBytes: number, options: LevelStoreOptions): Promise<{ readMb: number; stats: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-compaction-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const store = await LevelStore.open(dir, { writeBufferBytes: MEMTABLE, ...options });
  const payloads = makePayloads(entryBytes);
  let n = 0;
  for (let offset = 0; offset < entries; offset++) {
    const writes: Promise<unknown>[] = [];
    for (let log = 0; log < LOGS; log++) {
      const entry: LogEntry = { offset, value: payloads.at(n++) };
      writes.push(call((done) => store.append(`events-${log}`, [entry], { sync: false }, done)));
    }
    if (offset % 50 === 0) writes.push(call((done) => store.putMetas([[`events-${offset % LOGS}/hw`, Uint8Array.of(offset % 251)]], { sync: false }, done)));
    await Promise.all(writes);
  }
  await new Promise((resolve) => setTimeout(resolve, 500)); // LevelDB's background work after the last flush
  const stats = store.property('leveldb.stats');
  const read = await call<LogEntry[]>((done) => store.read('events-3', 0, 1 << 30, done));
  t.is(read.length, entries, 'every entry reads back');
  await call((done) => store.close(done));
  return { readMb: compactionReadMb(stats), stats };
}

test('appends through segment rolls are never compacted; the same appends in one segment are', async (t) => {
  // 6 × 1,200 × 4 KiB ≈ 28 MiB: about 110 memtables.
  const segmented = await appendSixLogs(t, 1200, 4096, {});
  t.log(`segments: compactions read ${segmented.readMb} MB\n${segmented.stats}`);
  t.is(segmented.readMb, 0, 'no compaction read a table');
  const control = await appendSixLogs(t, 1200, 4096, { segmentRollBytes: Number.POSITIVE_INFINITY });
  t.log(`one segment: compactions read ${control.readMb} MB`);
  t.true(control.readMb >= 10, `without the flushes at rolls LevelDB compacts (${control.readMb} MB read)`);
});

test('small entries too: the roll counts what the memtable spends on each, so it comes before LevelDB flushes on its own', async (t) => {
  // 6 × 6,000 entries of 10 B: the memtable spends more on each than its key and value.
  const small = await appendSixLogs(t, 6000, 10, {});
  t.log(`small entries: compactions read ${small.readMb} MB\n${small.stats}`);
  // A table LevelDB flushed on its own ends mid-segment, overlaps the next, and is held at level 0
  // or 1 (with the overhead not counted, 5 of 11 tables stayed at level 1).
  t.regex(small.stats, /^\s+2\s+\d+/m);
  t.notRegex(small.stats, /^\s+[01]\s+\d+/m, 'every table went straight to level 2, overlapping none');
});
