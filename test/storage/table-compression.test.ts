// Goal: a node's LevelDB stores batches as the producer sent them, without Snappy on its tables
// (runtime/storage/level-store.ts, TABLE_COMPRESSION), and a database whose tables were written with
// Snappy still opens and reads whole under the new default.
// Method: append 4 MiB of one repeated byte, reopen (recovery turns the write-ahead log into a table,
// written with the options of that open), and compare the tables' size on disk with the bytes
// written; the same with compression on as control.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { LevelStore, type LevelStoreOptions } from '../../runtime/storage/level-store.js';

const VALUE_BYTES = 64 * 1024;
const VALUES = 64;

const call = <T>(run: (done: (error: Error | undefined, value?: T) => void) => void): Promise<T | undefined> =>
  new Promise((resolve, reject) => run((error, value) => (error ? reject(error) : resolve(value))));

function tempDir(t: ExecutionContext): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-compression-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function write(dir: string, options: LevelStoreOptions): Promise<void> {
  const store = await LevelStore.open(dir, options);
  for (let i = 0; i < VALUES; i++) {
    await call((done) => store.append('t-0', [{ offset: i, value: new Uint8Array(VALUE_BYTES).fill(7) }], { sync: false }, done));
  }
  await call((done) => store.close(done));
}

/** Opens with `options` (writing any logged writes into a table), reads the log back, closes. */
async function reopen(dir: string, options: LevelStoreOptions): Promise<{ tableBytes: number; entries: number }> {
  const store = await LevelStore.open(dir, options);
  const entries = await call<{ offset: number }[]>((done) => store.read('t-0', 0, VALUE_BYTES * VALUES, done));
  await call((done) => store.close(done));
  const tableBytes = fs.readdirSync(dir).filter((f) => f.endsWith('.ldb')).reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0);
  return { tableBytes, entries: entries?.length ?? 0 };
}

test('by default the tables hold every byte written; with Snappy on they hold a fraction', async (t) => {
  const plainDir = tempDir(t);
  await write(plainDir, {});
  const plain = await reopen(plainDir, {});
  const snappyDir = tempDir(t);
  await write(snappyDir, { compression: true });
  const snappy = await reopen(snappyDir, { compression: true });
  t.true(plain.tableBytes >= VALUE_BYTES * VALUES, `tables ${plain.tableBytes} B for ${VALUE_BYTES * VALUES} B written`);
  t.true(snappy.tableBytes < (VALUE_BYTES * VALUES) / 4, `control: Snappy's tables ${snappy.tableBytes} B`);
  t.is(plain.entries, VALUES);
});

test('tables written with Snappy open and read whole under the default', async (t) => {
  const dir = tempDir(t);
  await write(dir, { compression: true });
  const compressed = await reopen(dir, { compression: true });
  t.true(compressed.tableBytes < (VALUE_BYTES * VALUES) / 4, 'the tables on disk are Snappy-compressed');
  const read = await reopen(dir, {});
  t.is(read.entries, VALUES);
});
