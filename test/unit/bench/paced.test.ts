// The latency workloads' open loop (bench/lib/paced.ts): every operation is issued, none before its
// due time, in order, and the loop sleeps between them instead of waking every millisecond.
import test from 'ava';
import { paced } from '../../../bench/lib/paced.js';

test.serial('issues each operation at or after its due time, in order, and resolves after the last', async (t) => {
  const times: number[] = [];
  const tookSec = await paced(12, 200, (atSec) => { times.push(atSec); });
  t.is(times.length, 12);
  times.forEach((at, i) => t.true(at >= (i + 1) / 200, `operation ${i} issued at ${at} s, due at ${(i + 1) / 200} s`));
  t.deepEqual([...times].sort((a, b) => a - b), times);
  t.true(tookSec >= 12 / 200);
});

test.serial('at a low rate the loop sleeps until the next is due: a handful of timer turns, not one per millisecond', async (t) => {
  let turns = 0;
  const realSetTimeout = globalThis.setTimeout;
  globalThis.setTimeout = ((fn: () => void, ms?: number) => { turns++; return realSetTimeout(fn, ms); }) as typeof setTimeout;
  try {
    await paced(3, 20, () => {}); // 150 ms: a 1 ms poll would take about 150 turns
  } finally {
    globalThis.setTimeout = realSetTimeout;
  }
  t.true(turns <= 10, `${turns} timer turns for 3 operations over 150 ms`);
});

test.serial('zero operations resolve at once; a bad rate or count is refused', async (t) => {
  let issued = 0;
  await paced(0, 100, () => { issued++; });
  t.is(issued, 0);
  t.throws(() => paced(1, 0, () => {}), { message: /perSec > 0/ });
  t.throws(() => paced(-1, 10, () => {}), { message: /non-negative integer/ });
});
