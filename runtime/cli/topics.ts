/** `brook topics create|list|describe|delete|add-partitions|alter-configs`. */
import type { Admin } from '../sdk/admin.js';
import { commonFlags, intFlag, parse, UsageError } from './args.js';
import { connectFromFlags } from './client.js';
import { printJson, table } from './output.js';

const options = {
  partitions: { type: 'string' }, 'replication-factor': { type: 'string' }, config: { type: 'string', multiple: true },
} as const;

export async function topics(argv: string[]): Promise<number> {
  const [action, ...rest] = argv;
  if (action === 'reassign') return (await import('./placement.js')).reassign(rest);
  if (action === 'elect-leaders') return (await import('./placement.js')).electLeaders(rest);
  const { values, positionals } = parse(rest, options);
  const flags = commonFlags(values);
  const name = positionals[0];
  const needName = (): string => { if (!name) throw new UsageError(`brook topics ${action} needs a topic name`); return name; };
  const client = await connectFromFlags(flags);
  const admin = client.admin() as Admin;
  try {
    switch (action) {
      case 'create': {
        const configs = parseConfigs(values['config'] as string[] | undefined);
        const { topicId } = await admin.createTopic(needName(), {
          partitions: intFlag(values, 'partitions', 1), replicationFactor: intFlag(values, 'replication-factor', 1), configs });
        if (flags.json) printJson({ name, topicId }); else process.stdout.write(`created topic ${name} (${topicId})\n`);
        return 0;
      }
      case 'list': {
        const names = await admin.listTopics();
        if (flags.json) printJson(names); else process.stdout.write(names.map((n) => `${n}\n`).join(''));
        return 0;
      }
      case 'describe': {
        const topic = await admin.describeTopic(needName());
        if (flags.json) { printJson(topic); return 0; }
        process.stdout.write(`topic ${topic.name}  id ${topic.topicId}  partitions ${topic.partitions.length}  configs ${Object.entries(topic.configs).map(([k, v]) => `${k}=${v}`).join(',')}\n`);
        process.stdout.write(table(['PARTITION', 'LEADER', 'EPOCH', 'REPLICAS', 'ISR'],
          topic.partitions.map((p) => [p.partition, p.leader, p.leaderEpoch, p.replicas.join(','), p.isr.join(',')])) + '\n');
        return 0;
      }
      case 'delete': await admin.deleteTopic(needName()); process.stdout.write(`deleted topic ${name}\n`); return 0;
      case 'add-partitions': {
        const total = intFlag(values, 'partitions');
        await admin.createPartitions(needName(), total);
        process.stdout.write(`topic ${name} now has ${total} partitions\n`);
        return 0;
      }
      case 'alter-configs': {
        await admin.alterConfigs(needName(), parseConfigs(values['config'] as string[] | undefined));
        process.stdout.write(`altered configs of ${name}\n`);
        return 0;
      }
      default: throw new UsageError(`brook topics: unknown action '${action ?? ''}' (create, list, describe, delete, add-partitions, alter-configs, reassign, elect-leaders)`);
    }
  } finally {
    admin.close();
    await client.close();
  }
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
