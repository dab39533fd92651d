// Goal: the id map changes copy-on-write like the rest of a draft (the snapshot a step started from
// never changes), iterates in id order, and a change copies only the chunk it touches, so a step
// costs the same with ten entries or ten thousand.
// Method: steps made by hand with draftOf, as step-action.ts makes them.
import test from 'ava';
import { draftOf, own } from '../../../actors/kit/draft.js';
import { emptyIdMap, idAdd, idDelete, idFirst, idGet, idHas, idValues, ownIdEntry, type IdMap } from '../../../actors/kit/id-map.js';

interface Ctx { map: IdMap<{ n: number }> }

function step(ctx: Ctx, change: (draft: Ctx) => void): Ctx {
  const draft = draftOf(ctx);
  change(draft);
  return draft;
}

test('adds, reads, deletes and iterates in id order; the earlier snapshot never changes', (t) => {
  let ctx: Ctx = { map: emptyIdMap() };
  ctx = step(ctx, (d) => { for (const id of [3, 70, 71, 200]) idAdd(own(d, 'map'), id, { n: id }); });
  const before = ctx;
  const after = step(ctx, (d) => {
    const map = own(d, 'map');
    idDelete(map, 70);
    const entry = ownIdEntry(map, 71);
    if (entry) entry.n = -71;
    idAdd(map, 500, { n: 500 });
  });
  t.deepEqual([...idValues(before.map)].map((v) => v.n), [3, 70, 71, 200], 'the snapshot the step started from');
  t.deepEqual([...idValues(after.map)].map((v) => v.n), [3, -71, 200, 500]);
  t.is(after.map.size, 4);
  t.is(idGet(before.map, 71)?.n, 71);
  t.false(idHas(after.map, 70));
  t.is(idFirst(after.map)?.n, 3);
});

test('a change copies only the chunk it touches; an emptied chunk goes', (t) => {
  let ctx: Ctx = { map: emptyIdMap() };
  ctx = step(ctx, (d) => { for (let id = 0; id < 640; id++) idAdd(own(d, 'map'), id, { n: id }); });
  const next = step(ctx, (d) => idDelete(own(d, 'map'), 5));
  const shared = [...next.map.chunks.values()].filter((chunk) => [...ctx.map.chunks.values()].includes(chunk)).length;
  t.is(shared, 9, 'nine of ten chunks are shared with the snapshot');
  const emptied = step(next, (d) => { for (let id = 0; id < 64; id++) idDelete(own(d, 'map'), id); });
  t.is(emptied.map.chunks.size, 9);
  t.is(idFirst(emptied.map)?.n, 64);
});

test('ids only grow: adding one at or below the largest so far is a bug', (t) => {
  const ctx: Ctx = { map: emptyIdMap() };
  t.throws(() => step(ctx, (d) => { idAdd(own(d, 'map'), 9, { n: 9 }); idAdd(own(d, 'map'), 9, { n: 9 }); }), { message: /ids increase/ });
});
