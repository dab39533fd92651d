// Goal: the persistent sequence behaves like an array under push, drop-from-front and take, and
// never changes a sequence it was given. Method: random operation lists (fast-check) applied to a
// sequence and to a plain array side by side; after each step every earlier version still reads as
// the array it was.
import test from 'ava';
import fc from 'fast-check';
import { emptySeq, seqAt, seqDropFirst, seqPush, seqSearch, seqTake, seqToArray, type Seq } from '../../../actors/kit/seq.js';

type Op = { op: 'push'; n: number } | { op: 'drop'; k: number } | { op: 'take'; k: number };
const ops = fc.array(fc.oneof(
  fc.record({ op: fc.constant('push' as const), n: fc.integer({ min: 1, max: 150 }) }),
  fc.record({ op: fc.constant('drop' as const), k: fc.nat(200) }),
  fc.record({ op: fc.constant('take' as const), k: fc.nat(400) }),
), { maxLength: 40 });

test('a sequence reads like the array it models, and old versions never change', (t) => {
  fc.assert(fc.property(ops, (list: Op[]) => {
    let seq: Seq<number> = emptySeq();
    let model: number[] = [];
    let next = 0;
    const versions: Array<[Seq<number>, number[]]> = [];
    for (const o of list) {
      if (o.op === 'push') for (let i = 0; i < o.n; i++) { seq = seqPush(seq, next); model = [...model, next]; next++; }
      if (o.op === 'drop') { const k = Math.min(o.k, model.length); seq = seqDropFirst(seq, k); model = model.slice(k); }
      if (o.op === 'take') { seq = seqTake(seq, o.k); model = model.slice(0, o.k); }
      versions.push([seq, model]);
      for (const [s, m] of versions) if (JSON.stringify(seqToArray(s)) !== JSON.stringify(m)) return false;
      if (seq.length !== model.length || seqAt(seq, -1) !== undefined || seqAt(seq, model.length) !== undefined) return false;
      const probe = model[Math.floor(model.length / 2)];
      if (probe !== undefined && seqSearch(seq, (x) => x >= probe) !== Math.floor(model.length / 2)) return false;
    }
    return true;
  }), { numRuns: 300 });
  t.pass();
});

test('drop and take check their counts', (t) => {
  const seq = seqPush(seqPush(emptySeq<number>(), 1), 2);
  t.throws(() => seqDropFirst(seq, 3), { message: /drop 3 of 2/ });
  t.throws(() => seqTake(seq, -1));
  t.deepEqual(seqToArray(seqTake(seq, 1)), [1]);
});
