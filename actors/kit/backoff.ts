/**
 * Capped exponential backoff with jitter drawn from the context PRNG (STYLE.md section 4): the
 * delay doubles per attempt up to `maxMs`, and the actual wait is uniform in [delay/2, delay] so
 * that clients retrying after the same failure spread out.
 */
import { assert } from '../assert.js';
import { nextInt } from '../prng.js';

export interface BackoffPolicy { baseMs: number; maxMs: number }

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 100, maxMs: 1000 };

/** The wait before retry number `attempt` (1 = the first retry) and the next PRNG state. */
export function backoffMs(policy: BackoffPolicy, attempt: number, prng: number): [delayMs: number, prng: number] {
  assert(attempt >= 1, 'attempt >= 1');
  assert(policy.baseMs >= 0 && policy.maxMs >= policy.baseMs, 'backoff policy bounds');
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(attempt - 1, 30));
  const [delayMs, next] = nextInt(prng, Math.floor(ceiling / 2), Math.floor(ceiling));
  assert(delayMs <= policy.maxMs, 'backoff capped');
  return [delayMs, next];
}
