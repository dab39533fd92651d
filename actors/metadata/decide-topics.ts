/**
 * Topic decisions (KRaft's ReplicationControlManager / ConfigurationControlManager, simplified):
 * create, delete, add partitions, alter configs. Pure: the image is read, never changed.
 */
import { assert } from '../assert.js';
import type { ErrorReply } from '../errors.js';
import { placeableNodeIds, type MetadataImage, type TopicImage } from './image.js';
import { placeReplicas } from './placement.js';
import type { MetadataRecord, TopicConfigs } from './records.js';
import {
  checkConfigNames, checkConfigs, checkPartitionCount, checkReplicationFactor, checkTopicName, defaultConfigs, effectiveConfigs, isInternalTopic,
  PARTITIONS_MAX,
} from './topic-rules.js';
import type { Decision } from './decision.js';

export interface CreateTopic { name: string; partitions: number; replicationFactor: number; configs: TopicConfigs; internal?: boolean; topicId: string }
export type CreateTopicReply = { code: 'OK'; topicId: string } | ErrorReply;
export interface DeleteTopic { name: string }
export interface CreatePartitions { name: string; totalCount: number }
export interface AlterConfigs { name: string; configs: TopicConfigs }
export type TopicReply = { code: 'OK' } | ErrorReply;

const refuse = <R>(reply: ErrorReply): Decision<R | ErrorReply> => ({ records: [], reply });

function unknownTopic(name: string): ErrorReply {
  return { code: 'UNKNOWN_TOPIC_OR_PARTITION', message: `topic '${name}' does not exist` };
}

function partitionRecords(topicId: string, first: number, placements: number[][]): MetadataRecord[] {
  return placements.map((replicas, i) => {
    assert(replicas.length > 0, 'placement gives every partition replicas');
    return { type: 'partitionAdded', topicId, partition: first + i, replicas, isr: [...replicas], leader: replicas[0] as number,
      leaderEpoch: 0, partitionEpoch: 0 };
  });
}

/** Topic ids are 32 lowercase hex characters (128 bits). */
export function isTopicId(value: string): boolean { return /^[0-9a-f]{32}$/.test(value); }

export function decideCreateTopic(image: MetadataImage, command: CreateTopic): Decision<CreateTopicReply> {
  assert(isTopicId(command.topicId), 'topic ids are 32 hex characters');
  // A retry of a create that took effect (its reply was lost or late) finds the topic it made: same answer again.
  if (image.topics[command.name]?.topicId === command.topicId) return { records: [], reply: { code: 'OK', topicId: command.topicId } };
  const bad = checkTopicName(command.name, command.internal === true)
    ?? (image.topics[command.name] !== undefined ? { code: 'TOPIC_ALREADY_EXISTS', message: `topic '${command.name}' exists` } : undefined)
    ?? checkPartitionCount(command.partitions)
    ?? checkReplicationFactor(command.replicationFactor, placeableNodeIds(image).length)
    ?? checkConfigs(command.configs, command.replicationFactor);
  if (bad !== undefined) return refuse(bad as ErrorReply);
  if (image.topicNames[command.topicId] !== undefined) return refuse({ code: 'INVALID_REQUEST', message: 'topic id collision; retry' });
  const configs = effectiveConfigs(command.configs, command.replicationFactor);
  const placements = placeReplicas(image, command.partitions, command.replicationFactor);
  assert(placements.length === command.partitions, 'placement places every partition');
  assert(placements.every((r) => r.length === command.replicationFactor && new Set(r).size === r.length), 'a partition gets as many replicas as asked, each on its own node');
  return {
    records: [{ type: 'topicCreated', name: command.name, topicId: command.topicId, configs }, ...partitionRecords(command.topicId, 0, placements)],
    reply: { code: 'OK', topicId: command.topicId },
  };
}

export function decideDeleteTopic(image: MetadataImage, command: DeleteTopic): Decision<TopicReply> {
  const topic = image.topics[command.name];
  if (topic === undefined) return refuse(unknownTopic(command.name));
  if (isInternalTopic(command.name)) return refuse({ code: 'POLICY_VIOLATION', message: `internal topic '${command.name}' cannot be deleted` });
  return { records: [{ type: 'topicDeleted', name: topic.name, topicId: topic.topicId }], reply: { code: 'OK' } };
}

function replicationFactorOf(topic: TopicImage): number {
  const first = topic.partitions[0];
  assert(first !== undefined, 'a topic has at least one partition');
  return first.replicas.length;
}

export function decideCreatePartitions(image: MetadataImage, command: CreatePartitions): Decision<TopicReply> {
  const topic = image.topics[command.name];
  if (topic === undefined) return refuse(unknownTopic(command.name));
  const current = topic.partitions.length;
  if (!Number.isSafeInteger(command.totalCount) || command.totalCount <= current || command.totalCount > PARTITIONS_MAX) {
    return refuse({ code: 'INVALID_PARTITIONS', message: `total count ${command.totalCount} must be in [${current + 1}, ${PARTITIONS_MAX}]` });
  }
  const replicationFactor = replicationFactorOf(topic);
  const bad = checkReplicationFactor(replicationFactor, placeableNodeIds(image).length);
  if (bad !== undefined) return refuse(bad);
  const placements = placeReplicas(image, command.totalCount - current, replicationFactor);
  assert(placements.length === command.totalCount - current, 'placement places every new partition');
  assert(placements.every((r) => r.length === replicationFactor && new Set(r).size === r.length), 'a new partition gets the topic\'s replication factor, each replica on its own node');
  return { records: partitionRecords(topic.topicId, current, placements), reply: { code: 'OK' } };
}

export function decideAlterConfigs(image: MetadataImage, command: AlterConfigs): Decision<TopicReply> {
  const topic = image.topics[command.name];
  if (topic === undefined) return refuse(unknownTopic(command.name));
  const replicationFactor = replicationFactorOf(topic);
  const sets: TopicConfigs = {};
  const deletes: string[] = [];
  for (const [name, value] of Object.entries(command.configs)) if (value === '') deletes.push(name); else sets[name] = value;
  const bad = checkConfigs(sets, replicationFactor) ?? checkConfigNames(deletes);
  if (bad !== undefined) return refuse(bad);
  const configs = { ...topic.configs, ...sets };
  const defaults = defaultConfigs(replicationFactor);
  for (const name of deletes) {
    const value = defaults[name];
    if (value === undefined) delete configs[name]; else configs[name] = value;
  }
  assert(deletes.every((name) => configs[name] === defaults[name]), 'a deleted config is back to its default');
  assert(Object.entries(sets).every(([name, value]) => configs[name] === value), 'a set config holds its new value');
  const merged = checkConfigs(configs, replicationFactor);
  if (merged !== undefined) return refuse(merged);
  return { records: [{ type: 'configChanged', topicId: topic.topicId, configs }], reply: { code: 'OK' } };
}
