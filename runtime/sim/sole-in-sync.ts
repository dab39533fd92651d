/**
 * The durability contract's documented hole (README "Known limits"): the only in-sync replica of a
 * partition losing power may come back with a shorter log and be elected again, taking offsets
 * below the exposed HW with it (Kafka before KIP-966; `flush.messages=1` closes it). With
 * min.insync.replicas ≥ 2 a single fault never leaves one replica in sync, but faults that overlap
 * (a role fault while a random-node fault is active) or a replica that has not rejoined the ISR
 * since its last fault can. The stream simulation keeps its power losses inside the contract with
 * `PowerOutages`.
 */
import type { MetadataImage } from '../../actors/metadata/image.js';
import type { RaftLog } from '../../actors/controller/types.js';
import { recordsOf } from '../../actors/metadata/records.js';

/** The partitions ("topic/partition") whose committed ISR holds `nodeId`. */
export function inSyncPartitions(image: MetadataImage, nodeId: number): string[] {
  const out: string[] = [];
  for (const name of Object.keys(image.topics).sort()) {
    image.topics[name]?.partitions.forEach((p, index) => { if (p.isr.includes(nodeId)) out.push(`${name}/${index}`); });
  }
  return out;
}

/**
 * The partitions whose ISR would hold `nodeId` once the entries of some controller log past the
 * judged image commit: a record can be committed after the node restarted (seed 798169: node 1 was
 * added to an ISR just before its power went, the controller leader crashed before committing it,
 * and the next leader committed it after node 1 restarted, with its page cache judged lost on an
 * image that did not have it yet). `logs`: the Raft log of each controller replica at hand.
 */
export function pendingInSync(image: MetadataImage | undefined, logs: readonly RaftLog[], nodeId: number): string[] {
  const names = new Map(Object.values(image?.topics ?? {}).map((t) => [t.topicId, t.name]));
  const out = new Set<string>();
  for (const log of logs) {
    const latest = new Map<string, number[]>();
    // Entry i of the log is at index snapshotIndex + 1 + i; the image has applied up to its offset.
    const judgedUpTo = Math.max(0, (image?.offset ?? 0) - log.snapshotIndex);
    for (const entry of log.entries.slice(judgedUpTo)) {
      for (const record of recordsOf(entry.record)) {
        if (record.type === 'partitionAdded' || record.type === 'partitionChanged') latest.set(`${names.get(record.topicId) ?? record.topicId}/${record.partition}`, record.isr);
      }
    }
    for (const [key, isr] of latest) if (isr.includes(nodeId)) out.add(key);
  }
  return [...out].sort();
}

/**
 * Power losses judged when the node comes back, not when the power goes. The ISR can shrink to a
 * node after it lost power: its fellow member may leave a moment later (seed 200200: the leader
 * crashed 27 ms after its only follower lost power, the controller fenced both and kept the
 * powerless one as the last ISR member) or may already be leaving (seed 200121: a graceful
 * shutdown begun 3 ms before moved leadership to the follower that had just lost power). Either
 * way the node returns as the only in-sync replica with a shorter log: the same hole. The ISR can
 * also shrink to the node after it restarted: until its new incarnation registers, the controller
 * counts the ISR memberships of the old one, and fencing the other members leaves it the last
 * (seed 410148: node 3 came back beside a healthy node 4 while no controller led, could not
 * register for 2 s, node 4 crashed meanwhile, and node 3 was elected with 154 records fewer). So
 * the node goes down as if its process crashed (the page cache kept) and, on restart, loses that
 * cache only when it comes back in no ISR: registration then finds nothing of it to keep, and it
 * rejoins an ISR only by catching up.
 *
 * It is judged on the freshest image at hand: the one up nodes hold at the restart, or the one
 * kept from when the power went, whichever is newer. When every node was down for a moment, the
 * nodes up at the restart may not have heard from a controller yet and hold an empty image (seed
 * 28 of a sweep: the node that lost power was the only in-sync replica, and was judged on nothing).
 * And on what the controller logs of the up nodes hold past that image, which may commit later.
 */
export class PowerOutages {
  /** By node: the freshest image and the controller logs at hand when its power went (logs are never mutated). */
  private readonly out = new Map<number, { image: MetadataImage | undefined; logs: readonly RaftLog[] }>();

  /**
   * Power went out on `nodeId` (its process is already down, its page cache not yet judged);
   * `image`: the freshest then; `controllerLogs`: the controller replicas' logs then.
   */
  cut(nodeId: number, image: MetadataImage | undefined, controllerLogs: readonly RaftLog[] = []): void {
    this.out.set(nodeId, { image: image === undefined ? undefined : structuredClone(image), logs: controllerLogs });
  }

  /**
   * `nodeId` is about to restart: undefined when its last fault was no power loss; else the
   * partitions whose ISR still holds it, any of which it could be left to lead alone with a
   * shorter log, now or once what `controllerLogs` hold past the image commits (empty: the power
   * loss takes its page cache).
   */
  restore(nodeId: number, image: MetadataImage | undefined, controllerLogs: readonly RaftLog[] = []): string[] | undefined {
    if (!this.out.has(nodeId)) return undefined;
    const { image: atCut, logs: logsAtCut } = this.out.get(nodeId) ?? { image: undefined, logs: [] };
    this.out.delete(nodeId);
    const judged = atCut !== undefined && (image === undefined || atCut.offset > image.offset) ? atCut : image;
    const committed = judged === undefined ? [] : inSyncPartitions(judged, nodeId);
    const pending = pendingInSync(judged, [...logsAtCut, ...controllerLogs], nodeId);
    return [...new Set([...committed, ...pending])].sort();
  }
}
