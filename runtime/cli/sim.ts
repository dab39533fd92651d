/**
 * `brook sim [--seed S | --seeds N [--first-seed F | --fresh] [--jobs J]] [--duration 10s] [--nodes K] [--slow-network] [--faults LIST] [--shrink]
 * [--check-determinism] [--json]`: whole-cluster deterministic simulation runs of the real node
 * runtime and actors. A sweep shows progress on stderr and ends with a summary table and the
 * coverage of interesting situations; a failing seed prints the command that replays it. `--jobs J` spreads a
 * sweep over J child processes (runtime/cli/sim-jobs.ts) with the same report.
 */
import { execFileSync } from 'node:child_process';
import { describePlan } from '../sim/faults.js';
import { shrinkPlan } from '../sim/shrink.js';
import { mergeCoverage, neverReached, resetSometimes, sometimesCounts, type Coverage } from '../sim/sometimes.js';
import { runStreamSim, type RunFaultKind, type StreamRunResult } from '../sim/stream-run.js';
import { EXPECTED_COVERAGE } from '../sim/world.js';
import { intFlag, parse, UsageError } from './args.js';
import { runSeedRanges, type RunOutline, type SweepPart } from './sim-jobs.js';
import { printJson, table } from './output.js';

/**
 * Random-node faults, 'roles': graceful shutdowns, crashes and pauses of the controller leader and
 * the busiest partition leader, and 'diskError': failed appends on the busiest partition leader.
 */
const FAULT_KINDS = ['crash', 'powerLoss', 'wipe', 'isolate', 'partition', 'pause', 'slowDisk', 'clockSkew', 'roles', 'diskError'] as const;

export function parseDuration(raw: string | undefined, fallbackMs: number): number {
  if (raw === undefined) return fallbackMs;
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(raw);
  if (!match) throw new UsageError(`--duration takes e.g. 500ms, 60s or 2m, got '${raw}'`);
  const value = Number(match[1]);
  return Math.round(match[2] === 'ms' ? value : match[2] === 'm' ? value * 60_000 : value * 1000);
}

export function parseFaults(raw: string | undefined): RunFaultKind[] | undefined {
  if (raw === undefined) return undefined;
  if (raw === 'none') return [];
  const kinds = raw.split(',').map((s) => s.trim());
  const unknown = kinds.filter((k) => !(FAULT_KINDS as readonly string[]).includes(k));
  if (unknown.length > 0) throw new UsageError(`unknown fault kind(s) ${unknown.join(', ')}; known: ${FAULT_KINDS.join(', ')}, or none`);
  return kinds as RunFaultKind[];
}

export async function sim(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    seed: { type: 'string' }, seeds: { type: 'string' }, 'first-seed': { type: 'string' }, duration: { type: 'string' }, nodes: { type: 'string' },
    faults: { type: 'string' }, shrink: { type: 'boolean', default: false }, 'check-determinism': { type: 'boolean', default: false },
    fresh: { type: 'boolean', default: false }, 'slow-network': { type: 'boolean', default: false }, jobs: { type: 'string' },
  });
  const json = values['json'] === true;
  const durationMs = parseDuration(values['duration'] as string | undefined, 10_000);
  const faults = parseFaults(values['faults'] as string | undefined);
  const nodes = values['nodes'] === undefined ? undefined : intFlag(values, 'nodes');
  const slowNetwork = values['slow-network'] === true;
  const checkDeterminism = values['check-determinism'] === true;
  if (nodes !== undefined && (nodes < 3 || nodes > 9)) throw new UsageError('--nodes must be between 3 and 9');
  const jobs = intFlag(values, 'jobs', 1);
  if (jobs < 1 || jobs > 64) throw new UsageError(`--jobs must be between 1 and 64, got ${jobs}`);
  if (values['fresh'] === true && values['first-seed'] !== undefined) throw new UsageError('--fresh picks the first seed itself; drop --first-seed');
  const firstSeed = values['fresh'] === true ? freshFirstSeed() : intFlag(values, 'first-seed', 1);
  if (values['fresh'] === true && !json) process.stderr.write(`fresh seeds from ${firstSeed} (replay: --seeds N --first-seed ${firstSeed})\n`);
  const seeds = values['seed'] !== undefined ? [intFlag(values, 'seed')]
    : Array.from({ length: intFlag(values, 'seeds', 20) }, (_, i) => firstSeed + i);
  // The flags a failing seed needs to replay as it ran (an overridden node count changes the seed's later draws).
  const replayFlags = [...(values['duration'] !== undefined ? ['--duration', String(values['duration'])] : []), ...(nodes ? ['--nodes', String(nodes)] : []),
    ...(values['faults'] !== undefined ? ['--faults', String(values['faults'])] : []), ...(slowNetwork ? ['--slow-network'] : [])];
  const run = (seed: number, plan?: StreamRunResult['plan']): StreamRunResult =>
    runStreamSim({ seed, durationMs, slowNetwork, ...(faults ? { faults } : {}), ...(nodes ? { nodes } : {}), ...(plan ? { plan } : {}) });

  const started = performance.now();
  const showProgress = (done: number, failing: number): void => { if (!json && seeds.length > 1) progress(done, seeds.length, failing); };
  const parts = jobs > 1 && seeds.length > 1
    ? await runSeedRanges({ firstSeed, seeds: seeds.length, jobs, flags: [...replayFlags, ...(checkDeterminism ? ['--check-determinism'] : [])], onProgress: showProgress })
    : runInProcess(seeds, run, checkDeterminism, showProgress);
  if (!json && seeds.length > 1) process.stderr.write('\n');
  const { runs, ...totals } = mergeParts(parts);
  const summary = { ...totals, wallSeconds: (performance.now() - started) / 1000, neverReached: neverReached(EXPECTED_COVERAGE, totals.coverage) };
  const failing = runs.filter((r) => totals.failing.includes(r.seed));
  if (json) printJson({ ...summary, runs });
  else printSummary(summary, failing, replayFlags.map((f) => ` ${f}`).join(''));
  if (values['shrink'] === true) for (const result of failing) shrink(result, run, json);
  return failing.length === 0 && totals.nondeterministic.length === 0 ? 0 : 1;
}

/** The sweep in this process, one seed after another: a part per seed. */
function runInProcess(seeds: number[], run: (seed: number) => StreamRunResult, checkDeterminism: boolean, onProgress: (done: number, failing: number) => void): SweepPart[] {
  const parts: SweepPart[] = [];
  let failing = 0;
  for (const seed of seeds) {
    resetSometimes();
    const result = run(seed);
    const coverage = sometimesCounts(); // before a determinism replay adds to the registry
    const failed = result.violations.length > 0 || !result.converged;
    parts.push({ seeds: 1, failing: failed ? [seed] : [], nondeterministic: checkDeterminism && !sameRun(result, run(seed)) ? [seed] : [],
      simulatedSeconds: result.simulatedMs / 1000, faults: result.faultsApplied, operations: result.sendsInvoked, acknowledged: result.acked,
      violations: result.violations.length, coverage,
      runs: [{ seed, digest: result.digest, violations: result.violations, converged: result.converged, livenessReason: result.livenessReason, plan: result.plan }] });
    if (failed) failing++;
    onProgress(parts.length, failing);
  }
  return parts;
}

/** Parts of one sweep, in seed order, as one report. */
export function mergeParts(parts: readonly SweepPart[]): SweepPart {
  const merged: SweepPart = { seeds: 0, failing: [], nondeterministic: [], simulatedSeconds: 0, faults: 0, operations: 0, acknowledged: 0, violations: 0, coverage: {}, runs: [] };
  let simulatedMs = 0;
  for (const part of parts) {
    merged.seeds += part.seeds;
    merged.failing.push(...part.failing);
    merged.nondeterministic.push(...part.nondeterministic);
    simulatedMs += Math.round(part.simulatedSeconds * 1000); // simulated time is whole milliseconds
    merged.faults += part.faults;
    merged.operations += part.operations;
    merged.acknowledged += part.acknowledged;
    merged.violations += part.violations;
    merged.coverage = mergeCoverage(merged.coverage, part.coverage);
    merged.runs.push(...part.runs);
  }
  merged.simulatedSeconds = simulatedMs / 1000;
  return merged;
}

/**
 * A first seed nobody has swept: drawn from the date and the checked-out commit, so every day and
 * every commit samples new ground (the CI's regression list guards what was found; it finds nothing new).
 */
export function freshFirstSeed(date = new Date(), commit = headCommit()): number {
  const text = `${date.toISOString().slice(0, 10)} ${commit}`;
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
  return 1_000_000 + (h % 900_000_000);
}

function headCommit(): string {
  try { return execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim(); } catch { return 'no-git'; }
}

/** Compares a seed's run with its replay; says which on stderr. */
function sameRun(first: StreamRunResult, second: StreamRunResult): boolean {
  if (first.digest === second.digest) { process.stderr.write(`seed ${first.seed}: deterministic (digest ${first.digest})\n`); return true; }
  const divergent = first.checkpoints.find((c, i) => second.checkpoints[i]?.digest !== c.digest);
  process.stderr.write(`seed ${first.seed}: NOT deterministic: digests ${first.digest} vs ${second.digest}; first divergence before trace line ${divergent?.line ?? 'end'}\n`);
  return false;
}

function shrink(result: RunOutline, run: (seed: number, plan?: StreamRunResult['plan']) => StreamRunResult, json: boolean): void {
  const name = (result.violations[0] ?? 'liveness').split(':')[0] ?? 'liveness';
  const fails = (plan: StreamRunResult['plan']): boolean => {
    const again = run(result.seed, plan);
    return name === 'liveness' ? !again.converged : again.violations.some((v) => v.includes(name));
  };
  const shrunk = shrinkPlan(result.plan, fails, { maxRuns: 60 });
  const line = `seed ${result.seed}: ${name} still fails with ${shrunk.plan.length} of ${result.plan.length} fault steps (${shrunk.runs} runs): ${describePlan(shrunk.plan) || 'no faults'}`;
  if (json) printJson({ seed: result.seed, check: name, plan: shrunk.plan, runs: shrunk.runs }); else process.stdout.write(line + '\n');
}

function printSummary(s: { seeds: number; simulatedSeconds: number; wallSeconds: number; faults: number; operations: number; acknowledged: number; violations: number; neverReached: string[]; coverage: Coverage; nondeterministic: number[] }, failing: RunOutline[], runFlags: string): void {
  process.stdout.write(table(['SEEDS', 'SIMULATED', 'WALL', 'FAULTS', 'SENDS', 'ACKED', 'VIOLATIONS', 'FAILING'], [[
    s.seeds, `${s.simulatedSeconds.toFixed(1)} s`, `${s.wallSeconds.toFixed(1)} s`, s.faults, s.operations, s.acknowledged, s.violations, failing.length,
  ]]) + '\n');
  process.stdout.write(`coverage: ${Object.entries(s.coverage).map(([k, v]) => `${k}=${v}`).join(' ')}\n`);
  if (s.neverReached.length > 0) process.stdout.write(`never reached: ${s.neverReached.join(', ')}\n`);
  if (s.nondeterministic.length > 0) process.stdout.write(`NOT DETERMINISTIC: seeds ${s.nondeterministic.join(', ')} (the lines above name the first divergence)\n`);
  for (const r of failing) {
    process.stdout.write(`\nSIMULATION FAILED seed ${r.seed}: ${r.violations[0] ?? `liveness: ${r.livenessReason}`}\n`);
    // The stream test runs seeds with the default flags only.
    const test = runFlags === '' ? `  test:   SEED=${r.seed} npx ava test/simulation/stream.test.ts\n` : '';
    process.stdout.write(`  replay: npx brook sim --seed ${r.seed}${runFlags}\n${test}  shrink: npx brook sim --seed ${r.seed}${runFlags} --shrink\n`);
  }
}

function progress(done: number, total: number, failing: number): void {
  const width = 30;
  const filled = Math.round((done / total) * width);
  process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} seeds, ${failing} failing`);
}

