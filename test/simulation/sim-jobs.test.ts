// Goal: `brook sim --jobs J` reports exactly what one process reports (only the wall time differs),
// and its ranges cover every seed once, in order. Method: the range plan and the merge directly,
// then the CLI (from its sources) as child processes, the same short sweep with and without jobs.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { BROOK_BIN } from '../helpers/brook-processes.js';
import { runSeedRanges, seedRanges } from '../../runtime/cli/sim-jobs.js';
import { mergeParts } from '../../runtime/cli/sim.js';

test('seed ranges cover the sweep once, in order, largest first, none under the floor but the last', (t) => {
  for (const [seeds, jobs] of [[500, 2], [1000, 8], [6, 3], [1, 4], [37, 5]] as const) {
    const ranges = seedRanges(100, seeds, jobs);
    let next = 100;
    for (const r of ranges) { t.is(r.first, next); t.true(r.count >= 1); next += r.count; }
    t.is(next, 100 + seeds, `${seeds} seeds over ${jobs} jobs`);
    const counts = ranges.map((r) => r.count);
    t.deepEqual(counts.slice(0, -1), [...counts.slice(0, -1)].sort((a, b) => b - a), 'sizes do not grow');
    t.true(counts.slice(0, -1).every((c) => c >= Math.min(10, Math.ceil(seeds / jobs))), 'only the last range is under the floor');
  }
  t.true(seedRanges(1, 500, 2).length < 20, 'a child per range, not per seed');
});

test('merged parts sum, keep seed order, and keep simulated time to the millisecond', (t) => {
  const part = (seed: number, ms: number, failing: boolean) => ({ seeds: 1, failing: failing ? [seed] : [], nondeterministic: [], simulatedSeconds: ms / 1000, faults: 1, operations: 2,
    acknowledged: 3, violations: failing ? 1 : 0, coverage: { a: 1, [`s${seed}`]: 1 }, runs: [{ seed, digest: 'd', violations: [], converged: true, livenessReason: '', plan: [] }] });
  const merged = mergeParts([part(1, 100, false), part(2, 200, true), part(3, 300, false)]);
  t.is(merged.simulatedSeconds, 0.6); // 0.1 + 0.2 + 0.3 in floating point is 0.6000000000000001
  t.deepEqual(merged.failing, [2]);
  t.deepEqual(merged.runs.map((r) => r.seed), [1, 2, 3]);
  t.deepEqual(merged.coverage, { a: 3, s1: 1, s2: 1, s3: 1 });
  t.like(merged, { seeds: 3, faults: 3, operations: 6, acknowledged: 9, violations: 1 });
});

function sweep(...extra: string[]): Record<string, unknown> {
  const r = spawnSync(process.execPath, [BROOK_BIN, 'sim', '--seeds', '5', '--first-seed', '4100', '--duration', '2s', '--json', ...extra], { encoding: 'utf8', timeout: 240_000 });
  if (r.status !== 0) throw new Error(`brook sim ${extra.join(' ')} exited ${String(r.status)}: ${r.stderr}`);
  const report = JSON.parse(r.stdout) as Record<string, unknown>;
  delete report['wallSeconds'];
  return report;
}

test('a sweep over child processes reports what one process reports', (t) => {
  const alone = sweep();
  const spread = sweep('--jobs', '2');
  t.is(alone['seeds'], 5);
  t.true((alone['runs'] as unknown[]).length === 5 && (alone['simulatedSeconds'] as number) > 0);
  t.deepEqual(spread, alone);
});

test('the ranges run in child processes, one report per range, in seed order', async (t) => {
  const progress: number[] = [];
  const parts = await runSeedRanges({ firstSeed: 4100, seeds: 5, jobs: 2, flags: ['--duration', '2s'], entry: BROOK_BIN, onProgress: (done) => progress.push(done) });
  t.deepEqual(parts.map((p) => p.runs.map((r) => r.seed)), [[4100, 4101, 4102], [4103, 4104]]);
  t.is(progress.at(-1), 5);
  const { wallSeconds: _w, neverReached: _n, ...alone } = sweep();
  t.deepEqual({ ...mergeParts(parts) }, alone as unknown as ReturnType<typeof mergeParts>, 'the children report what one process does');
});

test('--jobs outside 1..64 is a usage error', (t) => {
  const r = spawnSync(process.execPath, [BROOK_BIN, 'sim', '--seeds', '2', '--jobs', '0'], { encoding: 'utf8', timeout: 60_000 });
  t.is(r.status, 2);
  t.is(r.stderr.trim(), 'brook: error: --jobs must be between 1 and 64, got 0');
});
