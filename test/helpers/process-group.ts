/**
 * Child processes that each lead their own process group, with output appended to a log file.
 * Signals go to the whole group (`kill(-pid)`), so nothing a child started survives it, and every
 * live group is SIGKILLed when this process exits, even after a failed test. An exit that nobody
 * asked for (no signal sent through `signal`) is kept as an unexpected death.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';

export interface Exit { name: string; pid: number; code: number | null; signal: NodeJS.Signals | null; atMs: number; expected: boolean }

export interface GroupProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  readonly logPath: string;
  /** Resolves when the process has exited. */
  readonly exited: Promise<Exit>;
  alive(): boolean;
  /** Sends `signal` to the group; `expectExit` marks the exit it may cause as asked for. */
  signal(signal: NodeJS.Signals, expectExit?: boolean): void;
}

const live = new Set<GroupProcess>();
let hooked = false;

function killAllNow(): void {
  for (const p of live) {
    try { process.kill(-p.pid, 'SIGKILL'); } catch { /* already gone */ }
  }
  live.clear();
}

function installHook(): void {
  if (hooked) return;
  hooked = true;
  // Synchronous on purpose: 'exit' handlers cannot await, and SIGKILL needs none.
  process.on('exit', killAllNow);
  // The children lead their own groups, so nothing else kills them when this process is told to
  // stop (a test runner's timeout, Ctrl-C): a signal's default action would skip 'exit' handlers.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killAllNow();
      process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1));
    });
  }
}

export function spawnGroup(name: string, command: string, args: readonly string[], options: { logPath: string; env?: NodeJS.ProcessEnv; onExit?: (exit: Exit) => void }): GroupProcess {
  installHook();
  const fd = fs.openSync(options.logPath, 'a');
  let child: ChildProcess;
  try {
    child = spawn(command, args, { stdio: ['ignore', fd, fd], detached: true, env: options.env ?? process.env });
  } finally {
    fs.closeSync(fd); // the child holds its own copy
  }
  if (child.pid === undefined) throw new Error(`${name}: spawn failed`);
  const pid = child.pid;
  let expectExit = false;
  let done = false;
  const exited = new Promise<Exit>((resolve) => {
    const finish = (code: number | null, signal: NodeJS.Signals | null): void => {
      if (done) return;
      done = true;
      live.delete(handle);
      const exit: Exit = { name, pid, code, signal, atMs: Date.now(), expected: expectExit };
      options.onExit?.(exit);
      resolve(exit);
    };
    child.once('exit', finish);
    child.once('error', () => finish(null, null));
  });
  const handle: GroupProcess = {
    name, child, pid, logPath: options.logPath, exited,
    alive: () => !done,
    signal(signal, expect = false) {
      if (done) return;
      if (expect) expectExit = true;
      try { process.kill(-pid, signal); } catch { /* raced with its exit */ }
    },
  };
  live.add(handle);
  return handle;
}

/** SIGTERM, then SIGKILL when the group is still there after `graceMs`. */
export async function stopGroup(p: GroupProcess, graceMs = 5_000): Promise<Exit> {
  if (!p.alive()) return await p.exited;
  p.signal('SIGCONT', true); // a stopped process cannot act on SIGTERM
  p.signal('SIGTERM', true);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => { timer = setTimeout(() => resolve('late'), graceMs); });
  const outcome = await Promise.race([p.exited, late]);
  clearTimeout(timer);
  if (outcome === 'late') p.signal('SIGKILL', true);
  return await p.exited;
}

export async function killGroup(p: GroupProcess): Promise<Exit> {
  p.signal('SIGKILL', true);
  return await p.exited;
}
