/**
 * `brook topics create|list|describe|delete|add-partitions|alter-configs|get-offsets` (placement:
 * `reassign`, `elect-leaders`, in placement.ts). Every flag is checked before any connection.
 * `describe --under-replicated` lists the partitions whose ISR is smaller than their replica set
 * (Kafka's --under-replicated-partitions); `get-offsets` prints per partition the log start offset
 * and the high watermark, or with `--time` the offset Kafka's ListOffsets gives for that time.
 */
import type { Admin, TopicInfo } from '../sdk/admin.js';
import { commonFlags, intFlag, parse, UsageError, type CommonFlags } from './args.js';
import { withAdmin } from './client.js';
import { printJson, table } from './output.js';

export type TopicsCommand =
  | { action: 'create'; name: string; partitions: number; replicationFactor: number; configs: Record<string, string> }
  | { action: 'list' }
  | { action: 'describe'; name: string | undefined; underReplicated: boolean }
  | { action: 'delete'; name: string }
  | { action: 'add-partitions'; name: string; partitions: number }
  | { action: 'alter-configs'; name: string; configs: Record<string, string>; deletes: string[] }
  | { action: 'get-offsets'; name: string; time: 'earliest' | 'latest' | number | undefined };

const options = {
  partitions: { type: 'string' }, 'replication-factor': { type: 'string' }, config: { type: 'string', multiple: true },
  'delete-config': { type: 'string', multiple: true }, 'under-replicated': { type: 'boolean', default: false }, time: { type: 'string' },
} as const;

const ACTIONS = 'create, list, describe, delete, add-partitions, alter-configs, get-offsets, reassign, elect-leaders';

export function parseTopicsArgs(argv: string[]): { command: TopicsCommand; flags: CommonFlags } {
  const [action, ...rest] = argv;
  const { values, positionals } = parse(rest, options);
  const flags = commonFlags(values);
  const name = (): string => {
    const n = positionals[0];
    if (n === undefined || n.length === 0) throw new UsageError(`brook topics ${action ?? ''} needs a topic name`);
    return n;
  };
  switch (action) {
    case 'create': return { flags, command: { action, name: name(), partitions: intFlag(values, 'partitions', 1),
      replicationFactor: intFlag(values, 'replication-factor', 1), configs: parseConfigs(values['config'] as string[] | undefined) } };
    case 'list': return { flags, command: { action } };
    case 'describe': {
      const underReplicated = values['under-replicated'] === true;
      return { flags, command: { action, name: underReplicated ? positionals[0] : name(), underReplicated } };
    }
    case 'delete': return { flags, command: { action, name: name() } };
    case 'add-partitions': return { flags, command: { action, name: name(), partitions: intFlag(values, 'partitions') } };
    case 'alter-configs': {
      const configs = parseConfigs(values['config'] as string[] | undefined);
      const deletes = (values['delete-config'] as string[] | undefined) ?? [];
      if (Object.keys(configs).length === 0 && deletes.length === 0) throw new UsageError('brook topics alter-configs needs --config k=v or --delete-config k');
      const both = deletes.find((k) => k in configs);
      if (both !== undefined) throw new UsageError(`${both} is both set and deleted`);
      return { flags, command: { action, name: name(), configs, deletes } };
    }
    case 'get-offsets': return { flags, command: { action, name: name(), time: parseTime(values['time'] as string | undefined) } };
    default: throw new UsageError(`brook topics: unknown action '${action ?? ''}' (${ACTIONS})`);
  }
}

/** `--time`: earliest, latest, epoch milliseconds or an ISO 8601 time (Kafka's -2, -1 are taken too). */
export function parseTime(raw: string | undefined): 'earliest' | 'latest' | number | undefined {
  if (raw === undefined) return undefined;
  if (raw === 'earliest' || raw === '-2') return 'earliest';
  if (raw === 'latest' || raw === '-1') return 'latest';
  if (/^\d+$/.test(raw)) return Number(raw);
  const parsed = Date.parse(raw);
  if (Number.isNaN(parsed)) throw new UsageError(`--time takes earliest, latest, epoch milliseconds or an ISO 8601 time, got '${raw}'`);
  return parsed;
}

export async function topics(argv: string[]): Promise<number> {
  const [action, ...rest] = argv;
  if (action === 'reassign') return (await import('./placement.js')).reassign(rest);
  if (action === 'elect-leaders') return (await import('./placement.js')).electLeaders(rest);
  const { command, flags } = parseTopicsArgs(argv);
  await withAdmin(flags, (admin) => run(admin, command, flags.json));
  return 0;
}

async function run(admin: Admin, command: TopicsCommand, json: boolean): Promise<void> {
  switch (command.action) {
    case 'create': {
      const { topicId } = await admin.createTopic(command.name, command);
      if (json) printJson({ name: command.name, topicId }); else process.stdout.write(`created topic ${command.name} (${topicId})\n`);
      return;
    }
    case 'list': {
      const names = await admin.listTopics();
      if (json) printJson(names); else process.stdout.write(names.map((n) => `${n}\n`).join(''));
      return;
    }
    case 'describe': return await describe(admin, command.name, command.underReplicated, json);
    case 'delete':
      await admin.deleteTopic(command.name);
      process.stdout.write(`deleted topic ${command.name}\n`);
      return;
    case 'add-partitions':
      await admin.createPartitions(command.name, command.partitions);
      process.stdout.write(`topic ${command.name} now has ${command.partitions} partitions\n`);
      return;
    case 'alter-configs': {
      await admin.alterConfigs(command.name, command.configs, command.deletes);
      const changes = [...Object.entries(command.configs).map(([k, v]) => `${k}=${v}`), ...command.deletes.map((k) => `${k} (default)`)];
      process.stdout.write(`altered configs of ${command.name}: ${changes.join(', ')}\n`);
      return;
    }
    case 'get-offsets': return await getOffsets(admin, command.name, command.time, json);
  }
}

async function describe(admin: Admin, name: string | undefined, underReplicated: boolean, json: boolean): Promise<void> {
  if (!underReplicated) {
    const topic = await admin.describeTopic(name as string);
    if (json) return printJson(topic);
    process.stdout.write(`topic ${topic.name}  id ${topic.topicId}  partitions ${topic.partitions.length}  configs ${Object.entries(topic.configs).map(([k, v]) => `${k}=${v}`).join(',')}\n`);
    process.stdout.write(table(['PARTITION', 'LEADER', 'EPOCH', 'REPLICAS', 'ISR'],
      topic.partitions.map((p) => [p.partition, p.leader, p.leaderEpoch, p.replicas.join(','), p.isr.join(',')])) + '\n');
    return;
  }
  const topics: TopicInfo[] = name === undefined ? (await admin.metadata()).topics : [await admin.describeTopic(name)];
  const rows = topics.flatMap((t) => t.partitions.filter((p) => p.isr.length < p.replicas.length)
    .map((p) => ({ topic: t.name, partition: p.partition, leader: p.leader, replicas: p.replicas, isr: p.isr })))
    .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
  if (json) return printJson(rows);
  process.stdout.write(table(['TOPIC', 'PARTITION', 'LEADER', 'REPLICAS', 'ISR'], rows.map((r) => [r.topic, r.partition, r.leader, r.replicas.join(','), r.isr.join(',')])) + '\n');
}

async function getOffsets(admin: Admin, name: string, time: 'earliest' | 'latest' | number | undefined, json: boolean): Promise<void> {
  if (time !== undefined) {
    const offsets = await admin.listOffsets(name, typeof time === 'number' ? { timestamp: time } : time);
    if (json) return printJson(offsets.sort((a, b) => a.partition - b.partition));
    process.stdout.write(table(['PARTITION', 'OFFSET'], offsets.sort((a, b) => a.partition - b.partition).map((o) => [o.partition, o.offset])) + '\n');
    return;
  }
  const [starts, ends] = await Promise.all([admin.listOffsets(name, 'earliest'), admin.listOffsets(name, 'latest')]);
  const endOf = new Map(ends.map((o) => [o.partition, o.offset]));
  const rows = starts.sort((a, b) => a.partition - b.partition).map((o) => ({ partition: o.partition, start: o.offset, end: endOf.get(o.partition) ?? -1 }));
  if (json) return printJson(rows);
  process.stdout.write(table(['PARTITION', 'START', 'END', 'RECORDS'], rows.map((r) => [r.partition, r.start, r.end, r.end - r.start])) + '\n');
}

export function parseConfigs(items: string[] | undefined, flag = 'config'): Record<string, string> {
  const configs: Record<string, string> = {};
  for (const item of items ?? []) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UsageError(`--${flag} takes name=value, got '${item}'`);
    configs[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return configs;
}
