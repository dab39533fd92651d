/** `brook cluster status [--json]`: nodes, the controller leader and term, partition health. */
import type { ClusterMetadata } from '../sdk/admin.js';
import { commonFlags, parse, UsageError } from './args.js';
import { withAdmin } from './client.js';
import { printJson, table } from './output.js';

export interface ClusterStatus {
  cluster: string;
  controller: { leaderId: number; term: number };
  nodes: Array<{ nodeId: number; state: string; nodeEpoch: number; rack: string | null; decommission: string | null }>;
  partitions: { total: number; online: number; offline: number; underReplicated: number };
  /** A balance plan is running. */
  balancing: boolean;
  /** Partitions being moved, with the replicas still to join the ISR. */
  reassignments: Array<{ topic: string; partition: number; replicas: number[]; adding: number[]; removing: number[]; waitingFor: number[] }>;
}

export function summarize(metadata: ClusterMetadata, term: number, leaderId: number): ClusterStatus {
  const partitions = metadata.topics.flatMap((t) => t.partitions);
  return {
    cluster: metadata.clusterId,
    controller: { leaderId, term },
    nodes: [...metadata.nodes].sort((a, b) => a.nodeId - b.nodeId)
      .map((n) => ({ nodeId: n.nodeId, state: n.state, nodeEpoch: n.nodeEpoch, rack: n.rack ?? null, decommission: n.decommission ?? null })),
    partitions: {
      total: partitions.length,
      online: partitions.filter((p) => p.leader >= 0).length,
      offline: partitions.filter((p) => p.leader < 0).length,
      underReplicated: partitions.filter((p) => p.isr.length < p.replicas.length).length,
    },
    balancing: metadata.balancing === true,
    reassignments: metadata.topics.flatMap((t) => t.partitions.filter((p) => (p.addingReplicas?.length ?? 0) + (p.removingReplicas?.length ?? 0) > 0)
      .map((p) => ({ topic: t.name, partition: p.partition, replicas: p.replicas, adding: p.addingReplicas ?? [], removing: p.removingReplicas ?? [],
        waitingFor: (p.addingReplicas ?? []).filter((id) => !p.isr.includes(id)) }))),
  };
}

export async function clusterStatus(argv: string[]): Promise<number> {
  const [action, ...rest] = argv;
  if (action === 'balance') return (await import('./placement.js')).balance(rest);
  if (action === 'configs') return (await import('./placement.js')).clusterConfigs(rest);
  // `brook cluster` alone (or with only flags) is `brook cluster status`.
  if (action !== undefined && action !== 'status' && !action.startsWith('-')) throw new UsageError(`brook cluster: unknown action '${action}' (status, balance, configs)`);
  const { values } = parse(action === 'status' ? rest : argv, {});
  const flags = commonFlags(values);
  return await withAdmin(flags, async (admin) => {
    const quorum = await admin.describeQuorum();
    const status = summarize(await admin.metadata(), quorum.term, quorum.leaderId);
    if (flags.json) { printJson(status); return 0; }
    process.stdout.write(`cluster ${status.cluster}  controller leader ${status.controller.leaderId}  term ${status.controller.term}\n`);
    process.stdout.write(table(['NODE', 'STATE', 'EPOCH', 'RACK', 'DECOMMISSION'],
      status.nodes.map((n) => [n.nodeId, n.state, n.nodeEpoch, n.rack ?? '-', n.decommission ?? '-'])) + '\n');
    const p = status.partitions;
    process.stdout.write(`partitions: ${p.total} total, ${p.online} online, ${p.offline} offline, ${p.underReplicated} under-replicated\n`);
    if (status.balancing) process.stdout.write('balance plan: running\n');
    if (status.reassignments.length > 0) {
      process.stdout.write(`reassignments in progress: ${status.reassignments.length}\n`);
      process.stdout.write(table(['TOPIC', 'PARTITION', 'REPLICAS', 'ADDING', 'REMOVING', 'CATCHING UP'], status.reassignments.map((r) =>
        [r.topic, r.partition, r.replicas.join(','), r.adding.join(',') || '-', r.removing.join(',') || '-', r.waitingFor.join(',') || '-'])) + '\n');
    }
    return 0;
  });
}
