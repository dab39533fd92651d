/** Goal: unkeyed records stick to one partition with a leader until its batch closes, then move. */
import test from 'ava';
import { createSticky, onBatchClosed, stickyPartition } from '../../../actors/client/sticky.js';

test('sticks until the batch closes, then draws another partition with a leader', (t) => {
  const first = stickyPartition(createSticky(), 't', 6, [1, 3, 5], 42);
  let sticky = first.sticky;
  t.true([1, 3, 5].includes(first.partition));
  t.is(stickyPartition(sticky, 't', 6, [1, 3, 5], first.prng).partition, first.partition, 'sticky');
  t.is(onBatchClosed(sticky, 't', (first.partition + 1) % 6), sticky, 'another partition\'s batch: no change');
  t.is(stickyPartition(sticky, 't', 6, [1, 3, 5], first.prng).partition, first.partition);
  let prng = first.prng;
  let previous = first.partition;
  for (let i = 0; i < 50; i++) {
    const closed = onBatchClosed(sticky, 't', previous);
    t.is(sticky.current.get('t'), previous, 'the state closed from is unchanged');
    const next = stickyPartition(closed, 't', 6, [1, 3, 5], prng);
    sticky = next.sticky;
    t.true([1, 3, 5].includes(next.partition));
    t.not(next.partition, previous, 'moves on after its batch closed');
    prng = next.prng;
    previous = next.partition;
  }
});

test('the draw comes from the PRNG: same state, same partition; no leader anywhere → any partition', (t) => {
  const a = stickyPartition(createSticky(), 't', 100, [], 7);
  const b = stickyPartition(createSticky(), 't', 100, [], 7);
  t.is(a.partition, b.partition);
  t.not(a.prng, 7);
  const seen = new Set<number>();
  let prng = 1;
  for (let i = 0; i < 200; i++) { const c = stickyPartition(createSticky(), 't', 4, [], prng); seen.add(c.partition); prng = c.prng; }
  t.deepEqual([...seen].sort(), [0, 1, 2, 3]);
});
