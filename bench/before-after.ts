// A change's cost on the produce path, before and after in one run: workload a of bench/brook (one
// idempotent acks=all producer, 1,000 records per send, 16 sends in flight, into a fresh 3-node RF 3
// cluster) run from two checkouts of the repository — `--before DIR` and this one — in ABBA order,
// so that drift on a shared machine falls on both sides. Each round is `bench/brook/main.ts` run in
// its checkout as a child process (its own node processes from its own code). Prints every round,
// the medians and after/before per record size; no figure is asserted.
//   npx tsx bench/before-after.ts --before DIR [--records 200000] [--sizes 100,1024] [--pairs 2]
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { commandVersion, describeMachine, formatMachine } from './lib/machine.js';
import { markdownTable, type Cell } from './lib/table.js';
import type { BrookFigures } from './brook/main.js';

type Side = 'before' | 'after';
interface Round { side: Side; loadAverage1m: number; recordsPerSec: Map<number, number> }

const { values } = parseArgs({ options: { before: { type: 'string' }, records: { type: 'string' }, sizes: { type: 'string' }, pairs: { type: 'string' } } });
if (values.before === undefined) throw new RangeError('--before DIR (a checkout of the code to compare against) is required');
const dirs: Record<Side, string> = { before: path.resolve(values.before), after: path.resolve(import.meta.dirname, '..') };
const records = Number(values.records ?? 200_000);
const sizes = values.sizes ?? '100,1024';
const pairs = Number(values.pairs ?? 2);
if (!(Number.isInteger(records) && records > 0 && Number.isInteger(pairs) && pairs > 0)) throw new RangeError('--records and --pairs take positive integers');

/** One produce run from the checkout of `side`; its figures by record size. */
async function round(side: Side, index: number): Promise<Round> {
  const json = path.join(os.tmpdir(), `brook-before-after-${process.pid}-${index}.json`);
  const dir = dirs[side];
  const args = ['bench/brook/main.ts', '--skip', 'b,c,d,e', '--sizes', sizes, '--records', String(records), '--json', json];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(path.join(dir, 'node_modules/.bin/tsx'), args, { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('exit', resolve);
  });
  if (code !== 0) throw new Error(`round ${index} (${side}, ${dir}) exited with ${code}`);
  const figures = JSON.parse(await fs.readFile(json, 'utf8')) as BrookFigures;
  await fs.rm(json, { force: true });
  const recordsPerSec = new Map<number, number>();
  for (const s of figures.sizes) {
    if (s.produce === undefined || Object.keys(s.errors).length > 0) throw new Error(`round ${index} (${side}) ${s.recordBytes} B failed: ${JSON.stringify(s.errors)}`);
    recordsPerSec.set(s.recordBytes, s.produce.recordsPerSec);
  }
  return { side, loadAverage1m: figures.machine.loadAverage1m, recordsPerSec };
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] as number : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

async function main(): Promise<void> {
  const machine = describeMachine({ 'nats-server': commandVersion('nats-server', ['--version']) });
  console.log(`Machine: ${formatMachine(machine)}; ${new Date().toISOString()}`);
  console.log(`before: ${dirs.before}\nafter:  ${dirs.after}\n`);
  const order: Side[] = [];
  for (let p = 0; p < pairs; p++) order.push(...(p % 2 === 0 ? ['before', 'after'] as const : ['after', 'before'] as const));
  const rounds: Round[] = [];
  for (const [i, side] of order.entries()) {
    console.error(`round ${i + 1}/${order.length}: ${side}`);
    rounds.push(await round(side, i + 1));
  }
  const sizeList = [...(rounds[0]?.recordsPerSec.keys() ?? [])];
  const perRound: Cell[][] = rounds.map((r, i) => [i + 1, r.side, r.loadAverage1m, ...sizeList.map((s) => Math.round(r.recordsPerSec.get(s) ?? Number.NaN))]);
  console.log(markdownTable(['round', 'code', 'load avg at start', ...sizeList.map((s) => `${s} B records/s`)], perRound));
  const summary: Cell[][] = sizeList.map((s) => {
    const of = (side: Side): number => median(rounds.filter((r) => r.side === side).map((r) => r.recordsPerSec.get(s) ?? Number.NaN));
    return [s, Math.round(of('before')), Math.round(of('after')), `${((of('after') / of('before')) * 100).toFixed(1)} %`];
  });
  console.log(`\n${markdownTable(['record size (B)', 'median before', 'median after', 'after / before'], summary)}`);
  console.log(`\nLoad average at end: ${os.loadavg()[0]?.toFixed(2)}`);
}

main().then(() => process.exit(0), (error: unknown) => { console.error(error); process.exit(1); });
