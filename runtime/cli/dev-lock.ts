/**
 * The directory lock of `brook dev`: `.brook/dev.lock` holds the pid of the `brook dev` that owns
 * this directory's `.brook/` (its `dev.json` and, by default, its data). It is created with
 * O_EXCL, so two commands started at once cannot both win; a lock whose process is gone (killed
 * with SIGKILL, a machine restart) is taken over. Only the owner removes the lock and `dev.json`.
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export const DEV_LOCK_FILE = join('.brook', 'dev.lock');

export class DevLockedError extends Error {
  override name = 'DevLockedError';
  readonly code = 'DEV_ALREADY_RUNNING';
  constructor(readonly pid: number) {
    super(`a \`brook dev\` (pid ${pid}) already runs in this directory: stop it (Ctrl-C), or run this one from another directory`);
  }
}

/** Whether a process with this pid exists. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // It exists, under another user.
  }
}

function ownerOf(path: string): number | undefined {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Takes the lock for this process or throws DevLockedError; returns the release function. */
export function takeDevLock(path = DEV_LOCK_FILE): () => void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return () => { if (ownerOf(path) === process.pid) rmSync(path, { force: true }); };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = ownerOf(path);
    if (owner !== undefined && owner !== process.pid && processAlive(owner)) throw new DevLockedError(owner);
    rmSync(path, { force: true }); // Stale: its process is gone.
  }
  throw new DevLockedError(ownerOf(path) ?? -1);
}
