/**
 * A node's storage: many append-only logs (one per partition replica, one for the Raft metadata
 * log) plus a small metadata key/value space (Raft term and vote, leader-epoch cache, HW
 * checkpoint, node identity). One store per node.
 *
 * Completion is by callback, never by promise, so that in simulation the scheduler decides *when*
 * a write completes (DESIGN.md section 2: "a machine never assumes a write finished until the
 * completion event arrives"). The LevelDB store calls back from its promise; the simulated store
 * calls back from a scheduled task.
 *
 * Log entries are keyed by their *base offset* (a record batch's first offset, or a Raft index).
 * `read(log, from)` starts at the entry that contains `from` — the greatest base offset ≤ `from` —
 * so a reader never has to know batch boundaries.
 */
export interface LogEntry { offset: number; value: Uint8Array }

export type StorageErrorCode = 'IO_ERROR' | 'STORE_CLOSED' | 'INVALID_ARGUMENT';

export class StorageError extends Error {
  override name = 'StorageError';
  constructor(readonly code: StorageErrorCode, message: string) { super(message); }
}

export interface WriteOptions {
  /** fsync before completing: everything written earlier by this store becomes durable too. */
  sync: boolean;
}

export type Done = (error: StorageError | undefined) => void;

export interface LogBounds {
  /** Base offset of the first entry, or undefined when the log is empty. */
  first: number | undefined;
  /** The last entry, or undefined when the log is empty. */
  last: LogEntry | undefined;
}

export interface NodeStore {
  /** One atomic batch: all entries, in ascending offset order, all above the current last entry. */
  append(log: string, entries: readonly LogEntry[], options: WriteOptions, done: Done): void;
  /** Entries from the one containing `fromOffset`, in order, until `bytesMax` (at least one entry). */
  read(log: string, fromOffset: number, bytesMax: number, done: (error: StorageError | undefined, entries: LogEntry[]) => void): void;
  /** Deletes every entry whose base offset is ≥ `offset` (divergence truncation). */
  truncateFrom(log: string, offset: number, done: Done): void;
  /** Deletes every entry whose base offset is < `offset` (retention, snapshots). */
  deleteBefore(log: string, offset: number, done: Done): void;
  bounds(log: string, done: (error: StorageError | undefined, bounds: LogBounds) => void): void;
  /** Names of every log that has at least one entry, sorted. */
  logs(done: (error: StorageError | undefined, names: string[]) => void): void;
  putMeta(key: string, value: Uint8Array, options: WriteOptions, done: Done): void;
  /** Atomic multi-key metadata write; a value of `undefined` deletes the key. */
  putMetas(entries: ReadonlyArray<readonly [string, Uint8Array | undefined]>, options: WriteOptions, done: Done): void;
  getMeta(key: string, done: (error: StorageError | undefined, value: Uint8Array | undefined) => void): void;
  close(done: Done): void;
}

/** Log names and meta keys are printable ASCII without NUL; they are part of the on-disk key. */
export function isStoreName(name: string): boolean {
  return name.length > 0 && name.length <= 400 && /^[\x21-\x7e]+$/.test(name);
}
