// Goal: the assignors are balanced, sticky (uniform) and Kafka's range; a big group finishes.
import test from 'ava';
import { assignRange, assignUniform, type AssignorMember } from '../../../actors/coordinator/assignors.js';

const members = (n: number, topics: string[], current: Record<string, string[]> = {}): AssignorMember[] =>
  Array.from({ length: n }, (_, i) => ({ memberId: `m${i}`, topics, current: current[`m${i}`] ?? [] }));

function sizes(a: Record<string, string[]>): number[] { return Object.values(a).map((l) => l.length); }

test('uniform: every partition once, balanced within one', (t) => {
  const a = assignUniform(members(3, ['t', 'u']), { t: 7, u: 3 });
  const all = Object.values(a).flat();
  t.is(all.length, 10);
  t.is(new Set(all).size, 10);
  t.true(Math.max(...sizes(a)) - Math.min(...sizes(a)) <= 1);
});

test('uniform: sticky — a new member takes only what balance requires', (t) => {
  const before = assignUniform(members(2, ['t']), { t: 6 });
  const after = assignUniform(members(3, ['t'], before), { t: 6 });
  t.deepEqual(sizes(after), [2, 2, 2]);
  const moved = ['m0', 'm1'].flatMap((id) => (before[id] ?? []).filter((k) => !(after[id] ?? []).includes(k)));
  t.is(moved.length, 2, 'only the two partitions the new member needs moved');
});

test('uniform: partitions go only to subscribers of their topic', (t) => {
  const a = assignUniform([{ memberId: 'a', topics: ['t'], current: [] }, { memberId: 'b', topics: ['u'], current: [] }], { t: 3, u: 1 });
  t.deepEqual(a, { a: ['t:0', 't:1', 't:2'], b: ['u:0'] });
});

test('range: contiguous ranges per topic, the first members one more', (t) => {
  const a = assignRange(members(3, ['t']), { t: 7 });
  t.deepEqual(a, { m0: ['t:0', 't:1', 't:2'], m1: ['t:3', 't:4'], m2: ['t:5', 't:6'] });
});

test('uniform: 1,000 members × 10,000 partitions finishes, balanced', (t) => {
  const topics = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`topic${i}`, 1000]));
  const group = members(1000, Object.keys(topics));
  const first = assignUniform(group, topics);
  t.deepEqual(new Set(sizes(first)), new Set([10]));
  const again = assignUniform(members(1001, Object.keys(topics), first), topics);
  t.is(Object.values(again).flat().length, 10_000);
  t.true(Math.max(...sizes(again)) - Math.min(...sizes(again)) <= 1);
});
