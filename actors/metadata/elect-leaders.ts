/**
 * Preferred leader election (Kafka's ElectLeaders with the PREFERRED type, and the controller's
 * automatic leader rebalance). The preferred leader is the first replica; it takes over when it is
 * alive and in the ISR, with a new leader epoch. The automatic check elects the preferred leaders of
 * a node's partitions once more than `leader.imbalance.per.broker.percentage` of the partitions it
 * should lead are led by others.
 */
import { assert } from '../assert.js';
import type { ErrorCode } from '../errors.js';
import { sortedTopics, type MetadataImage, type PartitionImage, type TopicImage } from './image.js';
import { changed, type Alive, type PartitionChange } from './decide-partitions.js';
import { clusterNumber } from './cluster-configs.js';
import type { Decision } from './decision.js';

export interface ElectLeaders { topic?: string; partitions?: number[] }
export interface ElectionResult { topic: string; partition: number; code: 'OK' | ErrorCode; message?: string }
export type ElectLeadersReply = { code: 'OK'; results: ElectionResult[] } | { code: ErrorCode; message: string };

function preferredOf(p: PartitionImage): number { return p.replicas[0] as number; }

/** The record making the preferred replica leader, or why not. */
function electPreferred(topic: TopicImage, partition: number, p: PartitionImage, alive: Alive): PartitionChange | ElectionResult {
  assert(p.replicas.length > 0, `${topic.name}/${partition}: a partition has replicas`);
  const preferred = preferredOf(p);
  if (p.leader === preferred) return { topic: topic.name, partition, code: 'ELECTION_NOT_NEEDED' };
  if (!alive(preferred) || !p.isr.includes(preferred)) {
    return { topic: topic.name, partition, code: 'PREFERRED_LEADER_NOT_AVAILABLE', message: `node ${preferred} is ${alive(preferred) ? 'not in sync' : 'not alive'}` };
  }
  const elected = changed(topic, partition, p, [...p.isr], preferred);
  assert(elected.leaderEpoch === p.leaderEpoch + 1, `${topic.name}/${partition}: a new leader gets a new epoch`);
  return elected;
}

/** ElectLeaders: every partition of the cluster, of `topic`, or the given partitions of `topic`. */
export function decideElectLeaders(image: MetadataImage, command: ElectLeaders, alive: Alive): Decision<ElectLeadersReply> {
  if (command.partitions !== undefined && command.topic === undefined) {
    return { records: [], reply: { code: 'INVALID_REQUEST', message: 'partitions need a topic' } };
  }
  const topics = command.topic === undefined ? sortedTopics(image) : [image.topics[command.topic]];
  const chosen = topics[0];
  if (chosen === undefined) return { records: [], reply: { code: 'UNKNOWN_TOPIC_OR_PARTITION', message: `topic '${command.topic}' does not exist` } };
  const records: PartitionChange[] = [];
  const results: ElectionResult[] = [];
  for (const topic of topics as TopicImage[]) {
    const wanted = command.partitions ?? topic.partitions.map((_, i) => i);
    for (const partition of wanted) {
      const p = topic.partitions[partition];
      if (p === undefined) { results.push({ topic: topic.name, partition, code: 'UNKNOWN_TOPIC_OR_PARTITION' }); continue; }
      const outcome = electPreferred(topic, partition, p, alive);
      if ('type' in outcome) { records.push(outcome); results.push({ topic: topic.name, partition, code: 'OK' }); } else results.push(outcome);
    }
  }
  assert(records.length === results.filter((r) => r.code === 'OK').length, 'one record per election');
  assert(records.every((r) => r.isr.includes(r.leader)), 'a preferred leader is elected from the ISR');
  return { records, reply: { code: 'OK', results } };
}

/** Per node: partitions it should lead (first replica) and how many of those another node leads. */
export function leaderImbalance(image: MetadataImage): Map<number, { preferred: number; notLeading: number }> {
  const out = new Map<number, { preferred: number; notLeading: number }>();
  for (const topic of sortedTopics(image)) {
    for (const p of topic.partitions) {
      const preferred = preferredOf(p);
      const entry = out.get(preferred) ?? { preferred: 0, notLeading: 0 };
      entry.preferred++;
      if (p.leader !== preferred) entry.notLeading++;
      out.set(preferred, entry);
    }
  }
  assert([...out.values()].every((e) => e.notLeading <= e.preferred), 'a node leads none of more partitions than it should lead');
  assert([...out.values()].reduce((n, e) => n + e.preferred, 0) === sortedTopics(image).reduce((n, t) => n + t.partitions.length, 0), 'every partition has one preferred leader');
  return out;
}

/**
 * The automatic rebalance: for every node over the imbalance ratio, elect its preferred leaderships
 * that can be elected now (those that cannot are left for a later check).
 */
export function decideLeaderRebalance(image: MetadataImage, alive: Alive): PartitionChange[] {
  const ratio = clusterNumber(image, 'leader.imbalance.per.broker.percentage') / 100;
  assert(ratio >= 0 && ratio <= 1, `an imbalance ratio of ${ratio}`);
  const over = new Set<number>();
  for (const [nodeId, { preferred, notLeading }] of leaderImbalance(image)) {
    if (preferred > 0 && notLeading / preferred > ratio && alive(nodeId)) over.add(nodeId);
  }
  const out: PartitionChange[] = [];
  if (over.size === 0) return out;
  for (const topic of sortedTopics(image)) {
    topic.partitions.forEach((p, partition) => {
      if (!over.has(preferredOf(p))) return;
      const outcome = electPreferred(topic, partition, p, alive);
      if ('type' in outcome) out.push(outcome);
    });
  }
  assert(out.every((r) => over.has(r.leader)), 'the rebalance elects only nodes over the ratio');
  return out;
}
