/**
 * Partition leadership moves the controller decides when a node goes away or comes back (KRaft's
 * PartitionChangeBuilder, simplified): the new leader is the first replica, in replica order, that
 * is in the ISR and alive; a node leaving is dropped from every ISR except when it is the last
 * member — then the ISR keeps it (Kafka's ELR idea: remember who may hold the newest data) and the
 * partition goes offline (NO_LEADER) unless unclean.leader.election.enable allows any live replica.
 */
import { NO_LEADER, type MetadataRecord } from './records.js';
import { getTopicById, sortedTopics, type MetadataImage, type PartitionImage, type TopicImage } from './image.js';
import { uncleanElectionEnabled } from './topic-rules.js';
import { assert } from '../assert.js';

export type PartitionChange = MetadataRecord & { type: 'partitionChanged' };

/** A node may lead or join an ISR: unfenced in the image and its session is alive. */
export type Alive = (nodeId: number) => boolean;

/** A leader or ISR change; the replicas and any reassignment in progress carry over. */
export function changed(topic: TopicImage, partition: number, before: PartitionImage, isr: number[], leader: number): PartitionChange {
  const leaderEpoch = leader === before.leader ? before.leaderEpoch : before.leaderEpoch + 1;
  const moving = before.addingReplicas !== undefined || before.removingReplicas !== undefined
    ? { addingReplicas: [...before.addingReplicas ?? []], removingReplicas: [...before.removingReplicas ?? []] } : {};
  return { type: 'partitionChanged', topicId: topic.topicId, partition, replicas: [...before.replicas], isr, leader,
    leaderEpoch, partitionEpoch: before.partitionEpoch + 1, ...moving };
}

function firstAlive(candidates: number[], order: number[], alive: Alive, excluded: number): number {
  for (const id of order) if (id !== excluded && candidates.includes(id) && alive(id)) return id;
  return NO_LEADER;
}

/**
 * The state of one partition once `nodeId` can no longer serve. `keepLeadership`: a controlled
 * shutdown does not take a partition offline, it only moves leadership when someone can take it.
 */
function withoutNode(topic: TopicImage, p: PartitionImage, nodeId: number, alive: Alive, keepLeadership: boolean):
    { isr: number[]; leader: number } | undefined {
  assert(p.isr.every((id) => p.replicas.includes(id)), `${topic.name}: an ISR of replicas only`);
  assert(p.isr.length > 0, `${topic.name}: an ISR is never empty (KRaft keeps the last member)`);
  if (p.leader !== nodeId && !p.isr.includes(nodeId)) return undefined;
  const others = p.isr.filter((id) => id !== nodeId);
  if (p.leader !== nodeId) return others.length === 0 ? undefined : { isr: others, leader: p.leader };
  const leader = firstAlive(others, p.replicas, alive, nodeId);
  if (leader !== NO_LEADER) return { isr: others, leader };
  if (keepLeadership) return undefined;
  if (uncleanElectionEnabled(topic.configs)) {
    const unclean = firstAlive(p.replicas, p.replicas, alive, nodeId);
    if (unclean !== NO_LEADER) return { isr: [unclean], leader: unclean };
  }
  return { isr: others.length === 0 ? [nodeId] : others, leader: NO_LEADER };
}

/** Records moving every partition away from `nodeId` (fencing, re-registration, controlled shutdown). */
export function moveAwayFrom(image: MetadataImage, nodeId: number, alive: Alive, keepLeadership: boolean): PartitionChange[] {
  const out: PartitionChange[] = [];
  for (const topic of sortedTopics(image)) {
    topic.partitions.forEach((p, partition) => {
      const next = withoutNode(topic, p, nodeId, alive, keepLeadership);
      if (next === undefined) return;
      assert(next.leader === NO_LEADER || next.leader !== nodeId, 'the leaving node never keeps leadership here');
      assert(next.isr.length > 0 && (next.leader === NO_LEADER || next.isr.includes(next.leader)), `${topic.name}/${partition}: a leader out of its ISR`);
      out.push(changed(topic, partition, p, next.isr, next.leader));
    });
  }
  assert(out.every((r) => r.leader === NO_LEADER || !r.isr.includes(nodeId)), `node ${nodeId} stays in an ISR it leaves`);
  assert(out.every((r) => r.isr.length > 0), 'an ISR is never empty');
  return out;
}

/** Records giving offline partitions back a leader once `nodeId` is unfenced. */
export function electOnUnfence(image: MetadataImage, nodeId: number): PartitionChange[] {
  const out: PartitionChange[] = [];
  for (const topic of sortedTopics(image)) {
    topic.partitions.forEach((p, partition) => {
      if (p.leader !== NO_LEADER || !p.replicas.includes(nodeId)) return;
      if (p.isr.includes(nodeId)) out.push(changed(topic, partition, p, [...p.isr], nodeId));
      else if (uncleanElectionEnabled(topic.configs)) out.push(changed(topic, partition, p, [nodeId], nodeId));
    });
  }
  assert(out.every((r) => r.leader === nodeId && r.isr.includes(nodeId)), `node ${nodeId} leads what it is elected for, from its ISR`);
  assert(out.every((r) => r.leaderEpoch > (getTopicById(image, r.topicId)?.partitions[r.partition]?.leaderEpoch ?? Infinity)), 'an election bumps the leader epoch');
  return out;
}
