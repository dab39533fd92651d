/**
 * A pure PRNG whose whole state is one number kept in an actor's context (mulberry32), so that
 * machines draw jitter (election timeouts, backoff) without touching `Math.random` and a replayed
 * event sequence draws the same values. The runtime seeds it from its seeded `Random`.
 */
export function nextRandom(state: number): [value: number, state: number] {
  const next = (state + 0x6d2b79f5) >>> 0;
  let z = Math.imul(next ^ (next >>> 15), next | 1);
  z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
  return [((z ^ (z >>> 14)) >>> 0) / 2 ** 32, next];
}

/** Uniform integer in [min, max] and the next state. */
export function nextInt(state: number, minInclusive: number, maxInclusive: number): [value: number, state: number] {
  const [f, s] = nextRandom(state);
  return [minInclusive + Math.floor(f * (maxInclusive - minInclusive + 1)), s];
}
