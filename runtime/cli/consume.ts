/**
 * `brook consume TOPIC [--partition P | --group G] [--from-beginning] [--max-messages N] [--json]`:
 * records to stdout, one per line (the value as UTF-8, or a JSON object with --json), until N
 * records or Ctrl-C. Without --partition every partition of the topic is read; with --group the
 * consumer subscribes as a member of G, commits as it goes and leaves the group on the way out
 * (--from-beginning then applies where the group has no committed offset).
 */
import type { Admin } from '../sdk/admin.js';
import type { Consumer, ConsumerRecord } from '../sdk/consumer.js';
import type { BrookClient } from '../sdk/connect.js';
import { commonFlags, intFlag, parse, UsageError, type CommonFlags } from './args.js';
import { connectFromFlags } from './client.js';

const decoder = new TextDecoder();

export function recordLine(record: ConsumerRecord, json: boolean): string {
  if (!json) return (record.value ? decoder.decode(record.value) : '') + '\n';
  return JSON.stringify({
    topic: record.topic, partition: record.partition, offset: record.offset, timestamp: record.timestamp,
    key: record.key ? decoder.decode(record.key) : null, value: record.value ? decoder.decode(record.value) : null,
    headers: Object.fromEntries(record.headers.map((h) => [h.key, h.value ? decoder.decode(h.value) : null])),
  }) + '\n';
}

export interface ConsumeArgs {
  flags: CommonFlags;
  topic: string;
  partition: number | undefined;
  group: string | undefined;
  fromBeginning: boolean;
  maxMessages: number;
}

export function parseConsumeArgs(argv: string[]): ConsumeArgs {
  const { values, positionals } = parse(argv, { partition: { type: 'string' }, group: { type: 'string' }, 'from-beginning': { type: 'boolean', default: false }, 'max-messages': { type: 'string' } });
  const flags = commonFlags(values);
  const topic = positionals[0];
  if (!topic) throw new UsageError('brook consume needs a topic name');
  const group = values['group'] as string | undefined;
  if (group !== undefined && group.length === 0) throw new UsageError('--group needs a group id');
  if (group !== undefined && values['partition'] !== undefined) throw new UsageError('--partition and --group are exclusive: a group assigns partitions itself');
  const maxMessages = values['max-messages'] === undefined ? Infinity : intFlag(values, 'max-messages');
  if (maxMessages <= 0) throw new UsageError('--max-messages must be positive');
  return { flags, topic, group, fromBeginning: values['from-beginning'] === true, maxMessages,
    partition: values['partition'] === undefined ? undefined : intFlag(values, 'partition') };
}

/** Assigns the partitions (all, or the one asked for), or subscribes as a group member. */
async function start(client: BrookClient, admin: Admin, args: ConsumeArgs): Promise<Consumer> {
  const offset = args.fromBeginning ? 'earliest' : 'latest';
  if (args.group !== undefined) {
    const consumer = client.consumer({ groupId: args.group, autoOffsetReset: offset });
    await consumer.subscribe([args.topic]);
    return consumer;
  }
  const consumer = client.consumer({ autoOffsetReset: 'earliest' });
  const info = await admin.describeTopic(args.topic);
  const partitions = args.partition === undefined ? info.partitions.map((p) => p.partition) : [args.partition];
  await consumer.assign(partitions.map((partition) => ({ topic: args.topic, partition, offset })));
  return consumer;
}

export async function consume(argv: string[]): Promise<number> {
  const args = parseConsumeArgs(argv);
  const client = await connectFromFlags(args.flags);
  const admin = client.admin() as Admin;
  let stop = false;
  let consumer: Consumer | undefined;
  process.once('SIGINT', () => { stop = true; });
  try {
    consumer = await start(client, admin, args);
    let count = 0;
    while (!stop && count < args.maxMessages) {
      const records = await consumer.poll({ maxRecords: Math.min(500, args.maxMessages - count), timeoutMs: 500 });
      for (const record of records) process.stdout.write(recordLine(record, args.flags.json));
      count += records.length;
    }
    return 0;
  } finally {
    admin.close();
    await consumer?.close().catch(() => {}); // With --group: commits what was printed and leaves, so the partitions move at once.
    await client.close();
  }
}
