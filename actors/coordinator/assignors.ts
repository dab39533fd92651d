/**
 * Server-side assignors (KIP-848): pure functions from members (their subscribed topics and the
 * partitions the current target gives them) and topic partition counts to a target assignment.
 *
 * `uniform`: sticky and balanced — every member keeps as many of its current partitions as its
 * share allows, the rest go to the members with the fewest; with equal subscriptions every member
 * ends with ⌊n/m⌋ or ⌈n/m⌉. `range`: Kafka's RangeAssignor, per topic: the subscribers sorted by
 * member id get contiguous ranges, the first `n mod k` one partition more.
 */
import { assert } from '../assert.js';
import { sortTps, tpKey, tpParse } from './tp.js';
import type { TpKey } from './types.js';

export interface AssignorMember { memberId: string; topics: readonly string[]; current: readonly TpKey[] }
export type Assignment = Record<string, TpKey[]>;
export type Assignor = (members: readonly AssignorMember[], topics: Readonly<Record<string, number>>) => Assignment;

export const ASSIGNORS: Readonly<Record<string, Assignor>> = { uniform: assignUniform, range: assignRange };
export const DEFAULT_ASSIGNOR = 'uniform';

function byId(members: readonly AssignorMember[]): AssignorMember[] {
  return [...members].sort((a, b) => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0));
}

export function assignUniform(members: readonly AssignorMember[], topics: Readonly<Record<string, number>>): Assignment {
  const sorted = byId(members);
  const result: Assignment = Object.fromEntries(sorted.map((m) => [m.memberId, [] as TpKey[]]));
  const subscribers = new Map<string, number[]>(); // topic → indexes into `sorted`
  sorted.forEach((m, i) => {
    for (const t of new Set(m.topics)) {
      if (topics[t] === undefined) continue;
      const list = subscribers.get(t);
      if (list === undefined) subscribers.set(t, [i]); else list.push(i);
    }
  });
  const all: TpKey[] = [];
  for (const t of [...subscribers.keys()].sort()) for (let p = 0; p < (topics[t] as number); p++) all.push(tpKey(t, p));
  const active = sorted.filter((m) => m.topics.some((t) => subscribers.has(t))).length;
  if (active === 0 || all.length === 0) return result;
  const floor = Math.floor(all.length / active);
  let atCeiling = all.length % active; // how many members may hold floor + 1
  const counts = sorted.map(() => 0);
  const taken = new Set<TpKey>();
  // Retain: members holding most first, so the members allowed the extra partition are those that already have it.
  const retainOrder = sorted.map((_, i) => i).sort((a, b) => (sorted[b] as AssignorMember).current.length - (sorted[a] as AssignorMember).current.length || a - b);
  for (const i of retainOrder) {
    const m = sorted[i] as AssignorMember;
    const subscribed = new Set(m.topics);
    const valid = m.current.filter((k) => { const { topic, partition } = tpParse(k); return subscribed.has(topic) && partition < (topics[topic] ?? 0) && !taken.has(k); });
    const cap = atCeiling > 0 && valid.length > floor ? floor + 1 : floor;
    if (cap > floor) atCeiling--;
    for (const k of valid.slice(0, cap)) { taken.add(k); (result[m.memberId] as TpKey[]).push(k); counts[i] = (counts[i] as number) + 1; }
  }
  // Fill: each free partition to the subscriber with the fewest (ties: lowest member id).
  for (const k of all) {
    if (taken.has(k)) continue;
    const eligible = subscribers.get(tpParse(k).topic) as number[];
    let best = eligible[0] as number;
    for (const i of eligible) if ((counts[i] as number) < (counts[best] as number)) best = i;
    counts[best] = (counts[best] as number) + 1;
    (result[(sorted[best] as AssignorMember).memberId] as TpKey[]).push(k);
  }
  const assigned = Object.values(result).flat();
  assert(assigned.length === all.length && new Set(assigned).size === all.length, 'every partition of a subscribed topic goes to exactly one member');
  assert(counts.every((n, i) => n === (result[(sorted[i] as AssignorMember).memberId] as TpKey[]).length), 'the counts are what each member holds');
  for (const id of Object.keys(result)) result[id] = sortTps(result[id] as TpKey[]);
  return result;
}

export function assignRange(members: readonly AssignorMember[], topics: Readonly<Record<string, number>>): Assignment {
  const sorted = byId(members);
  const result: Assignment = Object.fromEntries(sorted.map((m) => [m.memberId, [] as TpKey[]]));
  const topicNames = [...new Set(sorted.flatMap((m) => m.topics))].filter((t) => topics[t] !== undefined).sort();
  for (const topic of topicNames) {
    const subscribers = sorted.filter((m) => m.topics.includes(topic));
    const count = topics[topic] as number;
    const per = Math.floor(count / subscribers.length);
    const extra = count % subscribers.length;
    let next = 0;
    subscribers.forEach((m, i) => {
      const n = per + (i < extra ? 1 : 0);
      for (let p = next; p < next + n; p++) (result[m.memberId] as TpKey[]).push(tpKey(topic, p));
      next += n;
    });
    assert(next === count, `range: ${next} of ${topic}'s ${count} partitions assigned`);
  }
  assert(sorted.every((m) => (result[m.memberId] as TpKey[]).every((k) => m.topics.includes(tpParse(k).topic))), 'range: a member gets partitions of its own topics only');
  for (const id of Object.keys(result)) result[id] = sortTps(result[id] as TpKey[]);
  return result;
}
