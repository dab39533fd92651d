// Goal: coverage counters count only when their condition holds, reset per run, merge across a
// sweep, and name what was never reached. Method: direct calls on the module registry.
import test from 'ava';
import { mergeCoverage, neverReached, resetSometimes, sometimes, sometimesCounts } from '../../../runtime/sim/sometimes.js';

test.serial('sometimes counts true conditions, keeps false ones at 0, and returns the condition', (t) => {
  resetSometimes();
  t.true(sometimes('truncated-on-diverging-epoch'));
  sometimes('truncated-on-diverging-epoch', true);
  t.false(sometimes('produce-during-leader-change', false));
  sometimes('a-first-by-name');
  t.deepEqual(sometimesCounts(), { 'a-first-by-name': 1, 'produce-during-leader-change': 0, 'truncated-on-diverging-epoch': 2 });
  t.deepEqual(Object.keys(sometimesCounts()), ['a-first-by-name', 'produce-during-leader-change', 'truncated-on-diverging-epoch']);
  resetSometimes();
  t.deepEqual(sometimesCounts(), {});
});

test.serial('a snapshot of the counts does not change with later calls', (t) => {
  resetSometimes();
  sometimes('x');
  const before = sometimesCounts();
  sometimes('x');
  t.deepEqual(before, { x: 1 });
  t.deepEqual(sometimesCounts(), { x: 2 });
  resetSometimes();
});

test('mergeCoverage sums per name and neverReached lists expected names that never held', (t) => {
  const merged = mergeCoverage({ b: 1, c: 0 }, { a: 2, b: 3 });
  t.deepEqual(merged, { a: 2, b: 4, c: 0 });
  t.deepEqual(Object.keys(merged), ['a', 'b', 'c']);
  t.deepEqual(neverReached(['c', 'b', 'd'], merged), ['c', 'd']);
  t.deepEqual(neverReached([], merged), []);
});

test('sometimes needs a name', (t) => {
  t.throws(() => sometimes(''));
});
