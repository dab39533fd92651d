/**
 * Makes a LevelDB start a new memtable now, so that the table it flushes next holds exactly the
 * writes before this moment. classic-level has no call for that alone; compacting a key range
 * that holds no key does it (LevelDB's CompactRange first switches and flushes the memtable, then
 * finds nothing to compact). That call returns only once the flush is done, which would hold up
 * every write behind it, so the switch is awaited by its sign instead: LevelDB opens a new
 * write-ahead log file (`NNNNNN.log`) in the same step as it swaps memtables, and a write issued
 * after the file appears lands in the new memtable. The flush runs on; `flushes` tracks it so the
 * store can wait for it before closing. Waiting for the sign is bounded: a switch not seen in
 * time only means a table that holds some writes of both sides, which a compaction sorts out later.
 */
import fs from 'node:fs';

/** In Node `level` is classic-level, whose `compactRange` its type declarations leave out. */
export interface Compactable { compactRange(start: Uint8Array, end: Uint8Array): Promise<void> }

/** A key range no stored key falls in (every key starts with 'L' or a legacy prefix). */
const NOTHING = Uint8Array.of(0);
/** How long a switch is waited for, in polls 1 ms apart. */
const SWITCH_WAIT_MS = 100;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function switchMemtable(db: Compactable, dir: string, flushes: Set<Promise<void>>): Promise<boolean> {
  const before = newestWalNumber(dir);
  const flush = db.compactRange(NOTHING, NOTHING).catch(() => {});
  flushes.add(flush);
  void flush.then(() => flushes.delete(flush));
  for (let waited = 0; waited < SWITCH_WAIT_MS; waited++) {
    if (newestWalNumber(dir) > before) return true;
    await sleep(1);
  }
  return false;
}

/** The number of the newest write-ahead log file in a LevelDB directory; -1 when there is none. */
export function newestWalNumber(dir: string): number {
  let newest = -1;
  for (const name of fs.readdirSync(dir)) {
    const match = /^(\d+)\.log$/.exec(name);
    if (match !== null) newest = Math.max(newest, Number(match[1]));
  }
  return newest;
}
