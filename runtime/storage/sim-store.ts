/**
 * The simulator's NodeStore: synchronous, in memory, with every completion delivered by the
 * simulation scheduler after a latency drawn from the run's seeded random. No timers, promises,
 * Date or Math.random: same seed, same behaviour.
 *
 * Durability is modelled in three layers, all derived from one ordered list of write operations
 * (each an atomic batch) replayed over a durable base image:
 *   durable   the base: survives power loss;
 *   cache     written and acknowledged (the page cache): survives a process crash, not power loss;
 *   in-flight issued, not yet completed.
 * `view` = base + every issued write, so reads see all writes issued before them, like LevelDB.
 * Writes complete strictly in issue order (a later write's completion also completes every
 * earlier one), and a completed `sync` write folds itself and everything before it into the base.
 * The OS writes the page cache back eventually: past `cacheWritesMax` acknowledged writes, the
 * oldest are folded into the base. Rejected writes (injected failures, INVALID_ARGUMENT) go
 * through the same ordered queue with no effect, so they too complete in order.
 *
 * Faults (`crashProcess`, `losePower`, `wipe`) bump `incarnation`: completions scheduled before
 * them never fire. The store is then down (calls give STORE_CLOSED) until `restart()`, which is
 * how a simulated node reopens its disk and reads what survived.
 */
import { assert } from '../../actors/assert.js';
import { assertBatch, assertBytesMax, assertLogName, assertMetaBatch, assertOffset } from './batch-check.js';
import { applyWrite, cloneImage, emptyImage, imageBounds, lastOffset, readImage } from './sim-image.js';
import type { StoreImage, WriteOp } from './sim-image.js';
import { StorageError, isStoreName } from './store.js';
import type { Done, LogBounds, LogEntry, NodeStore, StorageErrorCode, WriteOptions } from './store.js';

/** What the store needs from the simulator; runtime/sim/scheduler.ts + runtime/random.ts fit it. */
export interface SimStoreEnv {
  schedule(delayMs: number, fn: () => void): unknown;
  random: { float(): number; int(minInclusive: number, maxInclusive: number): number; chance(p: number): boolean };
}

export interface SimStoreKnobs {
  latencyMinMs: number;
  latencyMaxMs: number;
  /** Added to a `sync` write's latency. */
  fsyncExtraMs: number;
  /** Multiplies every latency; > 1 models a slow disk. Mutable at run time. */
  slowFactor: number;
  /** Acknowledged unsynced writes held in the page cache before the oldest are written back. */
  cacheWritesMax: number;
}

export const defaultSimStoreKnobs: Readonly<SimStoreKnobs> = {
  latencyMinMs: 0, latencyMaxMs: 2, fsyncExtraMs: 4, slowFactor: 1, cacheWritesMax: 256,
};

export type SimStoreOp = 'append' | 'read' | 'truncateFrom' | 'deleteBefore' | 'bounds' | 'logs'
  | 'putMeta' | 'putMetas' | 'getMeta';

/** Read-only contents of one layer, for simulation checkers. */
export interface StoreSnapshot {
  logs: ReadonlyMap<string, readonly LogEntry[]>;
  meta: ReadonlyMap<string, Uint8Array>;
}

interface PendingWrite {
  seq: number;
  /** Undefined for a rejected write: it only holds its place in the completion order. */
  op: WriteOp | undefined;
  sync: boolean;
  error: StorageError | undefined;
  done: Done;
}

const closedError = (): StorageError => new StorageError('STORE_CLOSED', 'store is closed');

export class SimStore implements NodeStore {
  readonly knobs: SimStoreKnobs;
  /** Bumped by every fault and restart; completions of an older incarnation are dropped. */
  incarnation = 0;
  /** Write operations lost by the last fault (not counting rejected writes). */
  lostByLastFault = 0;
  private closed = false;
  private seq = 0;
  private durable: StoreImage = emptyImage();
  private view: StoreImage = emptyImage();
  /** Non-durable writes in issue order: `ackedCount` acknowledged (cache), then in-flight. */
  private writes: PendingWrite[] = [];
  private ackedCount = 0;
  private readonly failures = new Map<SimStoreOp, StorageErrorCode>();
  /** Logs whose next append fails (a bad sector under one log), each once. */
  private readonly failingLogs = new Set<string>();

  constructor(private readonly env: SimStoreEnv, knobs: Partial<SimStoreKnobs> = {}) {
    this.knobs = { ...defaultSimStoreKnobs, ...knobs };
    assert(this.knobs.latencyMinMs >= 0 && this.knobs.latencyMinMs <= this.knobs.latencyMaxMs, 'latency knobs');
    assert(this.knobs.slowFactor > 0 && this.knobs.cacheWritesMax >= 0, 'slowFactor / cacheWritesMax knobs');
  }

  append(log: string, entries: readonly LogEntry[], options: WriteOptions, done: Done): void {
    assertBatch(log, entries);
    const first = (entries[0] as LogEntry).offset;
    const last = lastOffset(this.view, log);
    const invalid = last !== undefined && first <= last
      ? new StorageError('INVALID_ARGUMENT', `append to ${log} at ${first}, not above last entry ${last}`)
      : this.failingLogs.delete(log) ? new StorageError('IO_ERROR', `injected IO_ERROR on append to ${log}`) : undefined;
    const copies = entries.map((entry) => ({ offset: entry.offset, value: new Uint8Array(entry.value) }));
    this.issue('append', { kind: 'append', log, entries: copies }, options.sync, done, invalid);
  }

  read(log: string, fromOffset: number, bytesMax: number,
      done: (error: StorageError | undefined, entries: LogEntry[]) => void): void {
    assertLogName(log);
    assertOffset(fromOffset);
    assertBytesMax(bytesMax);
    this.answer('read', [], () => readImage(this.view, log, fromOffset, bytesMax), done);
  }

  truncateFrom(log: string, offset: number, done: Done): void {
    assertLogName(log);
    assertOffset(offset);
    this.issue('truncateFrom', { kind: 'truncateFrom', log, offset }, false, done, undefined);
  }

  deleteBefore(log: string, offset: number, done: Done): void {
    assertLogName(log);
    assertOffset(offset);
    this.issue('deleteBefore', { kind: 'deleteBefore', log, offset }, false, done, undefined);
  }

  bounds(log: string, done: (error: StorageError | undefined, bounds: LogBounds) => void): void {
    assertLogName(log);
    this.answer('bounds', { first: undefined, last: undefined }, () => imageBounds(this.view, log), done);
  }

  logs(done: (error: StorageError | undefined, names: string[]) => void): void {
    this.answer('logs', [], () => [...this.view.logs.keys()].sort(), done);
  }

  putMeta(key: string, value: Uint8Array, options: WriteOptions, done: Done): void {
    this.writeMetas('putMeta', [[key, value]], options, done);
  }

  putMetas(entries: ReadonlyArray<readonly [string, Uint8Array | undefined]>, options: WriteOptions, done: Done): void {
    this.writeMetas('putMetas', entries, options, done);
  }

  getMeta(key: string, done: (error: StorageError | undefined, value: Uint8Array | undefined) => void): void {
    assert(isStoreName(key), `meta key ${JSON.stringify(key)} is not a store name`);
    this.answer('getMeta', undefined, () => {
      const value = this.view.meta.get(key);
      return value === undefined ? undefined : new Uint8Array(value);
    }, done);
  }

  /** Completes after every write issued before it; keeps the cache (like a clean process exit). */
  close(done: Done): void {
    if (this.closed) return void this.deliver(0, () => done(closedError()));
    this.closed = true;
    const lastSeq = this.seq - 1;
    this.deliver(this.latency(false), () => {
      this.completeThrough(lastSeq);
      done(undefined);
    });
  }

  /** A simulated node starts its process again over this disk; it sees what survived. */
  restart(): void {
    assert(this.closed, 'restart: the store must be closed or crashed first');
    assert(this.ackedCount === this.writes.length, 'restart: close has not completed');
    this.incarnation++;
    this.closed = false;
  }

  /** Process crash: acknowledged writes stay (page cache); a random prefix of in-flight ones lands. */
  crashProcess(): void {
    const inflight = this.writes.length - this.ackedCount;
    const kept = this.ackedCount + this.env.random.int(0, inflight);
    this.lostByLastFault = countOps(this.writes, kept);
    this.writes.length = kept;
    this.ackedCount = kept;
    this.down();
  }

  /** Power loss: of every non-durable write, in issue order, a random prefix lands; the rest is gone. */
  losePower(): void {
    const kept = this.env.random.int(0, this.writes.length);
    this.lostByLastFault = countOps(this.writes, kept);
    this.makeDurable(kept);
    this.writes = [];
    this.ackedCount = 0;
    this.down();
  }

  /** Disk replaced: nothing survives. `lostByLastFault` counts the non-durable writes lost. */
  wipe(): void {
    this.lostByLastFault = countOps(this.writes, 0);
    this.durable = emptyImage();
    this.writes = [];
    this.ackedCount = 0;
    this.down();
  }

  /** The next call of `op` fails with `code` (default IO_ERROR) and has no effect. */
  failNext(op: SimStoreOp, code: StorageErrorCode = 'IO_ERROR'): void {
    this.failures.set(op, code);
  }

  /** The next append to `log` fails with IO_ERROR and has no effect. */
  failNextAppendTo(log: string): void {
    assertLogName(log);
    this.failingLogs.add(log);
  }

  /** Contents of a layer: 'visible' includes in-flight writes; 'durable' is what power loss keeps. */
  snapshotForChecks(layer: 'visible' | 'durable' = 'visible'): StoreSnapshot {
    return cloneImage(layer === 'visible' ? this.view : this.durable);
  }

  /**
   * The same contents without the copy, for a checker that reads them at once and keeps nothing but
   * entry values (which are never changed): the maps and arrays change with the next write.
   */
  viewForChecks(layer: 'visible' | 'durable' = 'visible'): StoreSnapshot {
    return layer === 'visible' ? this.view : this.durable;
  }

  /** Writes not yet durable: acknowledged ones in the page cache, and in-flight ones. */
  pendingWrites(): { cached: number; inflight: number } {
    return { cached: this.ackedCount, inflight: this.writes.length - this.ackedCount };
  }

  get isClosed(): boolean { return this.closed; }

  private writeMetas(kind: SimStoreOp, entries: ReadonlyArray<readonly [string, Uint8Array | undefined]>,
      options: WriteOptions, done: Done): void {
    assertMetaBatch(entries);
    const copies = entries.map(([key, value]) => [key, value === undefined ? undefined : new Uint8Array(value)] as const);
    this.issue(kind, { kind: 'putMetas', entries: copies }, options.sync, done, undefined);
  }

  /** Applies a write to the view now and queues its ordered completion. */
  private issue(kind: SimStoreOp, op: WriteOp, sync: boolean, done: Done, invalid: StorageError | undefined): void {
    if (this.closed) return void this.deliver(0, () => done(closedError()));
    const error = this.takeFailure(kind) ?? invalid;
    if (error === undefined) applyWrite(this.view, op);
    const write: PendingWrite = { seq: this.seq++, op: error === undefined ? op : undefined, sync, error, done };
    this.writes.push(write);
    this.deliver(this.latency(sync), () => this.completeThrough(write.seq));
  }

  /** Reads compute their answer at call time (seeing every issued write) and deliver it later. */
  private answer<T>(kind: SimStoreOp, empty: T, compute: () => T, done: (error: StorageError | undefined, value: T) => void): void {
    if (this.closed) return void this.deliver(0, () => done(closedError(), empty));
    const error = this.takeFailure(kind);
    const value = error === undefined ? compute() : empty;
    this.deliver(this.latency(false), () => done(error, value));
  }

  /** Acknowledges, in issue order, every in-flight write up to `seq`, then calls their callbacks. */
  private completeThrough(seq: number): void {
    const completed: PendingWrite[] = [];
    for (let next = this.writes[this.ackedCount]; next !== undefined && next.seq <= seq; next = this.writes[this.ackedCount]) {
      this.ackedCount++;
      completed.push(next);
      if (next.sync && next.error === undefined) this.makeDurable(this.ackedCount);
    }
    if (this.ackedCount > this.knobs.cacheWritesMax) this.makeDurable(this.ackedCount - this.knobs.cacheWritesMax);
    const incarnation = this.incarnation;
    for (const write of completed) {
      if (this.incarnation !== incarnation) return; // A callback crashed the store.
      write.done(write.error);
    }
  }

  /** Folds the first `count` pending writes into the durable base. */
  private makeDurable(count: number): void {
    assert(count >= 0 && count <= this.writes.length, `makeDurable(${count}) of ${this.writes.length}`);
    for (let i = 0; i < count; i++) {
      const op = (this.writes[i] as PendingWrite).op;
      if (op !== undefined) applyWrite(this.durable, op);
    }
    this.writes.splice(0, count);
    this.ackedCount = Math.max(0, this.ackedCount - count);
  }

  /** After a fault: the process is gone, and the view is rebuilt from what survived. */
  private down(): void {
    this.incarnation++;
    this.failingLogs.clear();
    this.closed = true;
    this.view = cloneImage(this.durable);
    for (const write of this.writes) if (write.op !== undefined) applyWrite(this.view, write.op);
    assert(this.ackedCount === this.writes.length, 'no write is in flight after a fault');
  }

  private takeFailure(kind: SimStoreOp): StorageError | undefined {
    const code = this.failures.get(kind);
    if (code === undefined) return undefined;
    this.failures.delete(kind);
    return new StorageError(code, `injected ${code} on ${kind}`);
  }

  private latency(sync: boolean): number {
    const { latencyMinMs, latencyMaxMs, fsyncExtraMs, slowFactor } = this.knobs;
    const base = this.env.random.int(latencyMinMs, latencyMaxMs) + (sync ? fsyncExtraMs : 0);
    return base * slowFactor;
  }

  private deliver(delayMs: number, fn: () => void): void {
    const incarnation = this.incarnation;
    this.env.schedule(delayMs, () => { if (this.incarnation === incarnation) fn(); });
  }
}

function countOps(writes: readonly PendingWrite[], from: number): number {
  let count = 0;
  for (let i = from; i < writes.length; i++) if ((writes[i] as PendingWrite).op !== undefined) count++;
  return count;
}
