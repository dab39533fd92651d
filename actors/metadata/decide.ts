/**
 * Decide (STYLE.md section 2, after KRaft's `ControllerResult`): every controller command is
 * `decide*(image, command, env) → { records, reply }`. Decisions read the image and never mutate it;
 * the controller appends the records, replays them into its working image and replies once they
 * commit. Topic and node decisions live in decide-topics.ts and decide-nodes.ts; this file holds
 * the shared types, AlterPartition and producer-id allocation.
 */
import { assert } from '../assert.js';
import type { ErrorReply } from '../errors.js';
import { getNode, getTopicById, type MetadataImage, type PartitionImage, type TopicImage } from './image.js';
import { changed } from './decide-partitions.js';
import { checkNodeEpoch } from './decide-nodes.js';
import type { Decision } from './decision.js';

export * from './decide-nodes.js';
export * from './decide-topics.js';
export { decideFenceNode as decideSessionExpiry } from './decide-nodes.js';

export type { Decision, DecideEnv } from './decision.js';

export interface AlterPartition { topicId: string; partition: number; leaderId: number; leaderEpoch: number; partitionEpoch: number; isr: number[] }
export type AlterPartitionReply = { code: 'OK'; partition: PartitionImage } | ErrorReply;

export interface ResignLeadership { topicId: string; partition: number; leaderId: number; leaderEpoch: number }

export interface AllocateProducerIds { nodeId: number; nodeEpoch: number }
export type InitProducerIdReply = { code: 'OK'; producerId: number; producerEpoch: number } | ErrorReply;
export type AllocateProducerIdsReply = { code: 'OK'; firstProducerId: number; count: number } | ErrorReply;

/** Kafka hands out producer ids in blocks of 1000. */
export const PRODUCER_ID_BLOCK = 1000;

function checkProposedIsr(current: PartitionImage, command: AlterPartition): ErrorReply | undefined {
  const isr = command.isr;
  if (new Set(isr).size !== isr.length) return { code: 'INVALID_REQUEST', message: 'the ISR repeats a node' };
  if (!isr.includes(command.leaderId)) return { code: 'INVALID_REQUEST', message: 'the ISR must contain the leader' };
  if (!isr.every((id) => current.replicas.includes(id))) return { code: 'INVALID_REQUEST', message: 'the ISR must be a subset of the replicas' };
  return undefined;
}

/**
 * Only unfenced nodes may join an ISR. A proposal that also names a fenced joiner keeps its other
 * changes: refusing it whole would keep an eligible follower out until the fenced one catches up,
 * which under a run of faults can leave the ISR at the leader alone for seconds.
 */
function eligibleIsr(image: MetadataImage, current: PartitionImage, isr: readonly number[]): number[] {
  return isr.filter((id) => current.isr.includes(id) || getNode(image, id)?.state === 'unfenced');
}

/** The partition a leader's request names, if it exists and the request's leader and leader epoch are current. */
function ledBy(image: MetadataImage, command: ResignLeadership): { topic: TopicImage; current: PartitionImage } | ErrorReply {
  const topic = getTopicById(image, command.topicId);
  const current = topic?.partitions[command.partition];
  if (topic === undefined || current === undefined) return { code: 'UNKNOWN_TOPIC_OR_PARTITION', message: `no partition ${command.topicId}/${command.partition}` };
  if (command.leaderId !== current.leader || command.leaderEpoch !== current.leaderEpoch) {
    return { code: 'FENCED_LEADER_EPOCH', leaderId: current.leader, leaderEpoch: current.leaderEpoch,
      message: `leader ${command.leaderId} epoch ${command.leaderEpoch} is not the current leader ${current.leader} epoch ${current.leaderEpoch}` };
  }
  assert(current.leader >= 0 && current.isr.includes(current.leader), 'a led partition has its leader in its ISR');
  assert(current.leaderEpoch === command.leaderEpoch, 'the request is from the current leadership');
  return { topic, current };
}

/** AlterPartition (KIP-497): an ISR change proposed by the partition leader. */
export function decideAlterPartition(image: MetadataImage, command: AlterPartition): Decision<AlterPartitionReply> {
  const led = ledBy(image, command);
  if ('code' in led) return { records: [], reply: led };
  const { topic, current } = led;
  if (command.partitionEpoch !== current.partitionEpoch) {
    return { records: [], reply: { code: 'INVALID_UPDATE_VERSION', leaderEpoch: current.leaderEpoch,
      message: `partition epoch ${command.partitionEpoch} is not the current ${current.partitionEpoch}` } };
  }
  const bad = checkProposedIsr(current, command);
  if (bad !== undefined) return { records: [], reply: bad };
  const proposed = eligibleIsr(image, current, command.isr);
  const same = proposed.length === current.isr.length && proposed.every((id) => current.isr.includes(id));
  if (same) return { records: [], reply: { code: 'OK', partition: structuredClone(current) } };
  const record = changed(topic, command.partition, current, proposed, current.leader);
  // An ISR change keeps the leader and its epoch; only the partition epoch moves on.
  assert(record.leaderEpoch === current.leaderEpoch && record.partitionEpoch === current.partitionEpoch + 1, 'an ISR change keeps the leader epoch');
  assert(proposed.every((id) => current.replicas.includes(id)), 'the ISR holds replicas only');
  const { replicas, isr, leader, leaderEpoch, partitionEpoch } = record;
  return { records: [record], reply: { code: 'OK', partition: { replicas: [...replicas], isr: [...isr], leader, leaderEpoch, partitionEpoch } } };
}

/**
 * A partition leader that lost batches its followers may hold (a failed write on its disk) gives
 * up its leader epoch (actors/partition/roles.ts abandonEpoch). The next live ISR member in
 * replica order leads; when there is none, the same leader leads again in a new epoch, where the
 * divergence check (KIP-279) makes followers drop what it lost. Either way the ISR stays: every
 * member, the resigning leader included, holds the committed log.
 */
export function decideResignLeadership(image: MetadataImage, command: ResignLeadership, alive: (nodeId: number) => boolean): Decision<AlterPartitionReply> {
  const led = ledBy(image, command);
  if ('code' in led) return { records: [], reply: led };
  const { topic, current } = led;
  const successor = current.replicas.find((id) => id !== current.leader && current.isr.includes(id) && alive(id)) ?? current.leader;
  assert(current.isr.includes(successor), 'the successor holds the committed log');
  const record = { ...changed(topic, command.partition, current, [...current.isr], successor), leaderEpoch: current.leaderEpoch + 1 };
  assert(record.isr.includes(record.leader) && record.leaderEpoch > command.leaderEpoch, 'a resignation moves to a new epoch led from the ISR');
  const { replicas, isr, leader, leaderEpoch, partitionEpoch } = record;
  return { records: [record], reply: { code: 'OK', partition: { replicas: [...replicas], isr: [...isr], leader, leaderEpoch, partitionEpoch } } };
}

/**
 * InitProducerId for an idempotent client: one fresh producer id, epoch 0. The id is committed
 * (a one-id block owned by no node, nodeId -1) before the reply, so no two producers ever share it.
 */
/** A block of producer ids for the controller leader to hand out; the reply carries its first. */
export function decideInitProducerId(image: MetadataImage): Decision<InitProducerIdReply> {
  const producerId = image.nextProducerId;
  return { records: [{ type: 'producerIdsAllocated', nodeId: -1, firstProducerId: producerId, count: PRODUCER_ID_BLOCK }],
    reply: { code: 'OK', producerId, producerEpoch: 0 } };
}

export function decideAllocateProducerIds(image: MetadataImage, command: AllocateProducerIds): Decision<AllocateProducerIdsReply> {
  const refused = checkNodeEpoch(image, command.nodeId, command.nodeEpoch);
  if (refused !== undefined) return { records: [], reply: refused };
  const firstProducerId = image.nextProducerId;
  return { records: [{ type: 'producerIdsAllocated', nodeId: command.nodeId, firstProducerId, count: PRODUCER_ID_BLOCK }],
    reply: { code: 'OK', firstProducerId, count: PRODUCER_ID_BLOCK } };
}
