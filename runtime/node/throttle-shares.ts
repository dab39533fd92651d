/**
 * How a node shares out the reassignment throttle (`replica.move.throttle.bytes.per.sec`, bytes per
 * second per node). Kafka keeps one quota per broker that every throttled partition draws from;
 * here each replica actor keeps its own bucket (actors/partition/throttle.ts), so the node splits
 * the rate evenly, decided from the metadata image alone:
 * - as a leader: among the partitions it leads that have an adding replica outside the ISR;
 * - as a follower: among its own adding replicas outside the ISR.
 * The shares of one side add up to the rate, so the node neither sends nor receives more than the
 * rate for moves. A share is recomputed whenever a move starts, catches up or ends. (A static split
 * leaves a share unused while its partition waits on a slow disk; the simplicity is worth it.)
 */
import type { ReplicaThrottle } from '../../actors/partition.js';
import type { TopicView } from './image-view.js';

type PartitionView = TopicView['partitions'][number];

/** The adding replicas a partition's moves still throttle (those not in the ISR yet). */
function throttled(p: PartitionView): number[] { return p.addingReplicas.filter((id) => !p.isr.includes(id)); }

/** Each moving partition's share on `nodeId`, keyed `topic/partition`; none when `bytesPerSec` is 0. */
export function throttleShares(topics: readonly TopicView[], nodeId: number, bytesPerSec: number): Map<string, ReplicaThrottle> {
  const out = new Map<string, ReplicaThrottle>();
  if (bytesPerSec <= 0) return out;
  const leading: string[] = [];
  const adding: string[] = [];
  const replicas = new Map<string, number[]>();
  for (const topic of topics) {
    for (const p of topic.partitions) {
      const moving = throttled(p);
      if (moving.length === 0) continue;
      const key = `${topic.name}/${p.partition}`;
      replicas.set(key, moving);
      if (p.leader === nodeId) leading.push(key);
      else if (moving.includes(nodeId)) adding.push(key);
    }
  }
  for (const key of leading) out.set(key, { bytesPerSec: bytesPerSec / leading.length, replicas: replicas.get(key) as number[] });
  for (const key of adding) out.set(key, { bytesPerSec: bytesPerSec / adding.length, replicas: replicas.get(key) as number[] });
  return out;
}
