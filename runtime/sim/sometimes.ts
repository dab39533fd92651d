/**
 * Antithesis-style coverage counters (simulation.md section 5.7): `sometimes(name, condition)`
 * marks an interesting situation the runtime reached ("produce-during-leader-change"). A run
 * resets the registry, reads it at the end, and a seed sweep merges the runs' counts and lists
 * the names that never fired: what the faults never reach. A name evaluated only with a false
 * condition is kept with count 0, so the report tells "reached, never true" from "never reached".
 *
 * The registry is module-level because the call sites are deep in the runtime; the simulator is
 * single-threaded and runs one world at a time, so one registry per process is per run.
 */
import { assert } from '../../actors/assert.js';

/** Name → number of times the condition held; sorted by name when read. */
export type Coverage = Readonly<Record<string, number>>;

const counts = new Map<string, number>();

/** Counts `name` when `condition` holds; returns `condition` so it can wrap an `if`. */
export function sometimes(name: string, condition = true): boolean {
  assert(name.length > 0, 'sometimes needs a name');
  counts.set(name, (counts.get(name) ?? 0) + (condition ? 1 : 0));
  return condition;
}

/** Starts a run with every counter forgotten. */
export function resetSometimes(): void { counts.clear(); }

/** This run's counts, as a plain object with names in sorted order (stable for traces and JSON). */
export function sometimesCounts(): Coverage {
  return sortedCoverage(counts);
}

/** Sums two coverage reports (runs of a sweep); a name in either appears in the result. */
export function mergeCoverage(a: Coverage, b: Coverage): Coverage {
  const sum = new Map<string, number>(Object.entries(a));
  for (const [name, count] of Object.entries(b)) sum.set(name, (sum.get(name) ?? 0) + count);
  return sortedCoverage(sum);
}

/** The expected names whose condition never held (count 0 or never evaluated), in the given order. */
export function neverReached(expectedNames: readonly string[], coverage: Coverage): string[] {
  return expectedNames.filter((name) => (coverage[name] ?? 0) === 0);
}

function sortedCoverage(source: ReadonlyMap<string, number>): Coverage {
  const out: Record<string, number> = {};
  for (const name of [...source.keys()].sort()) out[name] = source.get(name) ?? 0;
  return out;
}
