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
 * Group commit: appends and meta writes issued while the write before them is still running wait
 * together and go to LevelDB as one atomic batch, in issue order, when their turn comes (LevelDB
 * does the same for concurrent writers; here the writes are serialised, so the store groups them
 * itself). Under load a node's replicas write many small batches at once: one LevelDB write, one
 * log-file write and one thread-pool hand-off for the group instead of one each. A group closes
 * when it starts and when a read, a truncation or a deletion is issued after it, so no read sees a
 * write issued after it and those barriers keep their place in the order. A group is synced when
 * any of its writes asks for it. When the batch fails, every write in it fails (none was applied).
 *
 * Errors: input that only a buggy caller produces (bad names, negative or unsafe offsets, a batch
 * not in ascending order) fails an assertion synchronously. An append not above the log's current
 * last entry — which depends on the stored state — completes with INVALID_ARGUMENT and writes
 * nothing. Anything LevelDB throws completes with IO_ERROR; calls after `close` with STORE_CLOSED.
 */
import { Level } from 'level';
import { assert } from '../../actors/assert.js';
import { assertBatch, assertBytesMax, assertMetaBatch } from './batch-check.js';
import { allLogsRange, logKey, logKeyName, logKeyOffset, logRange, metaKey } from './keys.js';
import { StorageError } from './store.js';
import type { Done, LogBounds, LogEntry, NodeStore, WriteOptions } from './store.js';

type Db = Level<Uint8Array, Uint8Array>;
type Op = { type: 'put'; key: Uint8Array; value: Uint8Array } | { type: 'del'; key: Uint8Array };

/** A write waiting in a group: an append carries what its offset check needs. */
interface GroupedWrite { ops: Op[]; done: Done; append?: { log: string; first: number; last: number } }

/** Writes committed as one LevelDB batch; `open` until it starts or a read or barrier follows it. */
interface WriteGroup { writes: GroupedWrite[]; sync: boolean; open: boolean }

export interface LevelStoreOptions {
  /** Default true. */
  createIfMissing?: boolean;
  /** LevelDB's memtable size; default `WRITE_BUFFER_BYTES`. */
  writeBufferBytes?: number;
  /** Snappy on LevelDB's tables; default `TABLE_COMPRESSION` (off). */
  compression?: boolean;
}

/**
 * Off: a node stores the batches a producer sent as they are, as Kafka's brokers do with their
 * default `compression.type=producer`. A producer that wants its records compressed names a codec
 * (`compression: 'lz4' | 'zstd' | 'snappy'`) and they are compressed once, where they are made;
 * LevelDB's Snappy would try every table block again at each flush and each compaction, and finds
 * nothing to take from batches that are already compressed or random. Off, 1 KiB produce of distinct
 * random records went from 40,567–41,509 to 43,459–43,483 records/s (bench/RESULTS.md,
 * "Twenty-second round").
 */
export const TABLE_COMPRESSION = false;

/**
 * 32 MiB, not LevelDB's 4 MiB: every replica of a node writes to this one database, so a small
 * memtable is flushed to a new level-0 table every few hundred milliseconds under load and
 * compaction rewrites those tables again and again. The larger memtable took 1 KiB produce from
 * 26,000–27,600 to 29,300–32,300 records/s (bench/RESULTS.md, "Performance, quiet machine"). It
 * fills only under writes: an idle node's memtable stays small.
 */
export const WRITE_BUFFER_BYTES = 32 * 1_048_576;

/**
 * A node's memtable size: `WRITE_BUFFER_BYTES` plus up to three eighths more, spread by node id (the
 * id times the golden ratio's fraction, so any set of ids lands far apart). Why not one size for
 * all: the replicas of a partition store the same bytes at nearly the same moments, so with equal
 * memtables they flush and compact in lockstep, and nodes that share a machine (`brook dev`, the
 * benches) then put all three flushes on its cores at once. Sizes 32–44 MiB drift the flushes apart:
 * the 1 KiB ack p99 at 10,000 records/s was lower in 7 of 8 alternating pairs with these sizes, 41 → 35 ms
 * on average (bench/RESULTS.md, "Twentieth round"). On separate machines it costs nothing.
 */
export function memtableBytesFor(nodeId: number): number {
  const spread = (nodeId * 0.6180339887498949) % 1;
  return Math.round(WRITE_BUFFER_BYTES * (1 + 0.375 * (spread < 0 ? spread + 1 : spread)));
}

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
  /** The last group in the write chain while later writes may still join it. */
  private openGroup: WriteGroup | undefined;
  /** Last base offset per log, valid only inside the write chain (writes are serialised). */
  private readonly lastOffsets = new Map<string, number | undefined>();

  private constructor(private readonly db: Db) {}

  static async open(dir: string, options: LevelStoreOptions = {}): Promise<LevelStore> {
    const db: Db = new Level<Uint8Array, Uint8Array>(dir, { keyEncoding: 'view', valueEncoding: 'view' });
    try {
      await db.open({ createIfMissing: options.createIfMissing ?? true, writeBufferSize: options.writeBufferBytes ?? WRITE_BUFFER_BYTES,
        compression: options.compression ?? TABLE_COMPRESSION });
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
    this.grouped({ ops, done, append: { log, first, last } }, options.sync);
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
    this.grouped({ ops, done }, options.sync);
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

  /** Joins the open group, or starts a new one at the end of the write chain. */
  private grouped(write: GroupedWrite, sync: boolean): void {
    if (this.closed) return later(() => write.done(closedError()));
    let group = this.openGroup;
    if (group === undefined) {
      const created: WriteGroup = { writes: [], sync: false, open: true };
      group = created;
      this.openGroup = created;
      this.writeTail = Promise.all([this.writeTail, ...this.readTails]).then(() => this.commit(created)).catch(ignore);
      this.readTails = [];
    }
    assert(group.open, 'only an open group takes writes');
    group.writes.push(write);
    if (sync) group.sync = true;
  }

  /**
   * One LevelDB batch for the group. Each append is checked against the log's last entry, counting
   * the appends before it in the group; one that fails the check is left out alone. Completions run
   * in issue order, each from a promise continuation of its own, as a single write's did.
   */
  private async commit(group: WriteGroup): Promise<void> {
    group.open = false;
    if (this.openGroup === group) this.openGroup = undefined;
    const results: (StorageError | undefined)[] = [];
    const ops: Op[] = [];
    const lasts = new Map<string, number | undefined>();
    try {
      for (const write of group.writes) {
        const append = write.append;
        if (append !== undefined) {
          const current = lasts.has(append.log) ? lasts.get(append.log) : await this.lastOffset(append.log);
          if (current !== undefined && append.first <= current) {
            results.push(new StorageError('INVALID_ARGUMENT', `append to ${append.log} at ${append.first}, not above last entry ${current}`));
            continue;
          }
          lasts.set(append.log, append.last);
        }
        for (const op of write.ops) ops.push(op);
        results.push(undefined);
      }
      for (const log of lasts.keys()) this.lastOffsets.delete(log); // Unknown until the batch is known to have landed.
      if (ops.length > 0) await this.db.batch(ops, { sync: group.sync });
      for (const [log, last] of lasts) this.lastOffsets.set(log, last);
    } catch (error) {
      const failed = toStorageError(error);
      for (let i = 0; i < group.writes.length; i++) if (results[i] === undefined) results[i] = failed;
    }
    assert(results.length === group.writes.length, 'one result per write of the group');
    group.writes.forEach((write, i) => later(() => write.done(results[i])));
  }

  /** A barrier write (truncation, deletion): alone in the chain, after every write and read issued before it. */
  private write(op: () => Promise<void>, done: Done): void {
    if (this.closed) return later(() => done(closedError()));
    this.openGroup = undefined;
    const run = Promise.all([this.writeTail, ...this.readTails]).then(op);
    this.writeTail = run.catch(ignore);
    this.readTails = [];
    run.then(() => done(undefined), (error: unknown) => done(toStorageError(error)));
  }

  private readOp<T>(op: () => Promise<T>, done: (error: StorageError | undefined, value: T | undefined) => void): void {
    if (this.closed) return later(() => done(closedError(), undefined));
    this.openGroup = undefined; // A write issued after this read must not land before it.
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
