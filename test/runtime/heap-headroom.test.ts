// Goal: a node process gives its V8 heap room for the ArrayBuffers it churns through, so that a
// small live heap is not fully collected every few MB of message buffers, while a large heap
// keeps V8's own growing factor. Method: the same child (a 16 MB live heap, 640 MB of 256 KiB
// buffers that each outlive a few young collections) with the headroom and without; counts of
// full mark-compacts, compared within the run. Also: the factor for each heap size, and bad
// settings refused with a clear error.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { HEAP_HEADROOM_MB_DEFAULT, growingPercentFor, heapHeadroomMb } from '../../runtime/node/heap-headroom.js';

const CHILD = fileURLToPath(new URL('../fixtures/heap-headroom-child.ts', import.meta.url));
const MB = 1024 * 1024;

function majorsWith(headroomMb: string): number {
  const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', CHILD], {
    encoding: 'utf8', env: { ...process.env, BROOK_HEAP_HEADROOM_MB: headroomMb }, timeout: 120_000,
  });
  return (JSON.parse(out.trim().split('\n').pop() as string) as { majors: number }).majors;
}

test('the default headroom runs far fewer full collections for the same buffer churn than V8 left alone', (t) => {
  const leftAlone = majorsWith('0');
  const withHeadroom = majorsWith(String(HEAP_HEADROOM_MB_DEFAULT));
  t.log(`full mark-compacts: ${leftAlone} left to V8, ${withHeadroom} with a ${HEAP_HEADROOM_MB_DEFAULT} MB headroom`);
  t.true(leftAlone >= 8, `V8 alone collects repeatedly under buffer churn (${leftAlone})`);
  t.true(withHeadroom * 2 <= leftAlone, `the headroom at least halves the full collections (${withHeadroom} against ${leftAlone})`);
});

test('the growing factor leaves the headroom above a small heap and is left to V8 for a large one', (t) => {
  t.is(growingPercentFor(16 * MB, 64 * MB), 400);
  t.is(growingPercentFor(20 * MB, 64 * MB), 350); // 320 rounded up to the step
  t.is(growingPercentFor(100 * 1024, 64 * MB), 1000); // capped
  t.is(growingPercentFor(64 * MB, 64 * MB), 0); // V8's own factor gives as much
  t.is(growingPercentFor(400 * MB, 64 * MB), 0);
  t.is(growingPercentFor(16 * MB, 0), 0);
});

test('BROOK_HEAP_HEADROOM_MB: default, override, 0 turns it off, bad values are refused', (t) => {
  t.is(heapHeadroomMb({}), HEAP_HEADROOM_MB_DEFAULT);
  t.is(heapHeadroomMb({ BROOK_HEAP_HEADROOM_MB: '32' }), 32);
  t.is(heapHeadroomMb({ BROOK_HEAP_HEADROOM_MB: '0' }), 0);
  for (const bad of ['-1', 'lots', '1.5', '5000']) {
    t.throws(() => heapHeadroomMb({ BROOK_HEAP_HEADROOM_MB: bad }), { instanceOf: RangeError, message: /BROOK_HEAP_HEADROOM_MB/ });
  }
});
