/**
 * The gauges read at scrape time: from the node's metadata image (what it leads, what is
 * under-replicated, the cluster counts on the active controller), from its partition replicas'
 * snapshots (log end, log start, high watermark, log size) and from its controller replica's
 * snapshot (Raft term, leader, commit index). Nothing here sends a message or touches an actor's
 * state: it reads what the node already holds. Partition series are bounded: above
 * `partitionsMax` hosted replicas they become per-topic sums with `partition="all"`.
 */
import type { AnyActorRef } from 'xstate';
import type { ControllerContext } from '../../actors/controller.js';
import { lastIndex } from '../../actors/controller/log.js';
import type { PartitionContext } from '../../actors/partition.js';
import { controllerVoter, REPLICA_PREFIX } from '../../actors/kit/addresses.js';
import type { BrookNode } from '../node/node.js';
import { topicsOf, type TopicView } from '../node/image-view.js';
import { partitionConfigs } from '../node/reconcile.js';
import type { BrookMetrics } from './metrics-registry.js';

type Snapshot = ReturnType<AnyActorRef['getSnapshot']>;
const RAFT_STATES = ['recovering', 'follower', 'preCandidate', 'candidate', 'leader'] as const;

export interface PartitionRow { topic: string; partition: string; size: number; leo: number; logStart: number; hw: number; underReplicated: number; isr: number; replicas: number }

/** Snapshot contexts of the actors whose address starts with `prefix`, in address order. */
export function contextsAt<T>(node: BrookNode, prefix: string): T[] {
  const out: T[] = [];
  for (const address of node.host.addresses) {
    if (!address.startsWith(prefix)) continue;
    const snapshot: Snapshot | undefined = node.host.snapshot(address);
    if (snapshot?.status === 'active') out.push(snapshot.context as T);
  }
  return out;
}

export function collectImage(node: BrookNode, metrics: BrookMetrics, topics: TopicView[]): void {
  const self = node.config.nodeId;
  let leaders = 0; let hosted = 0; let under = 0; let underMin = 0; let atMin = 0;
  let partitions = 0; let offline = 0; let imbalance = 0;
  for (const topic of topics) {
    const minIsr = partitionConfigs(topic).minInsyncReplicas;
    for (const p of topic.partitions) {
      partitions++;
      if (p.leader < 0) offline++;
      else if (p.leader !== p.replicas[0]) imbalance++;
      if (p.replicas.includes(self)) hosted++;
      if (p.leader !== self) continue;
      leaders++;
      if (p.isr.length < p.replicas.length) under++;
      if (p.isr.length < minIsr) underMin++;
      else if (p.isr.length === minIsr) atMin++;
    }
  }
  metrics.leaderCount.set(leaders);
  metrics.partitionCount.set(hosted);
  metrics.underReplicated.set(under);
  metrics.underMinIsr.set(underMin);
  metrics.atMinIsr.set(atMin);
  const nodes = Object.values(node.metadata.image.nodes);
  const active = isActiveController(node);
  // Cluster-wide counts only on the active controller, as Kafka does: summing over nodes stays right.
  metrics.activeController.set(active ? 1 : 0);
  metrics.offlinePartitions.set(active ? offline : 0);
  metrics.globalTopics.set(active ? topics.length : 0);
  metrics.globalPartitions.set(active ? partitions : 0);
  metrics.preferredImbalance.set(active ? imbalance : 0);
  metrics.fencedNodes.set(active ? nodes.filter((n) => n.state === 'fenced').length : 0);
  metrics.activeNodes.set(active ? nodes.filter((n) => n.state === 'unfenced').length : 0);
  metrics.nodeEpoch.set(node.nodeEpoch ?? -1);
  metrics.metadataOffset.set(node.metadata.appliedOffset);
}

function controllerContext(node: BrookNode): ControllerContext | undefined {
  const snapshot: Snapshot | undefined = node.host.snapshot(controllerVoter(node.config.nodeId));
  return snapshot?.status === 'active' ? snapshot.context as ControllerContext : undefined;
}

export function isActiveController(node: BrookNode): boolean { return controllerContext(node)?.role === 'leader'; }

export function collectRaft(node: BrookNode, metrics: BrookMetrics): void {
  const ctx = controllerContext(node);
  if (ctx === undefined) return; // Not a voter: no Raft series at all.
  metrics.raftEpoch.set(ctx.term);
  metrics.raftLeader.set(ctx.leaderId ?? -1);
  metrics.raftHighWatermark.set(ctx.commitIndex);
  metrics.raftLogEnd.set(lastIndex(ctx.log));
  for (const state of RAFT_STATES) metrics.raftState.labels(state).set(ctx.role === state ? 1 : 0);
}

/** One row per hosted replica, or per topic (summed, `partition="all"`) above `partitionsMax` replicas. */
export function partitionRows(node: BrookNode, partitionsMax: number): PartitionRow[] {
  const self = node.config.nodeId;
  const rows = contextsAt<PartitionContext>(node, `${REPLICA_PREFIX}/`).map((c): PartitionRow => ({
    topic: c.topic, partition: String(c.partition), size: c.index.bytes, leo: c.leo, logStart: c.logStart, hw: c.hw,
    underReplicated: c.state.leader === self && c.state.isr.length < c.state.replicas.length ? 1 : 0,
    isr: c.state.isr.length, replicas: c.state.replicas.length,
  }));
  if (rows.length <= partitionsMax) return rows;
  const byTopic = new Map<string, PartitionRow>();
  for (const r of rows) {
    const sum = byTopic.get(r.topic);
    if (sum === undefined) { byTopic.set(r.topic, { ...r, partition: 'all' }); continue; }
    sum.size += r.size; sum.leo += r.leo; sum.logStart += r.logStart; sum.hw += r.hw;
    sum.underReplicated += r.underReplicated; sum.isr += r.isr; sum.replicas += r.replicas;
  }
  return [...byTopic.values()];
}

export function collectPartitions(rows: PartitionRow[], metrics: BrookMetrics): void {
  const gauges = [metrics.logSize, metrics.logEndOffset, metrics.logStartOffset, metrics.highWatermark,
    metrics.partitionUnderReplicated, metrics.inSyncReplicas, metrics.replicasCount];
  for (const gauge of gauges) gauge.reset(); // Replicas that moved away leave no stale series.
  for (const r of rows) {
    const labels = { topic: r.topic, partition: r.partition };
    metrics.logSize.set(labels, r.size);
    metrics.logEndOffset.set(labels, r.leo);
    metrics.logStartOffset.set(labels, r.logStart);
    metrics.highWatermark.set(labels, r.hw);
    metrics.partitionUnderReplicated.set(labels, r.underReplicated);
    metrics.inSyncReplicas.set(labels, r.isr);
    metrics.replicasCount.set(labels, r.replicas);
  }
}

export function collectNode(node: BrookNode, metrics: BrookMetrics, partitionsMax: number): void {
  collectImage(node, metrics, topicsOf(node.metadata.image));
  collectRaft(node, metrics);
  collectPartitions(partitionRows(node, partitionsMax), metrics);
}
