// Goal: co-located nodes get memtables of different sizes, so replicas that store the same bytes do not
// flush and compact in lockstep; every size stays within a bounded band above the default.
// Method: memtableBytesFor over node ids.
import test from 'ava';
import { memtableBytesFor, WRITE_BUFFER_BYTES } from '../../runtime/storage/level-store.js';

const MiB = 1_048_576;

test('every node id gets a memtable between the default and three eighths more', (t) => {
  for (let id = 0; id < 1000; id++) {
    const bytes = memtableBytesFor(id);
    t.true(Number.isInteger(bytes) && bytes >= WRITE_BUFFER_BYTES && bytes <= WRITE_BUFFER_BYTES * 1.375, `node ${id}: ${bytes}`);
  }
  t.is(memtableBytesFor(7), memtableBytesFor(7), 'a node keeps its size across restarts');
});

test('any three nodes with neighbouring ids differ by at least 2 MiB pairwise', (t) => {
  for (let first = 0; first < 200; first++) {
    const sizes = [first, first + 1, first + 2].map(memtableBytesFor);
    for (let i = 0; i < 3; i++) for (let j = i + 1; j < 3; j++) t.true(Math.abs(sizes[i]! - sizes[j]!) >= 2 * MiB, `ids ${first}..${first + 2}: ${sizes.join(', ')}`);
  }
});
