/**
 * Partition reassignment (KIP-455), the decisions. A reassignment from `original` to `target`
 * writes one partitionChanged whose replicas are the union (target first, then the originals that
 * leave), with `addingReplicas` = target − original and `removingReplicas` = original − target. The
 * nodes start the adding replicas as followers; they catch up and join the ISR through the leader's
 * ordinary AlterPartition. Once every target replica is in the ISR, `completeReassignment` writes
 * the final record: replicas = target, the leavers out of the ISR, and leadership moved (new leader
 * epoch) when the leader was leaving. Every step is a record, so a new controller leader resumes
 * from the image. Cancelling reverts to the original replicas.
 */
import { assert } from '../assert.js';
import type { ErrorReply } from '../errors.js';
import { getNode, reassigning, sortedTopics, type MetadataImage, type PartitionImage, type TopicImage } from './image.js';
import { NO_LEADER } from './records.js';
import type { Alive, PartitionChange } from './decide-partitions.js';
import type { Decision } from './decision.js';

export interface AlterReassignment { topic: string; partition: number; replicas: number[] | null }
export type AlterReassignmentReply = { code: 'OK' } | ErrorReply;

export interface ReassignmentView { topic: string; partition: number; replicas: number[]; addingReplicas: number[]; removingReplicas: number[]; isr: number[]; leader: number }

/** The replicas the reassignment moves to (the replicas themselves when none is in progress). */
export function targetReplicas(p: PartitionImage): number[] {
  const removing = p.removingReplicas ?? [];
  return p.replicas.filter((id) => !removing.includes(id));
}

/** The replicas before the reassignment started (what a cancel restores). */
export function originalReplicas(p: PartitionImage): number[] {
  const adding = p.addingReplicas ?? [];
  return p.replicas.filter((id) => !adding.includes(id));
}

/** A node that may receive a replica: registered, unfenced, not being drained. */
export function acceptsReplicas(image: MetadataImage, nodeId: number): boolean {
  const node = getNode(image, nodeId);
  return node !== undefined && node.state === 'unfenced' && node.decommission === undefined;
}

/**
 * The leader epoch goes up when the leader changes, and also when a replica leaves the replica set
 * (as KRaft's partition change builder does): the replica that left may still be fetching, on a
 * node that has not applied its removal yet, and must be fenced. Without the bump, a node removed
 * and added back before it applied either record had its old replica's fetches counted toward the
 * new assignment's ISR, then deleted that replica's data on applying the removal, and was elected
 * with an empty log (seed 770002).
 */
function record(topic: TopicImage, partition: number, p: PartitionImage,
    next: { replicas: number[]; isr: number[]; leader: number; adding: number[]; removing: number[] }): PartitionChange {
  assert(next.isr.every((id) => next.replicas.includes(id)), 'the ISR is made of replicas');
  assert(next.leader === NO_LEADER || next.isr.includes(next.leader), 'a leader is in the ISR');
  const replicaLeaves = p.replicas.some((id) => !next.replicas.includes(id));
  const leaderEpoch = next.leader === p.leader && !replicaLeaves ? p.leaderEpoch : p.leaderEpoch + 1;
  const out: PartitionChange = { type: 'partitionChanged', topicId: topic.topicId, partition, replicas: next.replicas, isr: next.isr,
    leader: next.leader, leaderEpoch, partitionEpoch: p.partitionEpoch + 1 };
  if (next.adding.length > 0 || next.removing.length > 0) { out.addingReplicas = next.adding; out.removingReplicas = next.removing; }
  return out;
}

/** The record starting a move of `p` (no reassignment in progress) to `target`. */
export function startReassignment(topic: TopicImage, partition: number, p: PartitionImage, target: number[]): PartitionChange {
  const adding = target.filter((id) => !p.replicas.includes(id));
  const removing = p.replicas.filter((id) => !target.includes(id));
  return record(topic, partition, p, { replicas: [...target, ...removing], isr: [...p.isr], leader: p.leader, adding, removing });
}

function invalid(message: string): ErrorReply { return { code: 'INVALID_REPLICA_ASSIGNMENT', message }; }

function checkTarget(image: MetadataImage, p: PartitionImage, replicas: number[]): ErrorReply | undefined {
  if (replicas.length === 0) return invalid('the replica list is empty');
  if (new Set(replicas).size !== replicas.length) return invalid(`the replica list ${replicas.join(',')} repeats a node`);
  for (const id of replicas) {
    const node = getNode(image, id);
    if (node === undefined) return invalid(`node ${id} is not registered`);
    // A replica that stays may sit on a node that is down for the moment; a new one must be able to start.
    if (!p.replicas.includes(id) && !acceptsReplicas(image, id)) return invalid(`node ${id} is ${node.decommission ?? node.state} and cannot take a replica`);
  }
  return undefined;
}

function cancel(topic: TopicImage, partition: number, p: PartitionImage, alive: Alive): Decision<AlterReassignmentReply> {
  const original = originalReplicas(p);
  const isr = p.isr.filter((id) => original.includes(id));
  let leader = p.leader;
  if (leader === NO_LEADER || !original.includes(leader)) leader = original.find((id) => isr.includes(id) && alive(id)) ?? NO_LEADER;
  assert(original.length > 0, `${topic.name}/${partition}: a reassignment keeps its original replicas`);
  if (leader === NO_LEADER || isr.length === 0) {
    return { records: [], reply: { code: 'REASSIGNMENT_IN_PROGRESS', message: `no original replica of ${topic.name}/${partition} is in sync to lead; retry later` } };
  }
  assert(isr.includes(leader), `${topic.name}/${partition}: a cancel's leader is in sync`);
  return { records: [record(topic, partition, p, { replicas: original, isr, leader, adding: [], removing: [] })], reply: { code: 'OK' } };
}

/** AlterPartitionReassignments for one partition: start a move, or cancel one (`replicas: null`). */
export function decideAlterReassignment(image: MetadataImage, command: AlterReassignment, alive: Alive): Decision<AlterReassignmentReply> {
  const topic = image.topics[command.topic];
  const p = topic?.partitions[command.partition];
  if (topic === undefined || p === undefined) {
    return { records: [], reply: { code: 'UNKNOWN_TOPIC_OR_PARTITION', message: `no partition ${command.topic}/${command.partition}` } };
  }
  if (command.replicas === null) {
    if (!reassigning(p)) return { records: [], reply: { code: 'NO_REASSIGNMENT_IN_PROGRESS', message: `${command.topic}/${command.partition} is not being reassigned` } };
    return cancel(topic, command.partition, p, alive);
  }
  const bad = checkTarget(image, p, command.replicas);
  if (bad !== undefined) return { records: [], reply: bad };
  if (reassigning(p)) {
    const same = targetReplicas(p).join(',') === command.replicas.join(',');
    return same ? { records: [], reply: { code: 'OK' } }
      : { records: [], reply: { code: 'REASSIGNMENT_IN_PROGRESS', message: `${command.topic}/${command.partition} is moving to ${targetReplicas(p).join(',')}; cancel it first` } };
  }
  if (command.replicas.join(',') === p.replicas.join(',')) return { records: [], reply: { code: 'OK' } };
  const started = startReassignment(topic, command.partition, p, [...command.replicas]);
  // The target leads the union, so targetReplicas reads back what was asked; the leader stays until the move completes.
  assert(started.replicas.slice(0, command.replicas.length).join(',') === command.replicas.join(','), 'the target leads the replica list');
  assert(started.leader === p.leader && started.leaderEpoch === p.leaderEpoch, 'starting a move keeps the leader');
  return { records: [started], reply: { code: 'OK' } };
}

/**
 * The record finishing a reassignment, or undefined while a target replica is still out of the ISR
 * or no target replica can lead. `dropEarly` is the planted bug that skips the wait.
 */
export function completeReassignment(topic: TopicImage, partition: number, p: PartitionImage, alive: Alive, dropEarly = false): PartitionChange | undefined {
  if (!reassigning(p)) return undefined;
  const target = targetReplicas(p);
  if (!dropEarly && !target.every((id) => p.isr.includes(id))) return undefined;
  // The planted bug takes the targets as in sync, so an empty new replica may lead.
  const isr = dropEarly ? [...target] : p.isr.filter((id) => target.includes(id));
  let leader = p.leader;
  if (leader === NO_LEADER || !target.includes(leader)) leader = dropEarly ? target[0] as number : target.find((id) => isr.includes(id) && alive(id)) ?? NO_LEADER;
  if (leader === NO_LEADER) return undefined;
  assert(isr.every((id) => target.includes(id)), `${topic.name}/${partition}: a leaver stays in the ISR`);
  assert(isr.includes(leader), `${topic.name}/${partition}: the leader after a move is in sync`);
  return record(topic, partition, p, { replicas: target, isr, leader, adding: [], removing: [] });
}

/** Every in-progress reassignment that can finish now, one record each. */
export function decideReassignmentProgress(image: MetadataImage, alive: Alive, dropEarly = false): PartitionChange[] {
  const out: PartitionChange[] = [];
  for (const topic of sortedTopics(image)) {
    topic.partitions.forEach((p, partition) => {
      const done = completeReassignment(topic, partition, p, alive, dropEarly);
      if (done !== undefined) out.push(done);
    });
  }
  assert(out.every((r) => r.addingReplicas === undefined && r.removingReplicas === undefined), 'a completed move leaves nothing adding or removing');
  assert(out.every((r) => r.isr.length > 0 && r.isr.includes(r.leader)), 'a completed move has a leader in sync');
  return out;
}

/** ListPartitionReassignments: the partitions being moved (of `topics`, or all). */
export function listReassignments(image: MetadataImage, topics?: string[]): ReassignmentView[] {
  const out: ReassignmentView[] = [];
  for (const topic of sortedTopics(image)) {
    if (topics !== undefined && !topics.includes(topic.name)) continue;
    topic.partitions.forEach((p, partition) => {
      if (!reassigning(p)) return;
      out.push({ topic: topic.name, partition, replicas: [...p.replicas], addingReplicas: [...p.addingReplicas ?? []],
        removingReplicas: [...p.removingReplicas ?? []], isr: [...p.isr], leader: p.leader });
    });
  }
  assert(out.every((v) => [...v.addingReplicas, ...v.removingReplicas].every((id) => v.replicas.includes(id))), 'adding and removing replicas are listed replicas');
  assert(out.every((v) => v.addingReplicas.every((id) => !v.removingReplicas.includes(id))), 'no replica is both adding and removing');
  return out;
}

export function reassignmentCount(image: MetadataImage): number {
  let n = 0;
  for (const topic of Object.values(image.topics)) for (const p of topic.partitions) if (reassigning(p)) n++;
  return n;
}
