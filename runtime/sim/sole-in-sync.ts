/**
 * The durability contract's documented hole (README "Known limits"): the only in-sync replica of a
 * partition losing power may come back with a shorter log and be elected again, taking offsets
 * below the exposed HW with it (Kafka before KIP-966; `flush.messages=1` closes it). With
 * min.insync.replicas ≥ 2 a single fault never leaves one replica in sync, but faults that overlap
 * (a role fault while a random-node fault is active) or a replica that has not rejoined the ISR
 * since its last fault can. The stream simulation keeps its power losses inside the contract by
 * asking this before each one.
 */
import type { MetadataImage } from '../../actors/metadata/image.js';

/**
 * The partitions ("topic/partition") whose committed ISR holds `nodeId` and no other member that
 * `healthy` accepts: losing power on `nodeId` now could leave it the only electable replica.
 */
export function soleInSyncPartitions(image: MetadataImage, nodeId: number, healthy: (id: number) => boolean): string[] {
  const out: string[] = [];
  for (const name of Object.keys(image.topics).sort()) {
    const topic = image.topics[name];
    if (topic === undefined) continue;
    topic.partitions.forEach((p, index) => {
      if (p.isr.includes(nodeId) && !p.isr.some((id) => id !== nodeId && healthy(id))) out.push(`${name}/${index}`);
    });
  }
  return out;
}
