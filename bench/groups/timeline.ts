// Where the time of a coordinator failover goes: the surviving nodes' log lines (BROOK_LOG=info,
// `groups.ts --trace`) between the kill and the first commit accepted again, as milliseconds since
// the kill. Lines whose time base is epoch ms (runtime/log.ts) line up with the bench's clock.
import { OFFSETS_TOPIC } from '../../actors/coordinator/protocol.js';
import type { BrookCluster } from '../brook/cluster.js';

/** The events that mark the steps: controller failover, fencing, partition leadership, coordinator load. */
const STEPS = new Set(['raftLeader', 'nodeGone', 'nodeSessionExpired', 'partitionLeading', 'partitionLeaderResigned', 'groupsLoaded', 'groupLoadRetry',
  'groupLoadFallBack', 'groupCoordinatorFenced', 'isrChanged', 'partitionFollowing', 'hwStalled', 'hwResumed']);

export function failoverTimeline(cluster: BrookCluster, killedNode: number, fromMs: number, toMs: number, partition: string): string[] {
  const out: Array<{ t: number; text: string }> = [];
  for (const node of cluster.processes.nodes.values()) {
    if (node.id === killedNode) continue;
    for (const raw of node.stderr.join('').split('\n')) {
      if (!raw.startsWith('{')) continue;
      let line: Record<string, unknown>;
      try { line = JSON.parse(raw) as Record<string, unknown>; } catch { continue; }
      const t = Number(line['t']);
      const event = String(line['event']);
      if (!(t >= fromMs && t <= toMs) || !STEPS.has(event)) continue;
      // Partition lines only for the group's offsets partition (coordinator lines name no topic), the controller's all.
      if (line['partition'] !== undefined && `${String(line['topic'] ?? OFFSETS_TOPIC)}/${String(line['partition'])}` !== partition) continue;
      const { t: _t, level: _l, event: _e, ...rest } = line;
      out.push({ t, text: `+${t - fromMs} ms node ${node.id} ${event} ${JSON.stringify(rest)}` });
    }
  }
  return out.sort((a, b) => a.t - b.t).map((l) => l.text);
}
