/**
 * Shrinking a failing fault plan (simulation.md section 5.9) by delta debugging, without a
 * property-testing library. The plan is data, so a smaller plan that still fails is a clearer
 * reproduction. Three passes, each keeping a change only when the run still fails:
 *   1. ddmin over *units*: a fault and its undo (crash…restart, isolate…heal, pause…resume,
 *      slowDisk…fastDisk) form one unit, so no pass ever leaves an undo without its fault;
 *      chunks of halves, quarters, … single units are removed;
 *   2. undo steps are dropped one by one (the liveness phase heals whatever a plan leaves open);
 *   3. each step is moved as early as it will go (binary search down to the previous step's time),
 *      keeping the plan's order, so ties still run in plan order (the scheduler is FIFO on ties).
 * Deterministic: the same plan and the same `fails` give the same result. `fails` is called at
 * most `maxRuns` times; identical candidates are answered from a cache. The input plan is assumed
 * to fail (it is not run again).
 */
import { assert } from '../../actors/assert.js';
import type { FaultKind, FaultOp } from './faults.js';

export interface ShrinkOptions {
  /** Upper bound on calls of `fails` (default 500). */
  maxRuns?: number;
  /** Pass 2 (default true). */
  dropUndos?: boolean;
  /** Pass 3 (default true). */
  moveEarlier?: boolean;
}

export interface ShrinkResult { plan: FaultOp[]; runs: number }

/** Which fault kinds an undo step closes. */
const UNDOES: Partial<Record<FaultKind, readonly FaultKind[]>> = {
  restart: ['crash', 'powerLoss', 'wipe'],
  heal: ['isolate', 'partition', 'clockSkew'],
  resume: ['pause'],
  fastDisk: ['slowDisk'],
};

export function isUndo(op: FaultOp): boolean { return UNDOES[op.op] !== undefined; }

/** Counts and caches calls of the property; past the budget every candidate counts as passing. */
class Oracle {
  runs = 0;
  private readonly cache = new Map<string, boolean>();
  constructor(private readonly fails: (plan: FaultOp[]) => boolean, readonly maxRuns: number) {}

  check(plan: FaultOp[]): boolean {
    const key = JSON.stringify(plan);
    const known = this.cache.get(key);
    if (known !== undefined) return known;
    if (this.runs >= this.maxRuns) return false;
    this.runs++;
    const result = this.fails(plan.map((op) => ({ ...op, nodes: [...op.nodes] })));
    this.cache.set(key, result);
    return result;
  }
}

export function shrinkPlan(plan: readonly FaultOp[], fails: (plan: FaultOp[]) => boolean, options: ShrinkOptions = {}): ShrinkResult {
  const oracle = new Oracle(fails, options.maxRuns ?? 500);
  assert(oracle.maxRuns >= 0, 'maxRuns >= 0');
  for (let i = 1; i < plan.length; i++) assert((plan[i] as FaultOp).atMs >= (plan[i - 1] as FaultOp).atMs, 'a plan is sorted by time');
  let current = removeUnits(plan.map((op) => ({ ...op, nodes: [...op.nodes] })), oracle);
  if (options.dropUndos ?? true) current = dropUndos(current, oracle);
  if (options.moveEarlier ?? true) current = moveEarlier(current, oracle);
  assert(oracle.runs <= oracle.maxRuns, 'the run budget holds');
  return { plan: current, runs: oracle.runs };
}

/** Groups plan indices into units: a fault with the first later undo of the same nodes, or a lone step. */
export function planUnits(plan: readonly FaultOp[]): number[][] {
  const paired = new Set<number>();
  const units: number[][] = [];
  for (let i = 0; i < plan.length; i++) {
    if (paired.has(i)) continue;
    const op = plan[i] as FaultOp;
    let undo = -1;
    for (let j = i + 1; j < plan.length && !isUndo(op); j++) {
      const candidate = plan[j] as FaultOp;
      if (!paired.has(j) && (UNDOES[candidate.op] ?? []).includes(op.op) && sameNodes(op.nodes, candidate.nodes)) { undo = j; break; }
    }
    if (undo >= 0) paired.add(undo);
    units.push(undo >= 0 ? [i, undo] : [i]);
  }
  return units;
}

function sameNodes(a: readonly number[], b: readonly number[]): boolean {
  const sortedB = [...b].sort((x, y) => x - y);
  return a.length === b.length && [...a].sort((x, y) => x - y).every((n, i) => n === sortedB[i]);
}

/** Pass 1: complement-only ddmin over units, granularity 2, 4, … up to one unit per chunk. */
function removeUnits(plan: FaultOp[], oracle: Oracle): FaultOp[] {
  let units = planUnits(plan);
  const flatten = (kept: number[][]): FaultOp[] => kept.flat().sort((a, b) => a - b).map((i) => plan[i] as FaultOp);
  let n = 2;
  while (units.length >= 2) {
    const chunks = split(units, Math.min(n, units.length));
    let reduced = false;
    for (let c = 0; c < chunks.length && !reduced; c++) {
      const kept = chunks.filter((_, k) => k !== c).flat();
      if (oracle.check(flatten(kept))) {
        units = kept;
        n = Math.max(n - 1, 2);
        reduced = true;
      }
    }
    if (reduced) continue;
    if (n >= units.length) break;
    n = Math.min(n * 2, units.length);
  }
  return flatten(units);
}

/** Splits `items` into `n` chunks of nearly equal size, in order. */
function split<T>(items: readonly T[], n: number): T[][] {
  assert(n >= 1 && n <= items.length, 'split into 1..length chunks');
  const chunks: T[][] = [];
  let start = 0;
  for (let k = 0; k < n; k++) {
    const end = start + Math.ceil((items.length - start) / (n - k));
    chunks.push(items.slice(start, end));
    start = end;
  }
  return chunks;
}

/** Pass 2: dropping an undo never orphans anything, so each is tried alone, last first. */
function dropUndos(plan: FaultOp[], oracle: Oracle): FaultOp[] {
  let current = plan;
  for (let i = current.length - 1; i >= 0; i--) {
    if (!isUndo(current[i] as FaultOp)) continue;
    const candidate = current.filter((_, k) => k !== i);
    if (oracle.check(candidate)) current = candidate;
  }
  return current;
}

/** Pass 3: per step, the earliest time (not before the previous step) at which the plan still fails. */
function moveEarlier(plan: FaultOp[], oracle: Oracle): FaultOp[] {
  let current = plan;
  const at = (i: number, atMs: number): FaultOp[] => current.map((op, k) => (k === i ? { ...op, atMs } : op));
  for (let i = 0; i < current.length; i++) {
    let low = i === 0 ? 0 : (current[i - 1] as FaultOp).atMs; // candidate floor, not yet known to fail
    let high = (current[i] as FaultOp).atMs; // known to fail
    if (high <= low) continue;
    if (oracle.check(at(i, low))) { current = at(i, low); continue; }
    for (let steps = 0; high - low > 1 && steps < 12; steps++) {
      const middle = Math.floor((low + high) / 2);
      if (oracle.check(at(i, middle))) high = middle; else low = middle;
    }
    current = at(i, high);
  }
  return current;
}

export interface ShrinkConfigResult<C> { config: C; runs: number }

/**
 * Greedy configuration shrinking: repeatedly take the first simplification (fewer nodes, a fault
 * class disabled, …) that still fails, until none does or the budget is spent. `simplify` lists
 * candidates in preference order and must eventually return none (each one strictly simpler).
 */
export function shrinkConfig<C>(config: C, simplify: (config: C) => C[], fails: (config: C) => boolean,
    options: { maxRuns?: number } = {}): ShrinkConfigResult<C> {
  const maxRuns = options.maxRuns ?? 100;
  const tried = new Set<string>([JSON.stringify(config)]);
  let current = config;
  let runs = 0;
  for (let progressed = true; progressed && runs < maxRuns;) {
    progressed = false;
    for (const candidate of simplify(current)) {
      const key = JSON.stringify(candidate);
      if (tried.has(key)) continue;
      if (runs >= maxRuns) break;
      tried.add(key);
      runs++;
      if (fails(candidate)) { current = candidate; progressed = true; break; }
    }
  }
  return { config: current, runs };
}
