/** The `metadata` request every node answers on `meta` (and `node/<id>`), from its own image. */
import { balancePlan, sortedTopics, type MetadataImage } from '../../actors/metadata/image.js';
import { CLUSTER_CONFIG_DEFAULTS } from '../../actors/metadata/cluster-configs.js';

/** `minOffset`: answer from an image that has applied at least this metadata offset (0: any). */
export function parseMetadataRequest(body: unknown): { ok: true; topics: string[] | undefined; minOffset: number } | { ok: false; message: string } {
  if (body === undefined || body === null) return { ok: true, topics: undefined, minOffset: 0 };
  if (typeof body !== 'object' || Array.isArray(body)) return { ok: false, message: 'metadata body must be a map' };
  const minOffset = (body as Record<string, unknown>)['minOffset'] ?? 0;
  if (typeof minOffset !== 'number' || !Number.isSafeInteger(minOffset) || minOffset < 0) return { ok: false, message: 'metadata.minOffset must be an offset' };
  const topics = (body as Record<string, unknown>)['topics'];
  if (topics === undefined) return { ok: true, topics: undefined, minOffset };
  if (!Array.isArray(topics) || topics.length > 10_000 || !topics.every((t) => typeof t === 'string' && t.length <= 255)) {
    return { ok: false, message: 'metadata.topics must be a list of topic names' };
  }
  return { ok: true, topics: topics as string[], minOffset };
}

export function metadataReply(image: MetadataImage, cluster: string, controllerId: number, controllerTerm: number, topics: string[] | undefined) {
  const wanted = topics === undefined ? undefined : new Set(topics);
  return {
    code: 'OK',
    clusterId: cluster,
    controllerId,
    controllerTerm,
    metadataOffset: image.offset,
    /** A balance plan is running (the controller moves replicas until nothing is left to move). */
    balancing: balancePlan(image).balancing,
    /** Every cluster setting with its value (defaults included). */
    clusterConfigs: { ...CLUSTER_CONFIG_DEFAULTS, ...image.clusterConfigs },
    nodes: Object.values(image.nodes).sort((a, b) => a.nodeId - b.nodeId)
      .map((n) => ({ nodeId: n.nodeId, state: n.state, nodeEpoch: n.nodeEpoch, ...(n.rack !== undefined ? { rack: n.rack } : {}),
        ...(n.decommission !== undefined ? { decommission: n.decommission } : {}) })),
    // A topic whose creation is only part way applied (its partitions' records not yet here: a node
    // catching up a few records per heartbeat reply) is left out, as if unknown: a client would
    // take it for a topic without partitions and fail its sends, where an unknown one is waited for.
    topics: sortedTopics(image).filter((t) => (wanted === undefined || wanted.has(t.name)) && t.partitions.length > 0).map((t) => ({
      name: t.name, topicId: t.topicId, configs: t.configs,
      partitions: t.partitions.map((p, partition) => ({ partition, leader: p.leader, leaderEpoch: p.leaderEpoch, partitionEpoch: p.partitionEpoch, replicas: p.replicas, isr: p.isr,
        ...(p.addingReplicas !== undefined ? { addingReplicas: p.addingReplicas, removingReplicas: p.removingReplicas ?? [] } : {}) })),
    })),
  };
}
