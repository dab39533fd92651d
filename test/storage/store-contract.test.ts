// One contract, two stores: LevelStore (real LevelDB in a temp dir) and SimStore (driven by the
// simulation scheduler). Whatever an actor may rely on is asserted here for both.
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { AssertionError } from '../../actors/assert.js';
import { StorageError } from '../../runtime/storage/store.js';
import type { LogEntry } from '../../runtime/storage/store.js';
import { backends } from './store-harness.js';
import type { StoreHarness } from './store-harness.js';

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);
const entry = (offset: number, size = 4): LogEntry => ({ offset, value: new Uint8Array(size).fill(offset % 256) });
const NOSYNC = { sync: false };

function append(h: StoreHarness, log: string, entries: LogEntry[], sync = false): Promise<void> {
  return h.done((callback) => h.store.append(log, entries, { sync }, callback));
}
function read(h: StoreHarness, log: string, from: number, bytesMax = 1 << 20): Promise<LogEntry[]> {
  return h.call((callback) => h.store.read(log, from, bytesMax, callback));
}
const offsets = (entries: LogEntry[]): number[] => entries.map((e) => e.offset);

async function expectCode(t: ExecutionContext, promise: Promise<unknown>, code: StorageError['code']): Promise<void> {
  const error = await t.throwsAsync(promise, { instanceOf: StorageError });
  t.is(error?.code, code);
}

for (const backend of backends) {
  const contract = (title: string, body: (t: ExecutionContext, h: StoreHarness) => Promise<void>): void => {
    test(`${backend.name}: ${title}`, async (t) => {
      const h = await backend.create();
      try {
        await body(t, h);
      } finally {
        await h.dispose();
      }
    });
  };

  contract('read starts at the entry containing the offset and honours bytesMax', async (t, h) => {
    // Entries are batches: base 0 covers 0..2, base 3 covers 3..4, base 5, base 10.
    await append(h, 'p', [entry(0, 10), entry(3, 10)]);
    await append(h, 'p', [entry(5, 10), entry(10, 10)]);
    t.deepEqual(await read(h, 'p', 0), [entry(0, 10), entry(3, 10), entry(5, 10), entry(10, 10)]);
    t.deepEqual(offsets(await read(h, 'p', 4)), [3, 5, 10], 'from the middle of entry 3');
    t.deepEqual(offsets(await read(h, 'p', 5)), [5, 10], 'exactly at a base offset');
    t.deepEqual(offsets(await read(h, 'p', 99)), [10], 'past the end: the last entry may contain it');
    t.deepEqual(offsets(await read(h, 'p', 0, 20)), [0, 3], 'bytesMax fits two entries');
    t.deepEqual(offsets(await read(h, 'p', 0, 19)), [0], 'bytesMax fits one and a bit');
    t.deepEqual(offsets(await read(h, 'p', 4, 0)), [3], 'always at least one entry');
    t.deepEqual(await read(h, 'empty', 0), [], 'a log never written is empty');
  });

  contract('offsets order numerically across 32-bit and large values', async (t, h) => {
    const big = [2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, 2 ** 40, Number.MAX_SAFE_INTEGER];
    await append(h, 'p', [entry(255), entry(256), ...big.map((o) => entry(o))]);
    t.deepEqual(offsets(await read(h, 'p', 0)), [255, 256, ...big]);
    t.deepEqual(offsets(await read(h, 'p', 2 ** 32 + 5)), [2 ** 32 + 1, 2 ** 40, Number.MAX_SAFE_INTEGER]);
  });

  contract('logs do not interleave and logs() lists non-empty ones sorted', async (t, h) => {
    // 'a' is a prefix of 'a!' and 'ab': the key separator must keep their ranges apart.
    await append(h, 'ab', [entry(1), entry(2)]);
    await append(h, 'a', [entry(0), entry(7)]);
    await append(h, 'a!', [entry(3)]);
    await append(h, 'b', [entry(5)]);
    await h.done((callback) => h.store.putMeta('zz', bytes(1), NOSYNC, callback));
    t.deepEqual(offsets(await read(h, 'a', 0)), [0, 7]);
    t.deepEqual(offsets(await read(h, 'a!', 0)), [3]);
    t.deepEqual(offsets(await read(h, 'ab', 0)), [1, 2]);
    t.deepEqual(offsets(await read(h, 'a', 100)), [7], 'a read past the end stays inside its log');
    t.deepEqual(await h.call<string[]>((callback) => h.store.logs(callback)), ['a', 'a!', 'ab', 'b']);
    await h.done((callback) => h.store.truncateFrom('a!', 0, callback));
    t.deepEqual(await h.call<string[]>((callback) => h.store.logs(callback)), ['a', 'ab', 'b'], 'an emptied log is not listed');
  });

  contract('truncateFrom removes entries at and above the offset, then appends continue', async (t, h) => {
    await append(h, 'p', [entry(0), entry(5), entry(10), entry(15)]);
    await h.done((callback) => h.store.truncateFrom('p', 10, callback));
    t.deepEqual(offsets(await read(h, 'p', 0)), [0, 5]);
    await h.done((callback) => h.store.truncateFrom('p', 7, callback)); // between entries: nothing ≥ 7 left
    t.deepEqual(offsets(await read(h, 'p', 0)), [0, 5]);
    await append(h, 'p', [{ offset: 8, value: bytes(42) }]);
    t.deepEqual(await read(h, 'p', 8), [{ offset: 8, value: bytes(42) }]);
    await h.done((callback) => h.store.truncateFrom('p', 0, callback));
    t.deepEqual(await read(h, 'p', 0), []);
    await append(h, 'p', [entry(0)]);
    t.deepEqual(offsets(await read(h, 'p', 0)), [0], 'an emptied log accepts offset 0 again');
  });

  contract('deleteBefore removes entries below the offset', async (t, h) => {
    await append(h, 'p', [entry(0), entry(5), entry(10), entry(15)]);
    await h.done((callback) => h.store.deleteBefore('p', 10, callback));
    t.deepEqual(offsets(await read(h, 'p', 0)), [10, 15], 'reading below the start gives the first entry');
    await h.done((callback) => h.store.deleteBefore('p', 12, callback)); // entry 10 is below 12
    t.deepEqual(offsets(await read(h, 'p', 0)), [15]);
    await append(h, 'p', [entry(16)]);
    t.deepEqual(offsets(await read(h, 'p', 15)), [15, 16]);
  });

  contract('bounds of empty and non-empty logs', async (t, h) => {
    t.deepEqual(await h.call((callback) => h.store.bounds('p', callback)), { first: undefined, last: undefined });
    await append(h, 'p', [entry(3), entry(9, 6)]);
    await append(h, 'q', [entry(100)]);
    t.deepEqual(await h.call((callback) => h.store.bounds('p', callback)), { first: 3, last: entry(9, 6) });
    await h.done((callback) => h.store.deleteBefore('p', 100, callback));
    t.deepEqual(await h.call((callback) => h.store.bounds('p', callback)), { first: undefined, last: undefined });
  });

  contract('meta put, get and delete through putMetas', async (t, h) => {
    t.is(await h.call((callback) => h.store.getMeta('term', callback)), undefined);
    await h.done((callback) => h.store.putMeta('term', bytes(1), NOSYNC, callback));
    await h.done((callback) => h.store.putMeta('vote', bytes(2), { sync: true }, callback));
    t.deepEqual(await h.call((callback) => h.store.getMeta('term', callback)), bytes(1));
    await h.done((callback) => h.store.putMetas([['term', bytes(3)], ['vote', undefined], ['hw', bytes(4)]], NOSYNC, callback));
    t.deepEqual(await h.call((callback) => h.store.getMeta('term', callback)), bytes(3));
    t.is(await h.call((callback) => h.store.getMeta('vote', callback)), undefined);
    t.deepEqual(await h.call((callback) => h.store.getMeta('hw', callback)), bytes(4));
    t.deepEqual(await h.call<string[]>((callback) => h.store.logs(callback)), [], 'meta keys are not logs');
  });

  contract('values are copies: mutating inputs or results does not change the store', async (t, h) => {
    const value = bytes(1, 2, 3);
    await append(h, 'p', [{ offset: 0, value }]);
    value.fill(9);
    const [first] = await read(h, 'p', 0);
    t.deepEqual(first?.value, bytes(1, 2, 3));
    first?.value.fill(7);
    t.deepEqual((await read(h, 'p', 0))[0]?.value, bytes(1, 2, 3));
  });

  contract('reopen after close keeps logs and meta, synced or not', async (t, h) => {
    await append(h, 'p', [entry(0), entry(1)], false);
    await append(h, 'p', [entry(2)], true);
    await append(h, 'q', [entry(7)], false);
    await h.done((callback) => h.store.putMetas([['term', bytes(5)]], NOSYNC, callback));
    await h.reopen();
    t.deepEqual(offsets(await read(h, 'p', 0)), [0, 1, 2]);
    t.deepEqual(offsets(await read(h, 'q', 0)), [7]);
    t.deepEqual(await h.call((callback) => h.store.getMeta('term', callback)), bytes(5));
    t.deepEqual(await h.call<string[]>((callback) => h.store.logs(callback)), ['p', 'q']);
    await append(h, 'p', [entry(3)]);
    await expectCode(t, append(h, 'p', [entry(2)]), 'INVALID_ARGUMENT'); // the last offset survived too
  });

  contract('a bad batch is an assertion; an append not above the last entry is INVALID_ARGUMENT', async (t, h) => {
    const noop = (): void => {};
    t.throws(() => h.store.append('p', [entry(5), entry(3)], NOSYNC, noop), { instanceOf: AssertionError });
    t.throws(() => h.store.append('p', [entry(5), entry(5)], NOSYNC, noop), { instanceOf: AssertionError });
    t.throws(() => h.store.append('p', [], NOSYNC, noop), { instanceOf: AssertionError });
    t.throws(() => h.store.append('p', [entry(-1)], NOSYNC, noop), { instanceOf: AssertionError });
    t.throws(() => h.store.append('bad name', [entry(1)], NOSYNC, noop), { instanceOf: AssertionError });
    t.throws(() => h.store.read('p', 1.5, 10, noop), { instanceOf: AssertionError });
    t.deepEqual(await read(h, 'p', 0), [], 'nothing was written');
    await append(h, 'p', [entry(10)]);
    await expectCode(t, append(h, 'p', [entry(10), entry(30)]), 'INVALID_ARGUMENT');
    await expectCode(t, append(h, 'p', [entry(4)]), 'INVALID_ARGUMENT');
    t.deepEqual(offsets(await read(h, 'p', 0)), [10], 'a rejected batch writes none of its entries');
    await append(h, 'p', [entry(11)]);
    t.deepEqual(offsets(await read(h, 'p', 0)), [10, 11], 'the store keeps working after a rejection');
  });

  contract('operations after close give STORE_CLOSED', async (t, h) => {
    await append(h, 'p', [entry(0)]);
    await h.done((callback) => h.store.close(callback));
    await expectCode(t, append(h, 'p', [entry(1)]), 'STORE_CLOSED');
    await expectCode(t, read(h, 'p', 0), 'STORE_CLOSED');
    await expectCode(t, h.done((callback) => h.store.truncateFrom('p', 0, callback)), 'STORE_CLOSED');
    await expectCode(t, h.done((callback) => h.store.deleteBefore('p', 0, callback)), 'STORE_CLOSED');
    await expectCode(t, h.call((callback) => h.store.bounds('p', callback)), 'STORE_CLOSED');
    await expectCode(t, h.call((callback) => h.store.logs(callback)), 'STORE_CLOSED');
    await expectCode(t, h.done((callback) => h.store.putMeta('k', bytes(1), NOSYNC, callback)), 'STORE_CLOSED');
    await expectCode(t, h.call((callback) => h.store.getMeta('k', callback)), 'STORE_CLOSED');
    await expectCode(t, h.done((callback) => h.store.close(callback)), 'STORE_CLOSED');
  });

  contract('writes issued back to back apply in issue order, and reads see them', async (t, h) => {
    // Issue without waiting: a truncate must not clear an append issued after it.
    const results: Promise<unknown>[] = [
      append(h, 'p', [entry(0), entry(1), entry(2)]),
      h.done((callback) => h.store.truncateFrom('p', 1, callback)),
      append(h, 'p', [{ offset: 1, value: bytes(8) }], true),
      read(h, 'p', 0),
    ];
    const settled = await Promise.all(results);
    t.deepEqual(settled[3], [entry(0), { offset: 1, value: bytes(8) }]);
    t.deepEqual(await read(h, 'p', 0), [entry(0), { offset: 1, value: bytes(8) }]);
  });

  contract('writes issued while one runs complete in issue order; a bad append among them fails alone', async (t, h) => {
    // LevelStore commits these as groups (one LevelDB batch for the writes waiting together).
    const completed: string[] = [];
    const track = (name: string, promise: Promise<void>): Promise<string> =>
      promise.then(() => { completed.push(name); return 'ok'; }, (error: StorageError) => { completed.push(name); return error.code; });
    const outcomes = await Promise.all([
      track('a0', append(h, 'a', [entry(0)])),
      track('b0', append(h, 'b', [entry(0), entry(1)])),
      track('a1', append(h, 'a', [entry(1)])),
      track('a1-again', append(h, 'a', [entry(1, 9)])), // not above a's last entry, counting a1 before it
      track('meta', h.done((callback) => h.store.putMetas([['k', bytes(7)], ['gone', undefined]], NOSYNC, callback))),
      track('b2', append(h, 'b', [entry(2)], true)),
      track('a2', append(h, 'a', [entry(2)])),
    ]);
    t.deepEqual(outcomes, ['ok', 'ok', 'ok', 'INVALID_ARGUMENT', 'ok', 'ok', 'ok']);
    t.deepEqual(completed, ['a0', 'b0', 'a1', 'a1-again', 'meta', 'b2', 'a2']);
    t.deepEqual(await read(h, 'a', 0), [entry(0), entry(1), entry(2)], 'the rejected append wrote nothing');
    t.deepEqual(offsets(await read(h, 'b', 0)), [0, 1, 2]);
    t.deepEqual(await h.call((callback) => h.store.getMeta('k', callback)), bytes(7));
  });

  contract('a read issued between two writes sees the first and not the second', async (t, h) => {
    const first = append(h, 'p', [entry(0)]);
    const between = read(h, 'p', 0);
    const second = append(h, 'p', [entry(1)]);
    await Promise.all([first, second]);
    t.deepEqual(offsets(await between), [0]);
    t.deepEqual(offsets(await read(h, 'p', 0)), [0, 1]);
  });
}
