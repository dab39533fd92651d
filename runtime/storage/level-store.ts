/**
 * NodeStore over one LevelDB (classic-level through `level`), keys laid out by keys.ts.
 *
 * Ordering: classic-level runs each call on libuv's thread pool, so two calls issued back to back
 * may execute in either order — a `truncateFrom` could clear an append issued after it, and a
 * `sync` batch could be fsynced before an earlier unsynced one is written. The store therefore
 * runs writes one at a time in issue order, and starts each read only after every write issued
 * before it has finished (reads still overlap one another). This gives the same semantics the
 * simulated store models: a read sees every write issued before it; writes apply in issue order.
 *
 * Errors: input that only a buggy caller produces (bad names, negative or unsafe offsets, a batch
 * not in ascending order) fails an assertion synchronously. An append not above the log's current
 * last entry — which depends on the stored state — completes with INVALID_ARGUMENT and writes
 * nothing. Anything LevelDB throws completes with IO_ERROR; calls after `close` with STORE_CLOSED.
 */
import { Level } from 'level';
import { assertBatch, assertBytesMax, assertMetaBatch } from './batch-check.js';
import { allLogsRange, logKey, logKeyName, logKeyOffset, logRange, metaKey } from './keys.js';
import { StorageError } from './store.js';
import type { Done, LogBounds, LogEntry, NodeStore, WriteOptions } from './store.js';

type Db = Level<Uint8Array, Uint8Array>;
type Op = { type: 'put'; key: Uint8Array; value: Uint8Array } | { type: 'del'; key: Uint8Array };

export interface LevelStoreOptions {
  /** Default true. */
  createIfMissing?: boolean;
  /** LevelDB's memtable size; default `WRITE_BUFFER_BYTES`. */
  writeBufferBytes?: number;
}

/**
 * 32 MiB, not LevelDB's 4 MiB: every replica of a node writes to this one database, so a small
 * memtable is flushed to a new level-0 table every few hundred milliseconds under load and
 * compaction rewrites those tables again and again. The larger memtable took 1 KiB produce from
 * 26,000–27,600 to 29,300–32,300 records/s (bench/RESULTS.md, "Performance, quiet machine"). It
 * fills only under writes: an idle node's memtable stays small.
 */
export const WRITE_BUFFER_BYTES = 32 * 1_048_576;

/** Reads issued since the last write; collapsed into one promise past this many. */
const READS_TRACKED_MAX = 64;
const NEXTV_SIZE = 32;

const ignore = (): void => {};

export function toStorageError(error: unknown): StorageError {
  if (error instanceof StorageError) return error;
  return new StorageError('IO_ERROR', error instanceof Error ? error.message : String(error));
}

export class LevelStore implements NodeStore {
  private closed = false;
  private writeTail: Promise<unknown> = Promise.resolve();
  private readTails: Promise<unknown>[] = [];
  /** Last base offset per log, valid only inside the write chain (writes are serialised). */
  private readonly lastOffsets = new Map<string, number | undefined>();

  private constructor(private readonly db: Db) {}

  static async open(dir: string, options: LevelStoreOptions = {}): Promise<LevelStore> {
    const db: Db = new Level<Uint8Array, Uint8Array>(dir, { keyEncoding: 'view', valueEncoding: 'view' });
    try {
      await db.open({ createIfMissing: options.createIfMissing ?? true, writeBufferSize: options.writeBufferBytes ?? WRITE_BUFFER_BYTES });
    } catch (error) {
      throw toStorageError(error);
    }
    return new LevelStore(db);
  }

  append(log: string, entries: readonly LogEntry[], options: WriteOptions, done: Done): void {
    assertBatch(log, entries);
    const ops: Op[] = entries.map((entry) => ({ type: 'put', key: logKey(log, entry.offset), value: entry.value }));
    const first = (entries[0] as LogEntry).offset;
    const last = (entries[entries.length - 1] as LogEntry).offset;
    this.write(async () => {
      const current = await this.lastOffset(log);
      if (current !== undefined && first <= current) {
        throw new StorageError('INVALID_ARGUMENT', `append to ${log} at ${first}, not above last entry ${current}`);
      }
      this.lastOffsets.delete(log); // Unknown until the batch is known to have landed.
      await this.db.batch(ops, { sync: options.sync });
      this.lastOffsets.set(log, last);
    }, done);
  }

  read(log: string, fromOffset: number, bytesMax: number,
      done: (error: StorageError | undefined, entries: LogEntry[]) => void): void {
    const range = logRange(log);
    const from = logKey(log, fromOffset);
    assertBytesMax(bytesMax);
    this.readOp(async () => {
      // Start at the entry containing fromOffset: the greatest base offset ≤ fromOffset. If every
      // entry lies above fromOffset (a deleted prefix), start at the first entry instead.
      const floor = await this.db.keys({ gte: range.gte, lte: from, reverse: true, limit: 1 }).all();
      return this.scan(floor[0] ?? from, range.lt, bytesMax);
    }, (error, entries) => done(error, entries ?? []));
  }

  truncateFrom(log: string, offset: number, done: Done): void {
    const range = { gte: logKey(log, offset), lt: logRange(log).lt };
    this.write(async () => {
      this.lastOffsets.delete(log);
      await this.db.clear(range);
    }, done);
  }

  deleteBefore(log: string, offset: number, done: Done): void {
    const range = { gte: logRange(log).gte, lt: logKey(log, offset) };
    this.write(async () => {
      this.lastOffsets.delete(log);
      await this.db.clear(range);
    }, done);
  }

  bounds(log: string, done: (error: StorageError | undefined, bounds: LogBounds) => void): void {
    const range = logRange(log);
    this.readOp(async () => {
      const [firstKey] = await this.db.keys({ ...range, limit: 1 }).all();
      const [lastPair] = await this.db.iterator({ ...range, reverse: true, limit: 1 }).all();
      const last = lastPair === undefined ? undefined : { offset: logKeyOffset(lastPair[0]), value: plain(lastPair[1]) };
      return { first: firstKey === undefined ? undefined : logKeyOffset(firstKey), last };
    }, (error, bounds) => done(error, bounds ?? { first: undefined, last: undefined }));
  }

  logs(done: (error: StorageError | undefined, names: string[]) => void): void {
    this.readOp(async () => {
      const names: string[] = [];
      const iterator = this.db.keys(allLogsRange);
      try {
        for (let key = await iterator.next(); key !== undefined; key = await iterator.next()) {
          const name = logKeyName(key);
          names.push(name);
          iterator.seek(logRange(name).lt); // Skip the rest of this log in one step.
        }
      } finally {
        await iterator.close();
      }
      return names;
    }, (error, names) => done(error, names ?? []));
  }

  putMeta(key: string, value: Uint8Array, options: WriteOptions, done: Done): void {
    this.putMetas([[key, value]], options, done);
  }

  putMetas(entries: ReadonlyArray<readonly [string, Uint8Array | undefined]>, options: WriteOptions, done: Done): void {
    assertMetaBatch(entries);
    const ops: Op[] = entries.map(([key, value]) => value === undefined
      ? { type: 'del', key: metaKey(key) }
      : { type: 'put', key: metaKey(key), value });
    this.write(() => this.db.batch(ops, { sync: options.sync }), done);
  }

  getMeta(key: string, done: (error: StorageError | undefined, value: Uint8Array | undefined) => void): void {
    const encoded = metaKey(key);
    this.readOp<Uint8Array | undefined>(async () => {
      const value = await this.db.get(encoded);
      return value === undefined ? undefined : plain(value);
    }, done);
  }

  close(done: Done): void {
    if (this.closed) return later(() => done(closedError()));
    this.closed = true;
    const before = Promise.all([this.writeTail, ...this.readTails]);
    before.then(() => this.db.close()).then(() => done(undefined), (error: unknown) => done(toStorageError(error)));
  }

  /** Sequential reads of one log from `start`, stopping before `bytesMax` is passed (≥ 1 entry). */
  private async scan(start: Uint8Array, lt: Uint8Array, bytesMax: number): Promise<LogEntry[]> {
    const entries: LogEntry[] = [];
    let bytes = 0;
    const iterator = this.db.iterator({ gte: start, lt });
    try {
      for (let pairs = await iterator.nextv(NEXTV_SIZE); pairs.length > 0; pairs = await iterator.nextv(NEXTV_SIZE)) {
        for (const [key, value] of pairs) {
          if (entries.length > 0 && bytes + value.byteLength > bytesMax) return entries;
          entries.push({ offset: logKeyOffset(key), value: plain(value) });
          bytes += value.byteLength;
        }
      }
      return entries;
    } finally {
      await iterator.close();
    }
  }

  /** The log's last base offset; only called inside the write chain, where the cache is exact. */
  private async lastOffset(log: string): Promise<number | undefined> {
    if (this.lastOffsets.has(log)) return this.lastOffsets.get(log);
    const [lastKey] = await this.db.keys({ ...logRange(log), reverse: true, limit: 1 }).all();
    const last = lastKey === undefined ? undefined : logKeyOffset(lastKey);
    this.lastOffsets.set(log, last);
    return last;
  }

  private write(op: () => Promise<void>, done: Done): void {
    if (this.closed) return later(() => done(closedError()));
    const run = Promise.all([this.writeTail, ...this.readTails]).then(op);
    this.writeTail = run.catch(ignore);
    this.readTails = [];
    run.then(() => done(undefined), (error: unknown) => done(toStorageError(error)));
  }

  private readOp<T>(op: () => Promise<T>, done: (error: StorageError | undefined, value: T | undefined) => void): void {
    if (this.closed) return later(() => done(closedError(), undefined));
    const run = this.writeTail.then(op);
    this.readTails.push(run.catch(ignore));
    if (this.readTails.length > READS_TRACKED_MAX) this.readTails = [Promise.all(this.readTails)];
    run.then((value) => done(undefined, value), (error: unknown) => done(toStorageError(error), undefined));
  }
}

const closedError = (): StorageError => new StorageError('STORE_CLOSED', 'store is closed');

/** Still from a promise continuation, so a caller never sees its callback run re-entrantly. */
function later(fn: () => void): void {
  void Promise.resolve().then(fn);
}

/**
 * A plain Uint8Array over the bytes LevelDB handed back, so values compare equal across stores. Not
 * a copy: classic-level copies every value it returns into memory of its own (`napi_create_buffer_copy`),
 * which outlives the iterator, and a read of a 1 MiB fetch would otherwise allocate it twice.
 */
function plain(bytes: Uint8Array): Uint8Array {
  return Object.getPrototypeOf(bytes) === Uint8Array.prototype ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
