// (e) Consume throughput of one group member process (`brook consume --group`, values to stdout)
// reading a pre-filled topic from the beginning, with auto-commit off, every 5 s (the default) and
// every 100 ms. The rate is taken from its first record to its last as they reach the bench, so
// process start-up and the join are left out; each variant uses a fresh group.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { BROOK_BIN, exited } from '../../test/helpers/brook-processes.js';
import type { BrookCluster } from '../brook/cluster.js';

export interface ConsumeVariant { autoCommit: string; records: number; seconds: number; recordsPerSec: number; joinMs: number }

export async function consumeVariant(cluster: BrookCluster, topic: string, records: number, intervalMs: number | undefined, groupId: string): Promise<ConsumeVariant> {
  const args = [BROOK_BIN, 'consume', topic, '--group', groupId, '--from-beginning', '--max-messages', String(records),
    '--nats', cluster.nats.url, '--cluster', cluster.processes.cluster, ...(intervalMs === undefined ? [] : ['--auto-commit-interval-ms', String(intervalMs)])];
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, BROOK_LOG: 'warn' } });
  process.on('exit', () => child.kill('SIGKILL'));
  let count = 0;
  let first = 0;
  let last = 0;
  const lines = createInterface({ input: child.stdout });
  const drained = new Promise<void>((resolve) => lines.once('close', () => resolve()));
  lines.on('line', () => {
    count++;
    last = performance.now();
    if (first === 0) first = last;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
  await exited(child);
  await drained;
  clearTimeout(timer);
  if (count !== records) throw new Error(`read ${count} of ${records} records (exit ${child.exitCode ?? child.signalCode})`);
  const seconds = (last - first) / 1000;
  return { autoCommit: intervalMs === undefined ? 'every 5000 ms (default)' : intervalMs === 0 ? 'off' : `every ${intervalMs} ms`, records, seconds,
    recordsPerSec: records / seconds, joinMs: first - spawnedAt };
}
