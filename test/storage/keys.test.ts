// The on-disk key layout: byte order must equal (log, offset) order, with no interleaving of logs.
import test from 'ava';
import { AssertionError } from '../../actors/assert.js';
import { decodeLogKey, decodeMetaKey, logKey, logRange, metaKey } from '../../runtime/storage/keys.js';

function compare(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  return a.length - b.length;
}

const OFFSETS = [0, 1, 255, 256, 65_535, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, 2 ** 48 + 7, Number.MAX_SAFE_INTEGER];

test('log keys round-trip and sort in offset order', (t) => {
  const keys = OFFSETS.map((offset) => logKey('topic-0', offset));
  for (let i = 0; i < keys.length; i++) {
    t.deepEqual(decodeLogKey(keys[i] as Uint8Array), { log: 'topic-0', offset: OFFSETS[i] });
    if (i > 0) t.true(compare(keys[i - 1] as Uint8Array, keys[i] as Uint8Array) < 0, `${OFFSETS[i - 1]} < ${OFFSETS[i]}`);
  }
});

test('each log occupies one range that no other log enters', (t) => {
  const logs = ['a', 'a!', 'a~', 'ab', 'b', '__raft'];
  for (const log of logs) {
    const range = logRange(log);
    for (const other of logs) {
      for (const offset of [0, 2 ** 32, Number.MAX_SAFE_INTEGER]) {
        const key = logKey(other, offset);
        const inside = compare(range.gte, key) <= 0 && compare(key, range.lt) < 0;
        t.is(inside, other === log, `${other}@${offset} vs range of ${log}`);
      }
    }
  }
});

test('meta keys round-trip and sort apart from log keys', (t) => {
  t.is(decodeMetaKey(metaKey('raft.term')), 'raft.term');
  t.true(compare(logKey('zzz', Number.MAX_SAFE_INTEGER), metaKey('!')) < 0);
});

test('invalid names and offsets are assertions', (t) => {
  for (const offset of [-1, 1.5, Number.NaN, 2 ** 53]) {
    t.throws(() => logKey('p', offset), { instanceOf: AssertionError }, String(offset));
  }
  for (const name of ['', 'a b', 'a\u0000', 'é', 'x'.repeat(401)]) {
    t.throws(() => logKey(name, 0), { instanceOf: AssertionError }, JSON.stringify(name));
    t.throws(() => metaKey(name), { instanceOf: AssertionError }, JSON.stringify(name));
  }
  t.throws(() => decodeLogKey(metaKey('short')), { instanceOf: AssertionError });
});
