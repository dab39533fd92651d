// The long chaos run: `npx tsx bench/chaos.ts --minutes 10 [--seed N] [--json] [--keep]
// [--skip kind,kind] [--only kind,kind] [--rate sends/s per producer] [--down MIN,MAX] [--pause MIN,MAX]
// [--settle-ms N]` (ms; a small --settle-ms lets the next fault land while the cluster still recovers). Real nats-server and
// `brook node join` processes, a seeded nemesis (the seed is printed; the same seed draws the same
// faults), and the history checked at the end. Exits 1 when the run found a violation, a failed
// idempotent send or a process that died on its own.
import { parseArgs } from 'node:util';
import { runChaos } from '../test/chaos/runner.js';
import { formatReport } from '../test/chaos/report.js';
import { FAULT_KINDS, type FaultKind } from '../test/chaos/nemesis.js';
import { findNatsServer } from '../test/helpers/nats-server.js';
import { commandVersion, describeMachine, formatMachine } from './lib/machine.js';

const { values } = parseArgs({ options: {
  minutes: { type: 'string', default: '10' },
  seed: { type: 'string' },
  json: { type: 'boolean', default: false },
  keep: { type: 'boolean', default: false },
  skip: { type: 'string' },
  only: { type: 'string' },
  rate: { type: 'string', default: '25' },
  down: { type: 'string', default: '1000,4000' },
  pause: { type: 'string', default: '2000,6000' },
  'settle-ms': { type: 'string', default: '30000' },
} });

function range(text: string, flag: string): [number, number] {
  const [min, max] = text.split(',').map(Number);
  if (min === undefined || max === undefined || !(min >= 0 && max >= min)) throw new Error(`--${flag} is MIN,MAX in ms`);
  return [min, max];
}

function kinds(list: string | undefined): FaultKind[] | undefined {
  if (list === undefined) return undefined;
  const out = list.split(',').map((k) => k.trim()).filter((k) => k.length > 0);
  for (const k of out) if (!(FAULT_KINDS as readonly string[]).includes(k)) throw new Error(`unknown fault kind ${k} (kinds: ${FAULT_KINDS.join(', ')})`);
  return out as FaultKind[];
}

const seed = values.seed !== undefined ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);
const minutes = Number(values.minutes);
if (!Number.isSafeInteger(seed) || !(minutes > 0)) throw new Error('--seed is an integer and --minutes a positive number');
const skip = kinds(values.skip);
const only = kinds(values.only);
const machine = describeMachine({ 'nats-server': commandVersion(findNatsServer()) });
process.stderr.write(`${formatMachine(machine)}\n`);
const report = await runChaos({
  seed, faultPhaseMs: minutes * 60_000, sendsPerSecond: Number(values.rate),
  downMs: range(values.down, 'down'), pauseMs: range(values.pause, 'pause'), settleMaxMs: Number(values['settle-ms']),
  keepDir: values.keep, log: (line) => process.stderr.write(`${line}\n`), ...(skip ? { skip } : {}), ...(only ? { only } : {}),
});
process.stdout.write(values.json ? `${JSON.stringify({ machine, ...report }, null, 2)}\n` : `${formatReport(report)}\n`);
process.stderr.write(`replay: npx tsx bench/chaos.ts --minutes ${minutes} --seed ${seed}\n`);
const failed = report.violations.length > 0 || report.sends.fail > 0 || report.deaths.length > 0 || !report.converged;
process.exit(failed ? 1 : 0);
