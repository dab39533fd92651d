/**
 * Hosting group coordinators: after each metadata change, the node runs one coordinator for each
 * `__consumer_offsets` partition it leads, in that partition's current leader epoch. Leadership
 * moved away: the coordinator is told (`leadershipLost`, so it refuses with NOT_COORDINATOR) and
 * stopped. A new leader epoch here: the old one is stopped and a new one spawned, which reloads
 * from the log. Topic changes reach every coordinator as `topicsChanged` (regex subscriptions,
 * added partitions, deleted topics). Each spawn in one leader epoch is a new life of the coordinator
 * and is told which (its writes' producer epochs come from a range of its own; a restarted node
 * never leads a leader epoch it led before, so counting in memory is enough).
 */
import type { CoordinatorKnobs } from '../../actors/coordinator.js';
import { coordinatorAddress } from '../../actors/kit/addresses.js';
import { OFFSETS_TOPIC } from '../../actors/coordinator/protocol.js';
import type { ActorHost } from '../host.js';
import type { NodeConfig, NodeEnv } from './config.js';
import { coordinatorKind } from './kinds.js';
import { topicsOf } from './image-view.js';

interface Hosted { address: string; leaderEpoch: number }
interface Lives { leaderEpoch: number; spawned: number }

export class CoordinatorReconciler {
  private readonly hosted = new Map<number, Hosted>();
  /** Per partition: how many coordinators were spawned in its latest leader epoch led here. */
  private readonly lives = new Map<number, Lives>();
  private topicsKey = '';

  constructor(
    private readonly host: ActorHost,
    private readonly config: NodeConfig,
    private readonly env: NodeEnv,
    private readonly knobs: Partial<CoordinatorKnobs>,
  ) {}

  get count(): number { return this.hosted.size; }

  reconcile(image: unknown): void {
    const nodeId = this.config.nodeId;
    const views = topicsOf(image);
    const topics = Object.fromEntries(views.map((t) => [t.name, t.partitions.length]));
    const topicsKey = JSON.stringify(topics);
    const topicsChanged = topicsKey !== this.topicsKey;
    this.topicsKey = topicsKey;
    const wanted = new Map<number, number>();
    for (const p of views.find((t) => t.name === OFFSETS_TOPIC)?.partitions ?? []) if (p.leader === nodeId) wanted.set(p.partition, p.leaderEpoch);
    for (const [partition, hosted] of [...this.hosted]) {
      if (wanted.get(partition) === hosted.leaderEpoch && this.host.has(hosted.address)) continue;
      this.host.send(hosted.address, { type: 'leadershipLost' });
      this.host.stop(hosted.address);
      this.hosted.delete(partition);
    }
    for (const [partition, leaderEpoch] of wanted) {
      const current = this.hosted.get(partition);
      if (current !== undefined) {
        if (topicsChanged) this.host.send(current.address, { type: 'topicsChanged', topics });
        continue;
      }
      const address = coordinatorAddress(partition, nodeId);
      const before = this.lives.get(partition);
      const life = before?.leaderEpoch === leaderEpoch ? before.spawned : 0;
      this.lives.set(partition, { leaderEpoch, spawned: life + 1 });
      this.host.spawn(coordinatorKind(this.knobs), address, {
        partition, nodeId, leaderEpoch, life, seed: this.env.random.u32(), nowMs: this.env.clock.nowMs(), wallMs: this.env.clock.wallMs(),
        topics, knobs: this.knobs,
      });
      this.hosted.set(partition, { address, leaderEpoch });
    }
  }
}
