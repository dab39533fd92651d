/**
 * Placement commands: `brook topics reassign`, `brook topics elect-leaders`, `brook cluster balance`,
 * `brook cluster configs`, `brook node decommission`. Each asks the controller leader and prints
 * what it did.
 */
import type { Admin } from '../sdk/admin.js';
import { commonFlags, intFlag, parse, UsageError } from './args.js';
import { withAdmin } from './client.js';
import { printJson, table } from './output.js';
import { parseConfigs } from './topics.js';

function withFlagsAdmin(values: Record<string, unknown>, run: (admin: Admin, json: boolean) => Promise<number>): Promise<number> {
  const flags = commonFlags(values);
  return withAdmin(flags, (admin) => run(admin, flags.json));
}

function nodeList(raw: string): number[] {
  const ids = raw.split(',').map((s) => s.trim());
  if (ids.length === 0 || !ids.every((s) => /^\d+$/.test(s))) throw new UsageError(`--replicas must be node ids like 1,4,5, got '${raw}'`);
  return ids.map(Number);
}

/** `brook topics reassign T --partition P --replicas 1,4,5 [--cancel]` */
export async function reassign(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { partition: { type: 'string' }, replicas: { type: 'string' }, cancel: { type: 'boolean', default: false } });
  const topic = positionals[0];
  if (!topic) throw new UsageError('brook topics reassign needs a topic name');
  const partition = intFlag(values, 'partition');
  const cancel = values.cancel === true;
  if (cancel === (values.replicas !== undefined)) throw new UsageError('give either --replicas or --cancel');
  const replicas = cancel ? null : nodeList(values.replicas as string);
  return withFlagsAdmin(values, async (admin, json) => {
    await admin.alterPartitionReassignment(topic, partition, replicas);
    if (json) printJson({ topic, partition, replicas, cancelled: cancel });
    else process.stdout.write(cancel ? `cancelled the reassignment of ${topic}/${partition}\n` : `reassigning ${topic}/${partition} to ${(replicas ?? []).join(',')}\n`);
    return 0;
  });
}

/** `brook topics elect-leaders [T]` */
export async function electLeaders(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {});
  return withFlagsAdmin(values, async (admin, json) => {
    const results = await admin.electLeaders(positionals[0]);
    if (json) { printJson(results); return 0; }
    const elected = results.filter((r) => r.code === 'OK').length;
    const notAvailable = results.filter((r) => r.code === 'PREFERRED_LEADER_NOT_AVAILABLE');
    process.stdout.write(`elected ${elected} preferred leaders; ${results.length - elected - notAvailable.length} already led by their preferred replica\n`);
    for (const r of notAvailable) process.stdout.write(`  ${r.topic}/${r.partition}: ${r.message ?? r.code}\n`);
    return 0;
  });
}

/** `brook cluster balance [--dry-run]` */
export async function balance(argv: string[]): Promise<number> {
  const { values } = parse(argv, { 'dry-run': { type: 'boolean', default: false } });
  const dryRun = values['dry-run'] === true;
  return withFlagsAdmin(values, async (admin, json) => {
    const moves = await admin.balanceCluster(dryRun);
    if (json) { printJson({ dryRun, moves }); return 0; }
    if (moves.length === 0) { process.stdout.write('the cluster is balanced: nothing to move\n'); return 0; }
    process.stdout.write(table(['TOPIC', 'PARTITION', 'REPLICAS', 'TARGET'], moves.map((m) => [m.topic, m.partition, m.replicas.join(','), m.target.join(',')])) + '\n');
    process.stdout.write(dryRun ? `${moves.length} moves planned (dry run, nothing changed)\n`
      : `${moves.length} moves planned; the controller runs them a few at a time (see brook cluster status)\n`);
    return 0;
  });
}

/**
 * `brook cluster configs [--set k=v ...]`: prints every cluster setting, after changing the given
 * ones (Kafka's `kafka-configs --entity-type brokers --entity-default --alter`); an empty value
 * restores the default.
 */
export async function clusterConfigs(argv: string[]): Promise<number> {
  const { values } = parse(argv, { set: { type: 'string', multiple: true } });
  const changes = parseConfigs(values.set as string[] | undefined, 'set');
  return withFlagsAdmin(values, async (admin, json) => {
    if (Object.keys(changes).length > 0) await admin.alterClusterConfigs(changes);
    // The change is committed; the node answering metadata may apply it a moment later.
    let configs = (await admin.metadata([])).clusterConfigs ?? {};
    for (let i = 0; i < 20 && Object.entries(changes).some(([k, v]) => v !== '' && configs[k] !== v); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      configs = (await admin.metadata([])).clusterConfigs ?? {};
    }
    if (json) { printJson(configs); return 0; }
    process.stdout.write(table(['SETTING', 'VALUE'], Object.keys(configs).sort().map((k) => [k, configs[k] as string])) + '\n');
    return 0;
  });
}

/** `brook node decommission N [--wait]` */
export async function decommission(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { wait: { type: 'boolean', default: false } });
  const raw = positionals[0];
  if (raw === undefined || !/^\d+$/.test(raw)) throw new UsageError('brook node decommission needs a node id');
  const nodeId = Number(raw);
  return withFlagsAdmin(values, async (admin, json) => {
    await admin.decommissionNode(nodeId);
    if (values.wait !== true) {
      if (json) printJson({ nodeId, decommission: 'draining' }); else process.stdout.write(`node ${nodeId} is draining\n`);
      return 0;
    }
    let last = -1;
    for (;;) {
      const metadata = await admin.metadata();
      if (metadata.nodes.find((n) => n.nodeId === nodeId)?.decommission === 'decommissioned') break;
      const left = metadata.topics.flatMap((t) => t.partitions).filter((p) => p.replicas.includes(nodeId)).length;
      if (left !== last && !json) process.stderr.write(`node ${nodeId}: ${left} replicas left to move\n`);
      last = left;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    if (json) printJson({ nodeId, decommission: 'decommissioned' }); else process.stdout.write(`node ${nodeId} is decommissioned\n`);
    return 0;
  });
}
