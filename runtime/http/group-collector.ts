/**
 * Consumer-group gauges on the node that coordinates the groups: members, state and epoch from
 * its coordinators' snapshots, committed offsets from the same snapshots, and lag = high
 * watermark − committed offset (what Kafka's lag exporters report). The high watermark comes
 * from this node's own replica of the partition when it hosts one; otherwise from a
 * `listOffsets latest` to the partition's leader (the request `brook groups describe` makes),
 * remembered for a few seconds and refreshed at most once per scrape. Groups above `groupsMax`
 * and lag series above `lagSeriesMax` are left out (the per-group sums and state counts still
 * cover every group).
 */
import type { CoordinatorContext, Group } from '../../actors/coordinator/types.js';
import type { PartitionContext } from '../../actors/partition.js';
import type { GroupState } from '../../actors/coordinator/protocol.js';
import { groupState } from '../../actors/coordinator/group.js';
import { tpParse } from '../../actors/coordinator/tp.js';
import { COORDINATOR_PREFIX, replicaAddress } from '../../actors/kit/addresses.js';
import type { BrookNode } from '../node/node.js';
import type { BrookMetrics } from './metrics-registry.js';
import { contextsAt } from './node-collector.js';
import { leaderHighWatermark } from './leader-offsets.js';

const GROUP_STATES: GroupState[] = ['empty', 'assigning', 'reconciling', 'stable'];
/** A leader's answer is used this long; one scrape interval or two. */
const REMOTE_FRESH_MS = 5_000;
const REMOTE_TIMEOUT_MS = 500;
/** At most this many leaders are asked in one scrape (the rest wait for the next). */
const REMOTE_ASKS_MAX = 100;

export interface GroupLimits { groupsMax: number; lagSeriesMax: number }

interface GroupRow { groupId: string; state: GroupState; members: number; epoch: number; committed: Array<{ topic: string; partition: number; offset: number }> }

export class GroupCollector {
  private readonly remote = new Map<string, { hw: number; atMs: number }>();

  constructor(private readonly node: BrookNode, private readonly metrics: BrookMetrics, private readonly limits: GroupLimits) {}

  async collect(): Promise<void> {
    const rows = this.rows();
    const m = this.metrics;
    for (const gauge of [m.groupCount, m.groupMembers, m.groupState, m.groupEpoch, m.groupCommitted, m.groupLag, m.groupLagSum]) gauge.reset();
    for (const state of GROUP_STATES) m.groupCount.set({ state }, rows.filter((r) => r.state === state).length);
    const shown = rows.slice(0, this.limits.groupsMax);
    await this.refreshRemote(shown);
    let lagSeries = 0;
    for (const r of shown) {
      m.groupMembers.set({ group: r.groupId }, r.members);
      m.groupEpoch.set({ group: r.groupId }, r.epoch);
      for (const state of GROUP_STATES) m.groupState.set({ group: r.groupId, state }, r.state === state ? 1 : 0);
      let sum = 0;
      for (const c of r.committed) {
        const hw = this.highWatermark(c.topic, c.partition);
        if (hw === undefined) continue;
        const lag = Math.max(0, hw - c.offset);
        sum += lag;
        if (lagSeries >= this.limits.lagSeriesMax) continue;
        lagSeries++;
        const labels = { group: r.groupId, topic: c.topic, partition: String(c.partition) };
        m.groupCommitted.set(labels, c.offset);
        m.groupLag.set(labels, lag);
      }
      m.groupLagSum.set({ group: r.groupId }, sum);
    }
  }

  /** Every group this node's serving coordinators hold (with members or only offsets), by id. */
  private rows(): GroupRow[] {
    const rows: GroupRow[] = [];
    for (const ctx of contextsAt<CoordinatorContext>(this.node, `${COORDINATOR_PREFIX}/`)) {
      if (ctx.phase !== 'serving') continue;
      const ids = new Set([...Object.keys(ctx.groups), ...Object.keys(ctx.offsets)]);
      for (const groupId of ids) {
        const group: Group | undefined = ctx.groups[groupId];
        const committed = Object.entries(ctx.offsets[groupId] ?? {}).map(([key, value]) => ({ ...tpParse(key), offset: value.offset }));
        rows.push({ groupId, state: groupState(group), members: group === undefined ? 0 : Object.keys(group.members).length, epoch: group?.groupEpoch ?? 0, committed });
      }
    }
    return rows.sort((a, b) => a.groupId.localeCompare(b.groupId));
  }

  private localReplica(topic: string, partition: number): PartitionContext | undefined {
    const snapshot = this.node.host.snapshot(replicaAddress(topic, partition, this.node.config.nodeId));
    return snapshot?.status === 'active' ? snapshot.context as PartitionContext : undefined;
  }

  private highWatermark(topic: string, partition: number): number | undefined {
    return this.localReplica(topic, partition)?.hw ?? this.remote.get(`${topic}/${partition}`)?.hw;
  }

  /** Asks the leaders of partitions this node holds no replica of, for those not asked lately. */
  private async refreshRemote(rows: GroupRow[]): Promise<void> {
    const nowMs = this.node.env.clock.nowMs();
    const image = this.node.metadata.image;
    const asks: Array<Promise<void>> = [];
    const seen = new Set<string>();
    for (const r of rows) {
      for (const c of r.committed) {
        const key = `${c.topic}/${c.partition}`;
        if (seen.has(key) || asks.length >= REMOTE_ASKS_MAX) continue;
        seen.add(key);
        if (this.localReplica(c.topic, c.partition) !== undefined) continue;
        const cached = this.remote.get(key);
        if (cached !== undefined && nowMs - cached.atMs < REMOTE_FRESH_MS) continue;
        const leader = image.topics[c.topic]?.partitions[c.partition]?.leader ?? -1;
        if (leader < 0) continue;
        asks.push(leaderHighWatermark(this.node.rpc, c.topic, c.partition, leader, REMOTE_TIMEOUT_MS).then((hw) => {
          if (hw !== null) this.remote.set(key, { hw, atMs: this.node.env.clock.nowMs() });
        }));
      }
    }
    await Promise.all(asks);
    for (const [key, value] of this.remote) if (!seen.has(key) || nowMs - value.atMs > 10 * REMOTE_FRESH_MS) this.remote.delete(key);
  }
}
