/**
 * Inside a simulation run, real time and real randomness are forbidden: the global timers throw,
 * `Date.now` reads virtual time and `Math.random` draws from the run's seeded stream (xstate itself
 * calls both for bookkeeping). An actor created without the simulated clock therefore fails loudly
 * the first time it arms a timer, instead of making the run nondeterministic.
 */
import type { Random } from '../random.js';

export class NondeterminismError extends Error {
  override name = 'NondeterminismError';
}

/** Virtual epoch of every simulation: 2023-11-14T22:13:20Z plus the scheduler's time. */
export const SIM_EPOCH_MS = 1_700_000_000_000;

let active = false;

export function tripwireActive(): boolean { return active; }

export function withSimGlobals<T>(nowMs: () => number, random: Random, fn: () => T): T {
  if (active) return fn(); // nested runs share the outer run's guards
  const saved = {
    setTimeout: globalThis.setTimeout, setInterval: globalThis.setInterval, setImmediate: globalThis.setImmediate,
    dateNow: Date.now, mathRandom: Math.random,
  };
  const forbid = (name: string) => ((..._args: unknown[]) => {
    throw new NondeterminismError(`nondeterminism: ${name} called inside a simulation run`);
  }) as never;
  globalThis.setTimeout = forbid('setTimeout');
  globalThis.setInterval = forbid('setInterval');
  globalThis.setImmediate = forbid('setImmediate');
  Date.now = () => SIM_EPOCH_MS + Math.floor(nowMs());
  Math.random = () => random.float();
  active = true;
  try {
    return fn();
  } finally {
    active = false;
    globalThis.setTimeout = saved.setTimeout;
    globalThis.setInterval = saved.setInterval;
    globalThis.setImmediate = saved.setImmediate;
    Date.now = saved.dateNow;
    Math.random = saved.mathRandom;
  }
}
