// LevelStore's group commit (runtime/storage/level-store.ts): writes waiting together go to LevelDB
// as one batch, so when that batch fails every write in it fails, and the store's knowledge of each
// log's last entry must not outlive the failure. The failure is injected at LevelDB's `batch`.
import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LevelStore } from '../../runtime/storage/level-store.js';
import type { StorageError } from '../../runtime/storage/store.js';
import type { LogEntry } from '../../runtime/storage/store.js';

const entry = (offset: number): LogEntry => ({ offset, value: Uint8Array.of(offset) });
type Batch = (ops: unknown[], options: unknown) => Promise<void>;

function done(start: (callback: (error: StorageError | undefined) => void) => void): Promise<string> {
  return new Promise((resolve) => start((error) => resolve(error?.code ?? 'ok')));
}

test('a failed group fails every write in it; the next writes see the log as it is on disk', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'brook-group-'));
  const store = await LevelStore.open(dir);
  try {
    t.is(await done((cb) => store.append('p', [entry(0)], { sync: false }, cb)), 'ok');
    const db = (store as unknown as { db: { batch: Batch } }).db;
    const real = db.batch.bind(db);
    const calls: number[] = [];
    db.batch = (ops, options) => { calls.push(ops.length); return calls.length === 1 ? Promise.reject(new Error('disk full')) : real(ops, options); };
    // Issued back to back: one group, one LevelDB batch, which fails.
    const failed = await Promise.all([
      done((cb) => store.append('p', [entry(1)], { sync: false }, cb)),
      done((cb) => store.putMeta('k', Uint8Array.of(1), { sync: false }, cb)),
      done((cb) => store.append('p', [entry(2)], { sync: true }, cb)),
    ]);
    t.deepEqual(failed, ['IO_ERROR', 'IO_ERROR', 'IO_ERROR']);
    t.deepEqual(calls, [3], 'the three writes went to LevelDB as one batch');
    // Offset 1 never landed: appending it again is accepted, not refused as below the last entry.
    t.is(await done((cb) => store.append('p', [entry(1)], { sync: false }, cb)), 'ok');
    const entries = await new Promise<LogEntry[]>((resolve, reject) => store.read('p', 0, 1 << 20, (error, read) => (error ? reject(error) : resolve(read))));
    t.deepEqual(entries.map((e) => e.offset), [0, 1]);
    t.is(await new Promise((resolve) => store.getMeta('k', (_error, value) => resolve(value))), undefined, 'the meta write of the failed group is not there');
  } finally {
    await done((cb) => store.close(cb));
    await rm(dir, { recursive: true, force: true });
  }
});
