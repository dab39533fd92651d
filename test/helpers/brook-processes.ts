/**
 * Real `brook` processes for the NATS integration tests: node processes started with
 * `brook node join` (each with its own LevelDB data directory), CLI commands run to completion,
 * and clean-up that kills whatever is left even when a test fails.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeProcessEnv } from '../../runtime/node/memory-tunables.js';

/** The `brook` command run from the TypeScript sources (never a possibly stale dist/). */
export const BROOK_BIN = fileURLToPath(new URL('../../bin/brook-source.js', import.meta.url));

export interface NodeProcess { id: number; dataDir: string; child: ChildProcess; stderr: string[] }

export class BrookProcesses {
  readonly root = mkdtempSync(join(tmpdir(), 'brook-it-'));
  readonly nodes = new Map<number, NodeProcess>();

  constructor(readonly natsUrl: string, readonly cluster: string, readonly voters: number[]) {}

  startNode(id: number, extraArgs: string[] = [], env: Record<string, string> = {}): NodeProcess {
    const dataDir = join(this.root, `node-${id}`);
    const args = [BROOK_BIN, 'node', 'join', '--id', String(id), '--data', dataDir, '--controllers', this.voters.join(','), '--nats', this.natsUrl, '--cluster', this.cluster, ...extraArgs];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: nodeProcessEnv({ ...process.env, BROOK_LOG: 'info', ...env }) });
    const stderr: string[] = [];
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => { stderr.push(chunk); if (stderr.length > 2000) stderr.shift(); });
    child.stdout?.resume();
    const node = { id, dataDir, child, stderr };
    this.nodes.set(id, node);
    return node;
  }

  kill9(id: number): Promise<void> {
    const node = this.nodes.get(id);
    if (!node) return Promise.resolve();
    node.child.kill('SIGKILL');
    return exited(node.child);
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.nodes.values()].map(async (n) => { n.child.kill('SIGKILL'); await exited(n.child); }));
    rmSync(this.root, { recursive: true, force: true });
  }

  /** Runs `brook ARGS` against this cluster; resolves with its exit code and output. */
  cli(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
    return runBrook([...args, '--nats', this.natsUrl, '--cluster', this.cluster], input);
  }
}

export function runBrook(args: string[], input?: string, env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BROOK_BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => { stdout += c; });
    child.stderr.setEncoding('utf8').on('data', (c: string) => { stderr += c; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', (code) => { clearTimeout(timer); resolve({ code: code ?? -1, stdout, stderr }); });
    child.stdin.end(input ?? '');
  });
}

export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Polls `probe` until it returns a value, or throws after `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) { last = error; }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}
