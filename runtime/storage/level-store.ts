/**
 * NodeStore over one LevelDB (classic-level through `level`), keys laid out by keys.ts: log entries
 * and versions (meta values, log starts) in segments, one segment per flushed table, so LevelDB
 * never compacts the log (keys.ts says why). Meta values are answered from memory (versions.ts),
 * read from disk once at open.
 *
 * Deletion: `truncateFrom` deletes at once (it removes the newest entries, in the newest segments).
 * `deleteBefore` writes the log's new start, a small version; reads, bounds and `logs` hide what is
 * below it, and the entries themselves are deleted for good at the next segment roll, in a
 * memtable of their own (segment-reclaim.ts) — within a minute when writes are too few to roll. A log whose every entry is deleted accepts an append
 * at any offset, as an empty log does.
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
import { allLogsRange, decodeVersionKey, encodeOffset, isVersionKey, logKey, logKeyName, logKeyOffset, logKeySegment, logRange, SEGMENT_MAX, segmentVersionsRange, versionKey } from './keys.js';
import { migrateLegacyLayout } from './legacy-layout.js';
import { MemtableSwitch, type Compactable } from './memtable-switch.js';
import { SegmentIndex, type Touched } from './segment-index.js';
import { planReclaim, type ReclaimPlan } from './segment-reclaim.js';
import { StorageError } from './store.js';
import type { Done, LogBounds, LogEntry, NodeStore, WriteOptions } from './store.js';
import { decodeVersion, encodeVersion, Versions } from './versions.js';

type Db = Level<Uint8Array, Uint8Array>;
type Op = { type: 'put'; key: Uint8Array; value: Uint8Array } | { type: 'del'; key: Uint8Array };

/** A write waiting in a group: an append carries its entries, keyed when the group's segment is known. */
interface GroupedWrite {
  done: Done;
  append?: { log: string; first: number; last: number; entries: readonly LogEntry[] };
  metas?: ReadonlyArray<readonly [string, Uint8Array | undefined]>;
}

/** Writes committed as one LevelDB batch; `open` until it starts or a read or barrier follows it. */
interface WriteGroup { writes: GroupedWrite[]; sync: boolean; open: boolean }

export interface LevelStoreOptions {
  /** Default true. */
  createIfMissing?: boolean;
  /** LevelDB's memtable size; default `WRITE_BUFFER_BYTES`. */
  writeBufferBytes?: number;
  /** Snappy on LevelDB's tables; default `TABLE_COMPRESSION` (off). */
  compression?: boolean;
  /** Bytes after which appends go to a new segment; default `SEGMENT_ROLL_SHARE` of the memtable (tests use tiny ones). */
  segmentRollBytes?: number;
  /** How often deletions still on disk are looked for when writes are too few to roll; default `RECLAIM_CHECK_MS`. */
  reclaimCheckMs?: number;
}

/**
 * Deleted entries go for good at the next segment roll, which writes bring; on a node that takes
 * few or no writes (retention emptying a topic nobody writes to any more) the space would wait.
 * So once a minute, when some log's start is above what is already reclaimed, the store rolls anyway:
 * a memtable flush and the deletions, at most once a minute.
 */
export const RECLAIM_CHECK_MS = 60_000;

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

/**
 * A new segment (keys.ts) starts once this share of the memtable size went into the current one
 * (keys, values and LevelDB's per-entry overhead), and the store makes LevelDB flush the memtable
 * right then (memtable-switch.ts): each flushed table then holds one segment, no later table
 * overlaps its keys, and LevelDB moves tables down its levels without rewriting them. Below 1 so that LevelDB's own flush (when the memtable is full,
 * counting its overhead) does not come first. Each segment costs an index entry per log written in it.
 */
export const SEGMENT_ROLL_SHARE = 0.75;

/**
 * What LevelDB's memtable spends on an entry besides its key and value (sequence number and type,
 * length prefixes, the skiplist node with its pointers): counted into a segment's bytes so that the
 * roll comes before LevelDB's own flush even when the entries are small.
 */
const MEMTABLE_ENTRY_OVERHEAD_BYTES = 48;

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
  /** Last stored base offset per log, valid only inside the write chain (writes are serialised). */
  private readonly lastOffsets = new Map<string, number | undefined>();
  /** Which segments hold which log's entries; changed only inside the write chain. */
  private readonly index = new SegmentIndex();
  /** Meta values and log starts; changed only inside the write chain, once a batch has landed. */
  private readonly versions = new Versions();
  /** Per log, the start below which its entries are already deleted for good. */
  private readonly reclaimed = new Map<string, number>();
  /** The segment new writes go to, and the bytes written to it so far. */
  private segment = 0;
  private segmentBytes = 0;
  /** Ends memtables at segment rolls; close waits for the flushes it asked for. */
  private readonly memtables: MemtableSwitch;

  /** Looks for deletions a roll would reclaim (`RECLAIM_CHECK_MS`). */
  private readonly reclaimCheck: NodeJS.Timeout;

  private constructor(private readonly db: Db, dir: string, private readonly segmentRollBytes: number, reclaimCheckMs: number) {
    this.memtables = new MemtableSwitch(db as unknown as Compactable, dir);
    this.reclaimCheck = setInterval(() => this.rollIfReclaimable(), reclaimCheckMs);
    this.reclaimCheck.unref();
  }

  static async open(dir: string, options: LevelStoreOptions = {}): Promise<LevelStore> {
    const db: Db = new Level<Uint8Array, Uint8Array>(dir, { keyEncoding: 'view', valueEncoding: 'view' });
    try {
      const writeBufferBytes = options.writeBufferBytes ?? WRITE_BUFFER_BYTES;
      await db.open({ createIfMissing: options.createIfMissing ?? true, writeBufferSize: writeBufferBytes, compression: options.compression ?? TABLE_COMPRESSION });
      const store = new LevelStore(db, dir, options.segmentRollBytes ?? Math.floor(writeBufferBytes * SEGMENT_ROLL_SHARE), options.reclaimCheckMs ?? RECLAIM_CHECK_MS);
      await store.load().catch(async (error: unknown) => { clearInterval(store.reclaimCheck); await store.memtables.idle(); throw error; });
      return store;
    } catch (error) {
      await db.close().catch(ignore);
      throw toStorageError(error);
    }
  }

  /**
   * Moves a directory of the layout before segments into segment 0, then reads which segments hold
   * which log (the first key of each log in each segment, one seek apart) and every version (in
   * segment order, so the newest of each is read last); new writes start a segment above every one on disk.
   */
  private async load(): Promise<void> {
    await migrateLegacyLayout(this.db);
    let newest = -1;
    const versionKeys: Uint8Array[] = [];
    const iterator = this.db.keys(allLogsRange);
    try {
      for (let key = await iterator.next(); key !== undefined; key = await iterator.next()) {
        if (isVersionKey(key)) {
          versionKeys.push(key);
          newest = Math.max(newest, decodeVersionKey(key).segment);
          continue;
        }
        const segment = logKeySegment(key);
        const log = logKeyName(key);
        this.index.appended(log, segment, logKeyOffset(key));
        newest = Math.max(newest, segment);
        iterator.seek(logRange(segment, log).lt); // the next log of this segment, or the next segment
      }
    } finally {
      await iterator.close();
    }
    assert(newest < SEGMENT_MAX, 'segment numbers exhausted');
    this.segment = newest + 1;
    const values = await this.db.getMany(versionKeys);
    versionKeys.forEach((key, i) => {
      const { segment, kind, name } = decodeVersionKey(key);
      this.versions.apply(kind, name, segment, decodeVersion(plain(values[i] as Uint8Array)));
    });
  }

  append(log: string, entries: readonly LogEntry[], options: WriteOptions, done: Done): void {
    assertBatch(log, entries);
    const first = (entries[0] as LogEntry).offset;
    const last = (entries[entries.length - 1] as LogEntry).offset;
    this.grouped({ done, append: { log, first, last, entries } }, options.sync);
  }

  read(log: string, fromOffset: number, bytesMax: number,
      done: (error: StorageError | undefined, entries: LogEntry[]) => void): void {
    logKey(0, log, fromOffset); // checks the name and the offset
    assertBytesMax(bytesMax);
    this.readOp(async () => {
      const start = this.versions.start(log);
      const target = Math.max(fromOffset, start);
      const refs = this.index.of(log);
      const at = this.index.positionOf(log, target);
      const entries: LogEntry[] = [];
      const filled = { bytes: 0 };
      for (let i = at; i < refs.length; i++) {
        const segment = (refs[i] as { segment: number }).segment;
        const range = logRange(segment, log);
        let begin = range.gte;
        if (i === at) {
          // The entry containing the offset: the greatest base offset ≤ it. When there is none, or
          // it lies below the log's start (deleted), the first entry at or above the start.
          const [floor] = await this.db.keys({ gte: range.gte, lte: logKey(segment, log, target), reverse: true, limit: 1 }).all();
          begin = floor !== undefined && logKeyOffset(floor) >= start ? floor : logKey(segment, log, start);
        }
        if (await this.scan(entries, filled, begin, range.lt, bytesMax)) break;
      }
      return entries;
    }, (error, entries) => done(error, entries ?? []));
  }

  /**
   * Deletes at once: divergence truncation removes the newest entries, which later appends replace.
   * Usually they are in the current segment; deletions that reach older ones are isolated.
   */
  truncateFrom(log: string, offset: number, done: Done): void {
    logKey(0, log, offset);
    this.write(async () => {
      this.lastOffsets.delete(log);
      const { touched, apply } = this.index.truncateFrom(log, offset);
      await this.deleting(touched, () => this.clearTouched(log, touched, (segment, range) => ({ gte: logKey(segment, log, offset), lt: range.lt })));
      apply();
    }, done);
  }

  /** Moves the log's start (one small write); the entries below it are deleted for good at the next segment roll. */
  deleteBefore(log: string, offset: number, done: Done): void {
    logKey(0, log, offset);
    this.write(async () => {
      if (offset <= this.versions.start(log)) return;
      await this.db.batch([{ type: 'put', key: versionKey(this.segment, 'start', log), value: encodeVersion(encodeOffset(offset)) }]);
      this.versions.apply('start', log, this.segment, encodeOffset(offset));
      this.lastOffsets.delete(log);
    }, done);
  }

  /** Clears each touched segment's range of the log: all of it, or the part `cut` says. */
  private async clearTouched(log: string, touched: Touched[], cut: (segment: number, range: { gte: Uint8Array; lt: Uint8Array }) => { gte: Uint8Array; lt: Uint8Array }): Promise<void> {
    for (const { segment, whole } of touched) {
      const range = logRange(segment, log);
      await this.db.clear(whole ? range : cut(segment, range));
    }
  }

  bounds(log: string, done: (error: StorageError | undefined, bounds: LogBounds) => void): void {
    logRange(0, log);
    this.readOp(async () => {
      const start = this.versions.start(log);
      const refs = this.index.of(log);
      let first: number | undefined;
      for (let i = this.index.positionOf(log, start); i < refs.length && first === undefined; i++) {
        const segment = (refs[i] as { segment: number }).segment;
        const [firstKey] = await this.db.keys({ gte: logKey(segment, log, start), lt: logRange(segment, log).lt, limit: 1 }).all();
        if (firstKey !== undefined) first = logKeyOffset(firstKey);
      }
      let last: LogEntry | undefined;
      for (let i = refs.length - 1; i >= 0 && first !== undefined && last === undefined; i--) {
        const [lastPair] = await this.db.iterator({ ...logRange((refs[i] as { segment: number }).segment, log), reverse: true, limit: 1 }).all();
        if (lastPair !== undefined) last = { offset: logKeyOffset(lastPair[0]), value: plain(lastPair[1]) };
      }
      return { first, last };
    }, (error, bounds) => done(error, bounds ?? { first: undefined, last: undefined }));
  }

  logs(done: (error: StorageError | undefined, names: string[]) => void): void {
    this.readOp(async () => {
      const names: string[] = [];
      for (const log of this.index.names()) if (await this.lastKept(log) !== undefined) names.push(log);
      return names.sort();
    }, (error, names) => done(error, names ?? []));
  }

  putMeta(key: string, value: Uint8Array, options: WriteOptions, done: Done): void {
    this.putMetas([[key, value]], options, done);
  }

  putMetas(entries: ReadonlyArray<readonly [string, Uint8Array | undefined]>, options: WriteOptions, done: Done): void {
    assertMetaBatch(entries);
    this.grouped({ metas: entries, done }, options.sync);
  }

  getMeta(key: string, done: (error: StorageError | undefined, value: Uint8Array | undefined) => void): void {
    versionKey(0, 'meta', key); // checks the name
    this.readOp<Uint8Array | undefined>(async () => this.versions.meta(key), done);
  }

  /** One of LevelDB's own properties (`leveldb.stats`, `leveldb.num-files-at-level<N>`, …), for diagnostics. */
  property(name: string): string {
    return (this.db as unknown as { getProperty(property: string): string }).getProperty(name);
  }

  close(done: Done): void {
    if (this.closed) return later(() => done(closedError()));
    this.closed = true;
    clearInterval(this.reclaimCheck);
    const before = Promise.all([this.writeTail, ...this.readTails]).then(() => this.memtables.idle());
    before.then(() => this.db.close()).then(() => done(undefined), (error: unknown) => done(toStorageError(error)));
  }

  /**
   * Sequential reads of one log's segment from `start` onto `entries`, stopping before `bytesMax`
   * is passed (a read returns at least one entry). True when it stopped for `bytesMax`.
   */
  private async scan(entries: LogEntry[], filled: { bytes: number }, start: Uint8Array, lt: Uint8Array, bytesMax: number): Promise<boolean> {
    const iterator = this.db.iterator({ gte: start, lt });
    try {
      for (let pairs = await iterator.nextv(NEXTV_SIZE); pairs.length > 0; pairs = await iterator.nextv(NEXTV_SIZE)) {
        for (const [key, value] of pairs) {
          if (entries.length > 0 && filled.bytes + value.byteLength > bytesMax) return true;
          entries.push({ offset: logKeyOffset(key), value: plain(value) });
          filled.bytes += value.byteLength;
        }
      }
      return false;
    } finally {
      await iterator.close();
    }
  }

  /** The log's last base offset still stored, deleted or not; only called inside the write chain or a read. */
  private async lastStored(log: string): Promise<number | undefined> {
    if (this.lastOffsets.has(log)) return this.lastOffsets.get(log);
    let last: number | undefined;
    const refs = this.index.of(log);
    for (let i = refs.length - 1; i >= 0 && last === undefined; i--) {
      const [lastKey] = await this.db.keys({ ...logRange((refs[i] as { segment: number }).segment, log), reverse: true, limit: 1 }).all();
      if (lastKey !== undefined) last = logKeyOffset(lastKey);
    }
    this.lastOffsets.set(log, last);
    return last;
  }

  /** The log's last entry not deleted (undefined when every stored one lies below its start). */
  private async lastKept(log: string): Promise<number | undefined> {
    const last = await this.lastStored(log);
    return last !== undefined && last >= this.versions.start(log) ? last : undefined;
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
    const landed: Array<{ log: string; first: number }> = [];
    const versions: Array<{ name: string; value: Uint8Array | undefined }> = [];
    let bytes = 0;
    try {
      if (this.segmentBytes >= this.segmentRollBytes) await this.roll();
      await this.restartBelowStart(group);
      const segment = this.segment;
      for (const write of group.writes) {
        const append = write.append;
        if (append !== undefined) {
          const current = lasts.has(append.log) ? lasts.get(append.log) : await this.lastKept(append.log);
          if (current !== undefined && append.first <= current) {
            results.push(new StorageError('INVALID_ARGUMENT', `append to ${append.log} at ${append.first}, not above last entry ${current}`));
            continue;
          }
          lasts.set(append.log, append.last);
          landed.push({ log: append.log, first: append.first });
          for (const entry of append.entries) {
            const key = logKey(segment, append.log, entry.offset);
            ops.push({ type: 'put', key, value: entry.value });
            bytes += key.byteLength + entry.value.byteLength + MEMTABLE_ENTRY_OVERHEAD_BYTES;
          }
        }
        for (const [name, value] of write.metas ?? []) {
          const version = encodeVersion(value);
          const key = versionKey(segment, 'meta', name);
          ops.push({ type: 'put', key, value: version });
          versions.push({ name, value: value === undefined ? undefined : version.subarray(1) });
          bytes += key.byteLength + version.byteLength + MEMTABLE_ENTRY_OVERHEAD_BYTES;
        }
        results.push(undefined);
      }
      for (const log of lasts.keys()) this.lastOffsets.delete(log); // Unknown until the batch is known to have landed.
      if (ops.length > 0) await this.db.batch(ops, { sync: group.sync });
      for (const [log, last] of lasts) this.lastOffsets.set(log, last);
      for (const { log, first } of landed) this.index.appended(log, segment, first);
      for (const { name, value } of versions) this.versions.apply('meta', name, segment, value);
      this.segmentBytes += bytes;
    } catch (error) {
      const failed = toStorageError(error);
      for (let i = 0; i < group.writes.length; i++) results[i] = results[i] ?? failed;
    }
    group.writes.forEach((write, i) => later(() => write.done(results[i])));
  }

  /**
   * An append below the start of a log whose every stored entry is deleted (the contract lets an
   * empty log start anywhere): the deleted entries go for good first, so that offsets still rise
   * with segments, and the start goes back to 0. Before the group takes its segment, since the
   * deletion may end the current one.
   */
  private async restartBelowStart(group: WriteGroup): Promise<void> {
    const seen = new Set<string>();
    for (const { append } of group.writes) {
      if (append === undefined || seen.has(append.log)) continue;
      seen.add(append.log);
      if (append.first < this.versions.start(append.log) && await this.lastKept(append.log) === undefined) await this.restart(append.log);
    }
  }

  private async restart(log: string): Promise<void> {
    const { touched, apply } = this.index.truncateFrom(log, 0);
    await this.deleting(touched, () => this.clearTouched(log, touched, (_segment, range) => range));
    apply();
    await this.db.batch([{ type: 'put', key: versionKey(this.segment, 'start', log), value: encodeVersion(encodeOffset(0)) }]);
    this.versions.apply('start', log, this.segment, encodeOffset(0));
    this.reclaimed.delete(log);
    this.lastOffsets.set(log, undefined);
  }

  /**
   * Ends the current segment: LevelDB flushes it as a table of its own; then what the segment
   * roll reclaims (segment-reclaim.ts) is deleted in a memtable that holds nothing else. A reclaim
   * that fails leaves everything as it was, to be tried at the next roll; the roll itself goes on.
   */
  private async roll(): Promise<void> {
    const ending = this.segment;
    const plan = planReclaim(this.index, this.versions, this.reclaimed, ending);
    if (plan.rewrite.length > 0) {
      // Synced: the deletions below go to a later log file, and must not outlive these on power loss.
      await this.db.batch(plan.rewrite.map(({ kind, name, value }) => ({ type: 'put', key: versionKey(ending, kind, name), value: encodeVersion(value) })), { sync: true });
      for (const { kind, name, value } of plan.rewrite) this.versions.apply(kind, name, ending, value);
    }
    if (plan.cuts.length > 0 || plan.segments.length > 0) {
      await this.isolated(() => this.reclaim(plan)).catch(ignore);
      if (this.segment > ending) return;
    } else {
      await this.memtables.switch();
    }
    this.nextSegment();
  }

  /** A roll, as a barrier write, when some log's start is above what is reclaimed of it (`RECLAIM_CHECK_MS`). */
  private rollIfReclaimable(): void {
    const reclaimable = (): boolean => this.versions.startedLogs().some((log) => this.versions.start(log) > (this.reclaimed.get(log) ?? 0) && this.index.of(log).length > 0);
    if (this.closed || !reclaimable()) return;
    this.write(async () => { if (reclaimable()) await this.roll(); }, ignore);
  }

  private async reclaim(plan: ReclaimPlan): Promise<void> {
    for (const { log, start, touched } of plan.cuts) {
      await this.clearTouched(log, touched, (segment, range) => ({ gte: range.gte, lt: logKey(segment, log, start) }));
    }
    for (const segment of plan.segments) await this.db.clear(segmentVersionsRange(segment));
    this.index.replaceWith(plan.after);
    for (const { log, start } of plan.cuts) {
      this.reclaimed.set(log, start);
      // Nothing at or above the start: the log has no entry left, and its segments are free.
      const last = await this.lastStored(log);
      if (last === undefined || last < start) { this.index.truncateFrom(log, 0).apply(); this.lastOffsets.set(log, undefined); }
    }
    for (const segment of plan.segments) this.versions.dropped(segment);
  }

  /** Runs deletions that reach segments older than the current one in isolation (`isolated`); others as they are. */
  private async deleting(touched: readonly Touched[], clear: () => Promise<void>): Promise<void> {
    if (touched.some(({ segment }) => segment < this.segment)) await this.isolated(clear);
    else await clear();
  }

  /**
   * Deletions in older segments' key ranges, in a memtable that holds nothing else: LevelDB
   * flushes what came before, then the deletions alone, so their table overlaps only the old
   * tables it deletes from (keys.ts: a table of new writes must never reach back). The current
   * segment ends with them, as its table is already flushed.
   */
  private async isolated(clear: () => Promise<void>): Promise<void> {
    await this.memtables.switch();
    try {
      await clear();
    } finally {
      await this.memtables.switch();
      this.nextSegment();
    }
  }

  private nextSegment(): void {
    assert(this.segment < SEGMENT_MAX, 'segment numbers exhausted');
    this.segment++;
    this.segmentBytes = 0;
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
