/**
 * `brook sim [--seed S | --seeds N [--first-seed F | --fresh]] [--duration 10s] [--nodes K] [--slow-network] [--faults LIST] [--shrink]
 * [--check-determinism] [--json]`: whole-cluster deterministic simulation runs of the real node
 * runtime and actors. A sweep shows progress on stderr and ends with a summary table and the
 * coverage of interesting situations; a failing seed prints the command that replays it.
 */
import { execFileSync } from 'node:child_process';
import { describePlan } from '../sim/faults.js';
import { shrinkPlan } from '../sim/shrink.js';
import { mergeCoverage, neverReached, resetSometimes, sometimesCounts, type Coverage } from '../sim/sometimes.js';
import { runStreamSim, type RunFaultKind, type StreamRunResult } from '../sim/stream-run.js';
import { EXPECTED_COVERAGE } from '../sim/world.js';
import { intFlag, parse, UsageError } from './args.js';
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
    fresh: { type: 'boolean', default: false }, 'slow-network': { type: 'boolean', default: false },
  });
  const json = values['json'] === true;
  const durationMs = parseDuration(values['duration'] as string | undefined, 10_000);
  const faults = parseFaults(values['faults'] as string | undefined);
  const nodes = values['nodes'] === undefined ? undefined : intFlag(values, 'nodes');
  const slowNetwork = values['slow-network'] === true;
  if (nodes !== undefined && (nodes < 3 || nodes > 9)) throw new UsageError('--nodes must be between 3 and 9');
  if (values['fresh'] === true && values['first-seed'] !== undefined) throw new UsageError('--fresh picks the first seed itself; drop --first-seed');
  const firstSeed = values['fresh'] === true ? freshFirstSeed() : intFlag(values, 'first-seed', 1);
  if (values['fresh'] === true && !json) process.stderr.write(`fresh seeds from ${firstSeed} (replay: --seeds N --first-seed ${firstSeed})\n`);
  const seeds = values['seed'] !== undefined ? [intFlag(values, 'seed')]
    : Array.from({ length: intFlag(values, 'seeds', 20) }, (_, i) => firstSeed + i);
  // The flags a failing seed needs to replay as it ran (an overridden node count changes the seed's later draws).
  const runFlags = [values['duration'] !== undefined ? ` --duration ${String(values['duration'])}` : '', nodes ? ` --nodes ${nodes}` : '',
    values['faults'] !== undefined ? ` --faults ${String(values['faults'])}` : '', slowNetwork ? ' --slow-network' : ''].join('');
  const run = (seed: number, plan?: StreamRunResult['plan']): StreamRunResult =>
    runStreamSim({ seed, durationMs, slowNetwork, ...(faults ? { faults } : {}), ...(nodes ? { nodes } : {}), ...(plan ? { plan } : {}) });

  let coverage: Coverage = {};
  const results: StreamRunResult[] = [];
  const started = performance.now();
  for (const [i, seed] of seeds.entries()) {
    resetSometimes();
    const result = run(seed);
    coverage = mergeCoverage(coverage, sometimesCounts());
    results.push(result);
    if (!json && seeds.length > 1) progress(i + 1, seeds.length, results.filter((r) => r.violations.length > 0 || !r.converged).length);
    if (values['check-determinism'] === true) checkDeterminism(result, run(seed));
  }
  if (!json && seeds.length > 1) process.stderr.write('\n');
  const failing = results.filter((r) => r.violations.length > 0 || !r.converged);
  const wallSeconds = (performance.now() - started) / 1000;
  const summary = {
    seeds: results.length, failing: failing.map((r) => r.seed), simulatedSeconds: sum(results, (r) => r.simulatedMs) / 1000, wallSeconds,
    faults: sum(results, (r) => r.faultsApplied), operations: sum(results, (r) => r.sendsInvoked), acknowledged: sum(results, (r) => r.acked),
    violations: sum(results, (r) => r.violations.length), coverage, neverReached: neverReached(EXPECTED_COVERAGE, coverage),
  };
  if (json) printJson({ ...summary, runs: results.map((r) => ({ seed: r.seed, digest: r.digest, violations: r.violations, converged: r.converged, plan: r.plan })) });
  else printSummary(summary, failing, runFlags);
  if (values['shrink'] === true) for (const result of failing) shrink(result, run, json);
  return failing.length === 0 ? 0 : 1;
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

function checkDeterminism(first: StreamRunResult, second: StreamRunResult): void {
  if (first.digest === second.digest) { process.stderr.write(`seed ${first.seed}: deterministic (digest ${first.digest})\n`); return; }
  const divergent = first.checkpoints.find((c, i) => second.checkpoints[i]?.digest !== c.digest);
  process.stderr.write(`seed ${first.seed}: NOT deterministic: digests ${first.digest} vs ${second.digest}; first divergence before trace line ${divergent?.line ?? 'end'}\n`);
  process.exitCode = 1;
}

function shrink(result: StreamRunResult, run: (seed: number, plan?: StreamRunResult['plan']) => StreamRunResult, json: boolean): void {
  const name = (result.violations[0] ?? 'liveness').split(':')[0] ?? 'liveness';
  const fails = (plan: StreamRunResult['plan']): boolean => {
    const again = run(result.seed, plan);
    return name === 'liveness' ? !again.converged : again.violations.some((v) => v.includes(name));
  };
  const shrunk = shrinkPlan(result.plan, fails, { maxRuns: 60 });
  const line = `seed ${result.seed}: ${name} still fails with ${shrunk.plan.length} of ${result.plan.length} fault steps (${shrunk.runs} runs): ${describePlan(shrunk.plan) || 'no faults'}`;
  if (json) printJson({ seed: result.seed, check: name, plan: shrunk.plan, runs: shrunk.runs }); else process.stdout.write(line + '\n');
}

function printSummary(s: { seeds: number; simulatedSeconds: number; wallSeconds: number; faults: number; operations: number; acknowledged: number; violations: number; neverReached: string[]; coverage: Coverage }, failing: StreamRunResult[], runFlags: string): void {
  process.stdout.write(table(['SEEDS', 'SIMULATED', 'WALL', 'FAULTS', 'SENDS', 'ACKED', 'VIOLATIONS', 'FAILING'], [[
    s.seeds, `${s.simulatedSeconds.toFixed(1)} s`, `${s.wallSeconds.toFixed(1)} s`, s.faults, s.operations, s.acknowledged, s.violations, failing.length,
  ]]) + '\n');
  process.stdout.write(`coverage: ${Object.entries(s.coverage).map(([k, v]) => `${k}=${v}`).join(' ')}\n`);
  if (s.neverReached.length > 0) process.stdout.write(`never reached: ${s.neverReached.join(', ')}\n`);
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

function sum<T>(items: T[], f: (item: T) => number): number { return items.reduce((acc, item) => acc + f(item), 0); }
