/**
 * Metadata: brokers are the live nodes with a Kafka listener; the controller is this node (every
 * node forwards admin requests to the controller leader, so the one the client already talks to is
 * always a live, reachable controller for it); partitions carry their real leader, so produce and
 * fetch go where the data is.
 */
import type { MetadataImage, TopicImage } from '../../../actors/metadata/image.js';
import { isInternalTopic } from '../../../actors/metadata/topic-rules.js';
import type { KafkaBroker } from '../broker.js';
import { kafkaError, KAFKA } from '../errors.js';
import type { Handler } from '../handler.js';
import type { Message } from '../protocol/codec.js';
import { autoCreate } from './auto-create.js';

function topicEntry(broker: KafkaBroker, image: MetadataImage, topic: TopicImage): Message {
  const live = new Set(broker.brokers(image).map((b) => b.nodeId));
  return {
    errorCode: 0, name: topic.name, topicId: topic.topicId.replace(/-/g, ''), isInternal: isInternalTopic(topic.name),
    partitions: topic.partitions.map((p, index) => ({
      errorCode: p.leader >= 0 && live.has(p.leader) ? 0 : KAFKA.LEADER_NOT_AVAILABLE,
      partitionIndex: index, leaderId: p.leader, leaderEpoch: p.leaderEpoch,
      replicaNodes: p.replicas, isrNodes: p.isr, offlineReplicas: p.replicas.filter((id) => !live.has(id)),
    })),
  };
}

export const handleMetadata: Handler = async (ctx, request) => {
  const { broker } = ctx;
  const image = broker.image();
  const wanted = request['topics'] as Array<{ name: string | null }> | null;
  if (image === undefined) {
    const code = KAFKA.LEADER_NOT_AVAILABLE;
    return { throttleTimeMs: 0, brokers: [], clusterId: broker.cluster, controllerId: -1,
      topics: (wanted ?? []).map((t) => ({ errorCode: code, name: t.name, partitions: [] })) };
  }
  const allowAutoCreate = request['allowAutoTopicCreation'] === true && broker.autoCreateTopics;
  let topics: Message[];
  if (wanted === null) {
    topics = Object.keys(image.topics).sort().map((name) => topicEntry(broker, image, image.topics[name] as TopicImage));
  } else {
    topics = wanted.map(({ name }) => {
      const topic = name === null ? undefined : image.topics[name];
      if (topic !== undefined) return topicEntry(broker, image, topic);
      const code = name !== null && allowAutoCreate ? autoCreate(broker, image, name) : 'UNKNOWN_TOPIC_OR_PARTITION';
      return { errorCode: kafkaError(code), name, isInternal: false, partitions: [] };
    });
  }
  const brokers = broker.brokers(image).map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack }));
  return { throttleTimeMs: 0, brokers, clusterId: broker.cluster, controllerId: broker.nodeId, topics, clusterAuthorizedOperations: -2147483648 };
};
