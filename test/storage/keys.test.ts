// The on-disk key layout: byte order must equal (segment, log, offset) order, with no interleaving of
// logs inside a segment, every key of a later segment after every key of an earlier one (versions
// of meta keys and log starts included: they sort first in their segment, apart from every log).
// The layout before segments decodes for the move into segment 0.
import test from 'ava';
import { AssertionError } from '../../actors/assert.js';
import {
  allLogsRange, decodeLegacyLogKey, decodeLegacyMetaKey, decodeLogKey, decodeVersionKey, isVersionKey, legacyLogKey, legacyLogRange, legacyMetaKey,
  legacyMetaRange, logKey, logRange, SEGMENT_MAX, segmentVersionsRange, versionKey,
} from '../../runtime/storage/keys.js';

function compare(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  return a.length - b.length;
}

const inside = (range: { gte: Uint8Array; lt: Uint8Array }, key: Uint8Array): boolean => compare(range.gte, key) <= 0 && compare(key, range.lt) < 0;

const OFFSETS = [0, 1, 255, 256, 65_535, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, 2 ** 48 + 7, Number.MAX_SAFE_INTEGER];
const SEGMENTS = [0, 1, 255, 65_536, SEGMENT_MAX];

test('log keys round-trip and sort in offset order within a segment', (t) => {
  for (const segment of SEGMENTS) {
    const keys = OFFSETS.map((offset) => logKey(segment, 'topic-0', offset));
    for (let i = 0; i < keys.length; i++) {
      t.deepEqual(decodeLogKey(keys[i] as Uint8Array), { segment, log: 'topic-0', offset: OFFSETS[i] });
      if (i > 0) t.true(compare(keys[i - 1] as Uint8Array, keys[i] as Uint8Array) < 0, `${OFFSETS[i - 1]} < ${OFFSETS[i]}`);
    }
  }
});

test('every key of a later segment sorts after every key of an earlier one, whatever the log and offset', (t) => {
  for (let s = 1; s < SEGMENTS.length; s++) {
    const older = logKey(SEGMENTS[s - 1] as number, '~~~~', Number.MAX_SAFE_INTEGER);
    const newer = logKey(SEGMENTS[s] as number, '!', 0);
    t.true(compare(older, newer) < 0, `segment ${SEGMENTS[s - 1]} < ${SEGMENTS[s]}`);
  }
});

test('within a segment each log occupies one range that no other log or segment enters', (t) => {
  const logs = ['a', 'a!', 'a~', 'ab', 'b', '__raft'];
  for (const log of logs) {
    const range = logRange(3, log);
    for (const other of logs) {
      for (const segment of [2, 3, 4]) {
        for (const offset of [0, 2 ** 32, Number.MAX_SAFE_INTEGER]) {
          t.is(inside(range, logKey(segment, other, offset)), other === log && segment === 3, `${segment}/${other}@${offset} vs range of 3/${log}`);
        }
      }
    }
  }
});

test('versions sort first in their segment, inside its range and apart from every log', (t) => {
  for (const segment of SEGMENTS) {
    for (const kind of ['meta', 'start'] as const) {
      const key = versionKey(segment, kind, '~~~~');
      t.deepEqual(decodeVersionKey(key), { segment, kind, name: '~~~~' });
      t.true(isVersionKey(key));
      t.true(inside(allLogsRange, key));
      t.true(inside(segmentVersionsRange(segment), key));
      t.true(compare(key, logKey(segment, '!', 0)) < 0, 'before the first log of its segment');
      if (segment > 0) t.true(compare(logKey(segment - 1, '~~~~', Number.MAX_SAFE_INTEGER), key) < 0, 'after every key of the segment before');
      if (segment < SEGMENT_MAX) t.false(inside(segmentVersionsRange(segment + 1), key));
    }
    t.false(isVersionKey(logKey(segment, 'p', 1)), 'a log key is not a version, whatever its bytes');
    t.false(inside(segmentVersionsRange(segment), logKey(segment, '!', 0)));
  }
});

test('the old layout sorts apart from the new one', (t) => {
  t.is(decodeLegacyMetaKey(legacyMetaKey('raft.term')), 'raft.term');
  t.false(inside(allLogsRange, legacyMetaKey('!')));
  t.true(inside(legacyMetaRange, legacyMetaKey('!')));
  t.false(inside(allLogsRange, legacyLogKey('p', 0)));
  t.true(inside(legacyLogRange, legacyLogKey('p', 7)));
  t.false(inside(legacyLogRange, logKey(0, 'p', 7)));
  t.deepEqual(decodeLegacyLogKey(legacyLogKey('topic-0', 2 ** 40)), { log: 'topic-0', offset: 2 ** 40 });
});

test('invalid names, offsets and segments are assertions', (t) => {
  for (const offset of [-1, 1.5, Number.NaN, 2 ** 53]) {
    t.throws(() => logKey(0, 'p', offset), { instanceOf: AssertionError }, String(offset));
  }
  for (const segment of [-1, 0.5, SEGMENT_MAX + 1]) t.throws(() => logKey(segment, 'p', 0), { instanceOf: AssertionError }, String(segment));
  for (const name of ['', 'a b', 'a\u0000', 'é', 'x'.repeat(401)]) {
    t.throws(() => logKey(0, name, 0), { instanceOf: AssertionError }, JSON.stringify(name));
    t.throws(() => versionKey(0, 'meta', name), { instanceOf: AssertionError }, JSON.stringify(name));
  }
  t.throws(() => decodeLogKey(legacyMetaKey('short')), { instanceOf: AssertionError });
  t.throws(() => decodeVersionKey(logKey(0, 'p', 1)), { instanceOf: AssertionError });
  t.throws(() => decodeLegacyLogKey(logKey(0, 'p', 1)), { instanceOf: AssertionError });
});
