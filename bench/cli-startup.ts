/**
 * CLI start-up: the wall time from spawning to exit of `node -e 0` (Node itself), `brook --help`
 * and `brook cluster status` (connect, two admin requests, close) against a one-node cluster over
 * a real nats-server, in one run, for the compiled package bin (bin/brook.js) and for the sources
 * run through tsx (bin/brook-source.js). `--bin PATH` measures another bin instead of the compiled
 * one (e.g. an older checkout's). Prints a markdown table; never asserts on timings.
 *
 *   npx tsx bench/cli-startup.ts [--runs 20] [--bin PATH]
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BrookProcesses, eventually } from '../test/helpers/brook-processes.js';
import { findNatsServer, startNatsServer } from '../test/helpers/nats-server.js';
import { connect } from '../runtime/sdk/connect.js';
import { commandVersion, describeMachine, formatMachine } from './lib/machine.js';
import { summarizeLatency } from './lib/stats.js';
import { markdownTable } from './lib/table.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '20' }, bin: { type: 'string' } } });
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) throw new RangeError(`--runs must be a positive integer, got '${values.runs}'`);
const compiled = values.bin ?? fileURLToPath(new URL('../bin/brook.js', import.meta.url));
const source = fileURLToPath(new URL('../bin/brook-source.js', import.meta.url));

/** Wall milliseconds of `node ARGS` until it exits, `runs` times, in turn with the other rows (so load drifts hit all alike). */
function time(args: string[]): number {
  const started = performance.now();
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${String(r.status)}: ${r.stderr}`);
  return performance.now() - started;
}

const nats = await startNatsServer();
const nodes = new BrookProcesses(nats.url, 'startup', [1]);
try {
  nodes.startNode(1);
  const client = await connect({ nats: nats.url, cluster: 'startup' });
  const admin = client.admin({ timeoutMs: 30_000 });
  await eventually(async () => ((await admin.metadata()).nodes.some((n) => n.state === 'unfenced') ? true : undefined), 30_000, 'node 1 registered');
  admin.close();
  await client.close();
  const status = ['cluster', 'status', '--nats', nats.url, '--cluster', 'startup'];
  const rows: Array<[string, string[]]> = [
    ['node -e 0', ['-e', '0']],
    [`brook --help (${values.bin === undefined ? 'compiled' : values.bin})`, [compiled, '--help']],
    [`brook cluster status (${values.bin === undefined ? 'compiled' : values.bin})`, [compiled, ...status]],
    ['brook --help (sources through tsx)', [source, '--help']],
    ['brook cluster status (sources through tsx)', [source, ...status]],
  ];
  for (const [, args] of rows) time(args); // Warm the file cache and tsx's transform cache.
  const samples = rows.map(() => new Float64Array(runs));
  for (let i = 0; i < runs; i++) rows.forEach(([, args], row) => { (samples[row] as Float64Array)[i] = time(args); });
  console.log(`${runs} runs each, interleaved; ${formatMachine(describeMachine({ 'nats-server': commandVersion(findNatsServer(), ['--version']) }))}\n`);
  console.log(markdownTable(['command', 'p50 ms', 'p90 ms', 'min ms', 'max ms'], rows.map(([name], row) => {
    const s = summarizeLatency(samples[row] as Float64Array, runs);
    return [name, s.p50Ms, s.p90Ms, Math.min(...(samples[row] as Float64Array)), s.maxMs];
  })));
} finally {
  await nodes.stopAll();
  await nats.stop();
}
