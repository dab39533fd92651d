// The latency workloads' warm-up split (bench/lib/stats.ts): the headline figures must not include
// a sample whose send was issued during the warm-up, and the warm-up's own figures must not lose it.
import test from 'ava';
import { WarmupSamples } from '../../../bench/lib/stats.js';

test('samples sent before the warm-up ends are summarised apart from the steady window', (t) => {
  const samples = new WarmupSamples(2, 8);
  samples.add(0.1, 300); // cold start
  samples.add(1.99, 120);
  samples.add(2, 5); // the first send of the steady window
  samples.add(5, 7);
  samples.add(9.5, 6);
  const { steady, warmup } = samples.summary();
  t.is(steady.count, 3);
  t.is(steady.maxMs, 7);
  t.is(steady.p50Ms, 6);
  t.is(warmup.count, 2);
  t.is(warmup.maxMs, 300);
});

test('without a warm-up every sample is steady', (t) => {
  const samples = new WarmupSamples(0, 2);
  samples.add(0, 40);
  samples.add(0.5, 10);
  const { steady, warmup } = samples.summary();
  t.is(steady.count, 2);
  t.is(steady.maxMs, 40);
  t.is(warmup.count, 0);
  t.throws(() => new WarmupSamples(-1, 1), { instanceOf: RangeError });
});
