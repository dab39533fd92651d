/**
 * Kafka's auto.create.topics.enable: a Metadata request that allows it, or a Produce, naming a
 * topic that does not exist creates it (num.partitions partitions, replication factor min(3, live
 * nodes) — above Kafka's default of 1 because Brook's durability contract assumes replicas).
 * The client is told LEADER_NOT_AVAILABLE meanwhile and asks again, as with Kafka.
 */
import { CONTROLLER_FOR_ADMIN } from '../../../actors/kit/addresses.js';
import { unfencedNodeIds, type MetadataImage } from '../../../actors/metadata/image.js';
import { checkTopicName } from '../../../actors/metadata/topic-rules.js';
import type { KafkaBroker } from '../broker.js';

/** Topics being created by this node, with when the request went out (one request per second at most). */
const creating = new WeakMap<KafkaBroker, Map<string, number>>();

/** Starts creating `name`; returns the Brook code to answer with for it now. */
export function autoCreate(broker: KafkaBroker, image: MetadataImage, name: string): 'LEADER_NOT_AVAILABLE' | 'INVALID_TOPIC' {
  if (checkTopicName(name) !== undefined) return 'INVALID_TOPIC';
  let pending = creating.get(broker);
  if (pending === undefined) { pending = new Map(); creating.set(broker, pending); }
  const now = broker.clock.nowMs();
  if ((pending.get(name) ?? -Infinity) > now - 1000) return 'LEADER_NOT_AVAILABLE';
  pending.set(name, now);
  const replicationFactor = Math.max(1, Math.min(3, unfencedNodeIds(image).length));
  const body = { name, partitions: broker.autoCreatePartitions, replicationFactor, configs: {} };
  broker.logger.log('info', 'kafkaAutoCreateTopic', { topic: name, partitions: body.partitions, replicationFactor });
  void broker.request(CONTROLLER_FOR_ADMIN, 'createTopic', body).then(() => pending.delete(name));
  return 'LEADER_NOT_AVAILABLE';
}
