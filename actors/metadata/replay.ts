/**
 * Replay: the only code that makes a new metadata image from an old one (STYLE.md section 2, after
 * KRaft's `QuorumController.replay`); images are values, never changed in place. The controller
 * leader replays into its working image before it replicates, every controller replays committed
 * records into its committed image, and nodes replay the records their heartbeats bring. A record that cannot follow from the image (duplicate topic,
 * leader outside the ISR, an epoch going back) is a bug upstream: replay asserts and the actor dies.
 */
import { assert, unreachable } from '../assert.js';
import { NO_LEADER, type MetadataRecord } from './records.js';
import { getNode, getTopicById, type MetadataImage, type NodeImage, type PartitionImage, type TopicImage } from './image.js';

/**
 * The image after `record`: a new image sharing every part the record did not touch with the one
 * it was given, which stays unchanged (snapshots, the controller's previous context).
 */
export function replay(image: MetadataImage, record: MetadataRecord, offset: number): MetadataImage {
  assert(Number.isSafeInteger(offset) && offset > image.offset, `replay offset ${offset} after ${image.offset}`);
  const next = applyRecord(image, record, offset);
  assert(next !== image, 'replay returns a new image');
  return { ...next, offset };
}

function applyRecord(image: MetadataImage, record: MetadataRecord, offset: number): MetadataImage {
  switch (record.type) {
    case 'nodeRegistered': return registerNode(image, record, offset);
    case 'nodeFenced': return setNodeState(image, record.nodeId, record.nodeEpoch, 'fenced', offset);
    case 'nodeUnfenced': return setNodeState(image, record.nodeId, record.nodeEpoch, 'unfenced', offset);
    case 'nodeShuttingDown': return setNodeState(image, record.nodeId, record.nodeEpoch, 'shuttingDown', offset);
    case 'topicCreated': {
      assert(image.topics[record.name] === undefined, `duplicate topicCreated ${record.name} at ${offset}`);
      assert(image.topicNames[record.topicId] === undefined, `duplicate topic id ${record.topicId} at ${offset}`);
      const topic: TopicImage = { name: record.name, topicId: record.topicId, configs: { ...record.configs }, partitions: [] };
      return { ...image, topics: { ...image.topics, [record.name]: topic }, topicNames: { ...image.topicNames, [record.topicId]: record.name } };
    }
    case 'topicDeleted': {
      const topic = image.topics[record.name];
      assert(topic !== undefined && topic.topicId === record.topicId, `topicDeleted of unknown ${record.name} at ${offset}`);
      const topics = { ...image.topics };
      const topicNames = { ...image.topicNames };
      delete topics[record.name];
      delete topicNames[record.topicId];
      return { ...image, topics, topicNames };
    }
    case 'partitionAdded': {
      const topic = getTopicById(image, record.topicId);
      assert(topic !== undefined, `partitionAdded to unknown topic ${record.topicId} at ${offset}`);
      assert(record.partition === topic.partitions.length, `partitionAdded out of order at ${offset}`);
      return withTopic(image, { ...topic, partitions: [...topic.partitions, checkedPartition(record, offset)] });
    }
    case 'partitionChanged': return changePartition(image, record, offset);
    case 'configChanged': {
      const topic = getTopicById(image, record.topicId);
      assert(topic !== undefined, `configChanged of unknown topic ${record.topicId} at ${offset}`);
      return withTopic(image, { ...topic, configs: { ...record.configs } });
    }
    case 'producerIdsAllocated':
      assert(record.firstProducerId === image.nextProducerId, `producer ids must be handed out in order at ${offset}`);
      assert(record.count > 0, `empty producer id block at ${offset}`);
      return { ...image, nextProducerId: record.firstProducerId + record.count };
    case 'nodeDecommissioning': case 'nodeDecommissioned': {
      const node = getNode(image, record.nodeId);
      assert(node !== undefined, `${record.type} of unregistered node ${record.nodeId} at ${offset}`);
      return withNode(image, { ...node, decommission: record.type === 'nodeDecommissioning' ? 'draining' : 'decommissioned' });
    }
    case 'clusterConfigChanged':
      return { ...image, clusterConfigs: { ...record.configs } };
    case 'balancePlanChanged':
      return { ...image, balance: { balancing: record.balancing, awaiting: [...record.awaiting] } };
    case 'leaderChanged': return { ...image };
    case 'batch': {
      assert(record.records.length > 0 && record.records.every((r) => r.type !== 'batch'), `a batch of plain records at ${offset}`);
      let next = image;
      for (const r of record.records) next = applyRecord(next, r, offset);
      return next === image ? { ...image } : next;
    }
    default: return unreachable(record);
  }
}

function withTopic(image: MetadataImage, topic: TopicImage): MetadataImage {
  assert(image.topicNames[topic.topicId] === topic.name, 'a changed topic keeps its name and id');
  return { ...image, topics: { ...image.topics, [topic.name]: topic } };
}

function withNode(image: MetadataImage, node: NodeImage): MetadataImage {
  return { ...image, nodes: { ...image.nodes, [String(node.nodeId)]: node } };
}

function registerNode(image: MetadataImage, record: MetadataRecord & { type: 'nodeRegistered' }, offset: number): MetadataImage {
  const before = getNode(image, record.nodeId);
  assert(record.nodeEpoch === offset, `nodeEpoch ${record.nodeEpoch} is the record offset ${offset}`);
  if (before !== undefined) assert(record.nodeEpoch > before.nodeEpoch, `node epoch went back at ${offset}`);
  // A new incarnation of a drained node stays drained: decommissioning outlives restarts.
  return withNode(image, { nodeId: record.nodeId, nodeEpoch: record.nodeEpoch, incarnationId: record.incarnationId,
    address: record.address, state: 'fenced', ...(record.rack !== undefined ? { rack: record.rack } : {}),
    ...(record.kafkaListener !== undefined ? { kafkaListener: record.kafkaListener } : {}),
    ...(before?.decommission !== undefined ? { decommission: before.decommission } : {}) });
}

function setNodeState(image: MetadataImage, nodeId: number, nodeEpoch: number, state: 'fenced' | 'unfenced' | 'shuttingDown', offset: number): MetadataImage {
  const node = getNode(image, nodeId);
  assert(node !== undefined, `state change of unregistered node ${nodeId} at ${offset}`);
  assert(node.nodeEpoch === nodeEpoch, `state change for node epoch ${nodeEpoch} but ${node.nodeEpoch} is registered, at ${offset}`);
  return withNode(image, { ...node, state });
}

function checkedPartition(p: PartitionImage, offset: number): PartitionImage {
  assert(p.replicas.length > 0, `partition without replicas at ${offset}`);
  assert(new Set(p.replicas).size === p.replicas.length, `duplicate replicas at ${offset}`);
  assert(p.isr.every((n) => p.replicas.includes(n)), `ISR outside the replicas at ${offset}`);
  assert(new Set(p.isr).size === p.isr.length, `duplicate ISR members at ${offset}`);
  if (p.leader !== NO_LEADER) assert(p.isr.includes(p.leader), `leader ${p.leader} outside ISR at ${offset}`);
  const adding = p.addingReplicas ?? [];
  const removing = p.removingReplicas ?? [];
  assert(adding.every((n) => p.replicas.includes(n)) && removing.every((n) => p.replicas.includes(n)), `moving replicas outside the replicas at ${offset}`);
  assert(!adding.some((n) => removing.includes(n)), `a replica both added and removed at ${offset}`);
  assert(removing.length < p.replicas.length, `a reassignment keeps a target replica at ${offset}`);
  const out: PartitionImage = { replicas: [...p.replicas], isr: [...p.isr], leader: p.leader, leaderEpoch: p.leaderEpoch, partitionEpoch: p.partitionEpoch };
  if (adding.length > 0 || removing.length > 0) { out.addingReplicas = [...adding]; out.removingReplicas = [...removing]; }
  return out;
}

function changePartition(image: MetadataImage, record: MetadataRecord & { type: 'partitionChanged' }, offset: number): MetadataImage {
  const topic = getTopicById(image, record.topicId);
  assert(topic !== undefined, `partitionChanged of unknown topic ${record.topicId} at ${offset}`);
  const before = topic.partitions[record.partition];
  assert(before !== undefined, `partitionChanged of unknown partition ${record.partition} at ${offset}`);
  const after = checkedPartition(record, offset);
  assert(after.partitionEpoch > before.partitionEpoch, `partition epoch went back at ${offset}`);
  assert(after.leaderEpoch >= before.leaderEpoch, `leader epoch went back at ${offset}`);
  if (after.leader !== before.leader) assert(after.leaderEpoch > before.leaderEpoch, `leader change without a new leader epoch at ${offset}`);
  const partitions = topic.partitions.slice();
  partitions[record.partition] = after;
  return withTopic(image, { ...topic, partitions });
}
