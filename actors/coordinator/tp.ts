/** Partitions as set keys (`topic:partition`) and the protocol's per-topic lists, both ways. */
import { assert } from '../assert.js';
import type { TopicPartitions } from './protocol.js';
import type { TpKey } from './types.js';

export function tpKey(topic: string, partition: number): TpKey { return `${topic}:${partition}`; }

export function tpParse(key: TpKey): { topic: string; partition: number } {
  const at = key.lastIndexOf(':');
  return { topic: key.slice(0, at), partition: Number(key.slice(at + 1)) };
}

/** Sorted by topic, then partition number (not by string). */
export function compareTp(a: TpKey, b: TpKey): number {
  const x = tpParse(a);
  const y = tpParse(b);
  return x.topic < y.topic ? -1 : x.topic > y.topic ? 1 : x.partition - y.partition;
}

export function sortTps(keys: Iterable<TpKey>): TpKey[] { return [...keys].sort(compareTp); }

export function toTopicPartitions(keys: readonly TpKey[]): TopicPartitions[] {
  const byTopic = new Map<string, number[]>();
  for (const key of sortTps(keys)) {
    const { topic, partition } = tpParse(key);
    const list = byTopic.get(topic) ?? [];
    list.push(partition);
    assert(Number.isSafeInteger(partition) && partition >= 0, `${key} names no partition`);
    byTopic.set(topic, list);
  }
  const out = [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
  assert(out.every((t) => t.partitions.every((p, i) => i === 0 || p > (t.partitions[i - 1] as number))), 'a set of partitions lists each once');
  return out;
}

export function fromTopicPartitions(list: readonly TopicPartitions[]): TpKey[] {
  return sortTps(list.flatMap((t) => t.partitions.map((p) => tpKey(t.topic, p))));
}

export function sameTps(a: readonly TpKey[], b: readonly TpKey[]): boolean {
  return a.length === b.length && a.every((k, i) => k === b[i]);
}

/** [topic, partition] pairs, the shape of the simulator's `groupAssigned` report. */
export function tpPairs(keys: readonly TpKey[]): Array<[string, number]> {
  return keys.map((k) => { const { topic, partition } = tpParse(k); return [topic, partition]; });
}
