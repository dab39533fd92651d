/**
 * Makes a LevelDB start a new memtable now, so that the table it flushes next holds exactly the
 * writes before this moment. classic-level has no call for that alone; compacting a key range
 * that holds no key does it (LevelDB's CompactRange first switches and flushes the memtable, then
 * finds nothing to compact). That call returns only once the flush is done, which would hold up
 * every write behind it, so the switch is awaited by its sign instead: LevelDB opens a new
 * write-ahead log file (`NNNNNN.log`) in the same step as it swaps memtables, and a write issued
 * after the file appears lands in the new memtable. The directory is watched (inotify on Linux),
 * so the wait ends as the file appears, without listing a directory that may hold thousands of
 * tables; where no event comes, one listing after a bounded wait decides. A switch not seen in
 * time only means a table that holds some writes of both sides, which a compaction sorts out later.
 * The flush runs on; `idle` waits for it before the store closes.
 */
import fs from 'node:fs';

/** In Node `level` is classic-level, whose `compactRange` its type declarations leave out. */
export interface Compactable { compactRange(start: Uint8Array, end: Uint8Array): Promise<void> }

/** A key range no stored key falls in (every key starts with 'L' or a legacy prefix). */
const NOTHING = Uint8Array.of(0);
/** How long a switch is waited for before the directory is listed once. */
const SWITCH_WAIT_MS = 100;
const WAL_FILE = /^(\d+)\.log$/;

export class MemtableSwitch {
  private newestWal: number;
  private readonly waiters = new Set<() => void>();
  private readonly flushes = new Set<Promise<void>>();
  private readonly watcher: fs.FSWatcher | undefined;

  constructor(private readonly db: Compactable, private readonly dir: string) {
    this.newestWal = newestWalNumber(dir);
    try {
      this.watcher = fs.watch(dir, (_event, name) => this.saw(typeof name === 'string' ? name : undefined));
      this.watcher.on('error', () => this.watcher?.close());
      this.watcher.unref(); // never what keeps a process alive
    } catch {
      this.watcher = undefined; // No watching here: each switch waits out SWITCH_WAIT_MS, then lists.
    }
  }

  /** Asks for the switch and resolves once LevelDB has made it (true), or after the bounded wait (false). */
  async switch(): Promise<boolean> {
    const before = this.newestWal;
    const flush = this.db.compactRange(NOTHING, NOTHING).catch(() => {});
    this.flushes.add(flush);
    void flush.then(() => this.flushes.delete(flush));
    await new Promise<void>((resolve) => {
      const done = (): void => { clearTimeout(timer); this.waiters.delete(check); resolve(); };
      const check = (): void => { if (this.newestWal > before) done(); };
      const timer = setTimeout(done, SWITCH_WAIT_MS);
      this.waiters.add(check);
      void flush.then(done); // the flush is done, so the switch before it is too
      check();
    });
    if (this.newestWal <= before) this.newestWal = Math.max(this.newestWal, newestWalNumber(this.dir));
    return this.newestWal > before;
  }

  /** Every flush asked for has finished; the watch ends. */
  async idle(): Promise<void> {
    this.watcher?.close();
    await Promise.all(this.flushes);
  }

  private saw(name: string | undefined): void {
    const match = name === undefined ? null : WAL_FILE.exec(name);
    if (match === null || Number(match[1]) <= this.newestWal) return;
    this.newestWal = Number(match[1]);
    for (const wake of this.waiters) wake();
  }
}

/** The number of the newest write-ahead log file in a LevelDB directory; -1 when there is none. */
export function newestWalNumber(dir: string): number {
  let newest = -1;
  for (const name of fs.readdirSync(dir)) {
    const match = WAL_FILE.exec(name);
    if (match !== null) newest = Math.max(newest, Number(match[1]));
  }
  return newest;
}
