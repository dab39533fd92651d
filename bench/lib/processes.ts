// Child processes for bench clusters. Every child is registered until it exits, and the registry
// kills whatever is left when this process exits or is interrupted, so a failed or aborted bench
// never leaves servers running on the shared machine.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';

const live = new Set<ChildProcess>();
const dirsToRemove = new Set<string>();
let hooksInstalled = false;

function killAllNow(): void {
  for (const child of live) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  live.clear();
  for (const dir of dirsToRemove) fs.rmSync(dir, { recursive: true, force: true });
  dirsToRemove.clear();
}

/** Removes `dir` if this process exits or is interrupted before `forgetDir(dir)` is called. */
export function removeDirOnExit(dir: string): void {
  installHooks();
  dirsToRemove.add(dir);
}

export function forgetDir(dir: string): void {
  dirsToRemove.delete(dir);
}

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  // 'exit' handlers must be synchronous: SIGKILL and rmSync are the cleanup that cannot be skipped.
  process.on('exit', killAllNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killAllNow();
      process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1));
    });
  }
}

export interface Spawned {
  child: ChildProcess;
  /** Resolves when the process has exited (immediately if it already has). */
  exited: Promise<void>;
}

/** Spawns `command` with stdout and stderr appended to `logPath`, and registers it for cleanup. */
export function spawnLogged(command: string, args: readonly string[], logPath: string, env: NodeJS.ProcessEnv = process.env): Spawned {
  installHooks();
  const logFd = fs.openSync(logPath, 'a');
  try {
    const child = spawn(command, args, { stdio: ['ignore', logFd, logFd], env });
    live.add(child);
    const exited = new Promise<void>((resolve) => {
      child.once('exit', () => { live.delete(child); resolve(); });
      child.once('error', () => { live.delete(child); resolve(); });
    });
    return { child, exited };
  } finally {
    fs.closeSync(logFd); // The child holds its own copy of the descriptor.
  }
}

/** SIGTERM, then SIGKILL if the process is still alive after `graceMs`. */
export async function stopProcess(spawned: Spawned, graceMs = 5_000): Promise<void> {
  const { child } = spawned;
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const graceOver = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), graceMs); });
  const outcome = await Promise.race([spawned.exited.then(() => 'exited' as const), graceOver]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    child.kill('SIGKILL');
    await spawned.exited;
  }
}

/** Last `bytesMax` bytes of a log file, for error messages. */
export function logTail(logPath: string, bytesMax = 2_000): string {
  try {
    const text = fs.readFileSync(logPath, 'utf8');
    return text.slice(-bytesMax);
  } catch {
    return '(no log)';
  }
}
