/**
 * Bytes a directory takes on disk (the node's LevelDB directory): the sum of its files' sizes,
 * walked asynchronously and kept for a few seconds so that frequent scrapes stay cheap.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

const FRESH_MS = 5_000;

export class DiskSize {
  private last: { bytes: number; atMs: number } | undefined;

  constructor(private readonly dir: string, private readonly nowMs: () => number) {}

  async bytes(): Promise<number> {
    const nowMs = this.nowMs();
    if (this.last !== undefined && nowMs - this.last.atMs < FRESH_MS) return this.last.bytes;
    const bytes = await directoryBytes(this.dir);
    this.last = { bytes, atMs: nowMs };
    return bytes;
  }
}

/** Files that vanish mid-walk (LevelDB compacts and deletes them) count as zero. */
export async function directoryBytes(dir: string): Promise<number> {
  let entries;
  try { entries = await readdir(dir, { withFileTypes: true }); } catch { return 0; }
  let total = 0;
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += await directoryBytes(path);
    else if (entry.isFile()) total += await stat(path).then((s) => s.size, () => 0);
  }
  return total;
}
