// Simulator speed: how many simulated seconds the deterministic whole-cluster run (runStreamSim,
// 3 nodes, producers + consumer + faults) covers per wall-clock second, and scheduler steps/s.
// The aim is >= 50x real time, so that long seeded searches are cheap.
//   npx tsx bench/sim-speed.ts [--seeds 10] [--first 1] [--duration-ms 10000]
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { runStreamSim } from '../runtime/sim/stream-run.js';
import { tuneGarbageCollector } from '../runtime/gc-tuning.js';
import { describeMachine, formatMachine } from './lib/machine.js';
import { markdownTable } from './lib/table.js';
import type { Cell } from './lib/table.js';

export interface SeedSpeed { seed: number; simulatedMs: number; wallMs: number; steps: number; violations: number; acked: number }

export interface SimSpeedFigures {
  seeds: SeedSpeed[];
  totalSimulatedMs: number;
  totalWallMs: number;
  totalSteps: number;
  speedup: number;
  stepsPerSec: number;
}

export function measureSimSpeed(seeds: number[], durationMs: number, log: (line: string) => void = () => {}): SimSpeedFigures {
  const rows: SeedSpeed[] = [];
  for (const seed of seeds) {
    const started = process.hrtime.bigint();
    const result = runStreamSim({ seed, durationMs, nodes: 3 });
    const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
    rows.push({ seed, simulatedMs: result.simulatedMs, wallMs, steps: result.steps, violations: result.violations.length, acked: result.acked });
    log(`seed ${seed}: ${(result.simulatedMs / 1000).toFixed(1)} s simulated in ${(wallMs / 1000).toFixed(2)} s wall, ${result.steps} steps`);
  }
  const totalSimulatedMs = rows.reduce((n, r) => n + r.simulatedMs, 0);
  const totalWallMs = rows.reduce((n, r) => n + r.wallMs, 0);
  const totalSteps = rows.reduce((n, r) => n + r.steps, 0);
  return { seeds: rows, totalSimulatedMs, totalWallMs, totalSteps, speedup: totalSimulatedMs / totalWallMs, stepsPerSec: totalSteps / (totalWallMs / 1000) };
}

export function simSpeedTable(figures: SimSpeedFigures): string {
  const rows: Cell[][] = figures.seeds.map((s) => [s.seed, (s.simulatedMs / 1000).toFixed(1), (s.wallMs / 1000).toFixed(2),
    (s.simulatedMs / s.wallMs).toFixed(1), s.steps, Math.round(s.steps / (s.wallMs / 1000)), s.acked, s.violations]);
  rows.push(['all', (figures.totalSimulatedMs / 1000).toFixed(1), (figures.totalWallMs / 1000).toFixed(2),
    figures.speedup.toFixed(1), figures.totalSteps, Math.round(figures.stepsPerSec), '', '']);
  return markdownTable(['Seed', 'Simulated s', 'Wall s', 'Sim s / wall s', 'Steps', 'Steps/s', 'Acked', 'Violations'], rows);
}

function cli(): void {
  tuneGarbageCollector(); // as `brook sim` runs
  const { values } = parseArgs({ options: { seeds: { type: 'string' }, first: { type: 'string' }, 'duration-ms': { type: 'string' } } });
  const count = Number(values.seeds ?? 10);
  const first = Number(values.first ?? 1);
  const durationMs = Number(values['duration-ms'] ?? 10_000);
  const machine = describeMachine();
  const figures = measureSimSpeed(Array.from({ length: count }, (_, i) => first + i), durationMs, (line) => console.error(line));
  console.log(`Simulator speed: runStreamSim, nodes 3, durationMs ${durationMs}, seeds ${first}..${first + count - 1}`);
  console.log(`Machine: ${formatMachine(machine)}\nDate: ${new Date().toISOString()}\n`);
  console.log(simSpeedTable(figures));
  console.log(`\n${figures.speedup.toFixed(1)} simulated s per wall s (aim >= 50); ${Math.round(figures.stepsPerSec)} steps/s`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) cli();
