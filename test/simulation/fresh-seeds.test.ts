// Goal: `brook sim --fresh` samples a new seed range every day and every commit, reproducibly.
// Method: freshFirstSeed over dates and commits.
import test from 'ava';
import { freshFirstSeed } from '../../runtime/cli/sim.js';

test('the fresh first seed depends on the day and the commit, and is stable for both', (t) => {
  const day = new Date('2026-11-26T10:00:00Z');
  const a = freshFirstSeed(day, 'abc123');
  t.is(freshFirstSeed(new Date('2026-11-26T23:59:00Z'), 'abc123'), a, 'same day, same commit: same range');
  t.not(freshFirstSeed(new Date('2026-11-27T00:00:00Z'), 'abc123'), a, 'another day: another range');
  t.not(freshFirstSeed(day, 'abc124'), a, 'another commit: another range');
  t.true(a >= 1_000_000 && a < 901_000_000, 'beyond the hand-swept ranges');
});
