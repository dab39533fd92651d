// What a minor page fault costs on this machine: a Node process writes one byte into each 4 KiB
// page of a fresh 64 MiB buffer (every write a fault: the kernel maps a zeroed page in), then the
// same bytes of a buffer it already touched (no fault), and divides the difference by the faults
// the kernel counted (/proc/self/stat, minflt). A process that hands freed memory back to the
// kernel (glibc's trim, Go's MADV_DONTNEED) pays this again for every page it reuses; on a virtual
// machine the price can be a hundred times bare metal's. runtime/node/memory-tunables.ts is why.
//   npx tsx bench/page-fault-cost.ts [--rounds 5] [--mib 64]
import { parseArgs } from 'node:util';
import { describeMachine, formatMachine } from './lib/machine.js';
import { processMinorFaults as minorFaults } from './lib/process-cpu.js';
import { markdownTable } from './lib/table.js';

const PAGE = 4096;

/** Nanoseconds to write one byte into each page of `buffer`, and the faults the kernel counted meanwhile. */
function touchPages(buffer: Buffer): { ns: number; faults: number } {
  const faults = minorFaults();
  const started = process.hrtime.bigint();
  for (let i = 0; i < buffer.length; i += PAGE) buffer[i] = 1;
  return { ns: Number(process.hrtime.bigint() - started), faults: minorFaults() - faults };
}

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' }, mib: { type: 'string', default: '64' } } });
const rounds = Number(values.rounds);
const bytes = Number(values.mib) * 1024 * 1024;
if (!Number.isInteger(rounds) || rounds <= 0 || !Number.isInteger(bytes) || bytes <= 0) throw new Error('--rounds and --mib are positive integers');

console.log(formatMachine(describeMachine({})));
const rows: string[][] = [];
for (let round = 1; round <= rounds; round++) {
  // allocUnsafeSlow: malloc with no zero fill, so the first touch of each page is the fault itself.
  const fresh = Buffer.allocUnsafeSlow(bytes);
  const first = touchPages(fresh);
  const again = touchPages(fresh);
  const perFaultUs = (first.ns - again.ns) / 1000 / Math.max(first.faults, 1);
  rows.push([String(round), first.faults.toLocaleString('en-US'), (first.ns / 1e6).toFixed(1), again.faults.toLocaleString('en-US'), (again.ns / 1e6).toFixed(2), perFaultUs.toFixed(2)]);
}
console.log(markdownTable(['round', 'faults, fresh pages', 'ms', 'faults, touched again', 'ms', 'µs per fault'], rows));
