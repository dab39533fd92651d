/**
 * `brook consume TOPIC [--partition P | --group G] [--from-beginning] [--max-messages N] [--json]
 *   [--client-id ID] [--auto-commit-interval-ms MS] [--verbose]`:
 * records to stdout, one per line (the value as UTF-8, or a JSON object with --json), until N
 * records or Ctrl-C. Without --partition every partition of the topic is read; with --group the
 * consumer subscribes as a member of G, commits as it goes and leaves the group on the way out
 * (--from-beginning then applies where the group has no committed offset). --client-id names the
 * member in `brook groups describe`; --auto-commit-interval-ms 0 turns auto-commit off; --verbose
 * prints each assignment change as a JSON line on stderr, so a supervisor sees which partitions a
 * member gained and lost without reading the records.
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
  /** 0: no auto-commit (nothing is committed); undefined: the consumer's default. */
  autoCommitIntervalMs: number | undefined;
  verbose: boolean;
}

export function parseConsumeArgs(argv: string[]): ConsumeArgs {
  const { values, positionals } = parse(argv, { partition: { type: 'string' }, group: { type: 'string' }, 'from-beginning': { type: 'boolean', default: false }, 'max-messages': { type: 'string' },
    'auto-commit-interval-ms': { type: 'string' }, verbose: { type: 'boolean', default: false } });
  const flags = commonFlags(values);
  const topic = positionals[0];
  if (!topic) throw new UsageError('brook consume needs a topic name');
  const group = values['group'] as string | undefined;
  if (group !== undefined && group.length === 0) throw new UsageError('--group needs a group id');
  if (group !== undefined && values['partition'] !== undefined) throw new UsageError('--partition and --group are exclusive: a group assigns partitions itself');
  const maxMessages = values['max-messages'] === undefined ? Infinity : intFlag(values, 'max-messages');
  if (maxMessages <= 0) throw new UsageError('--max-messages must be positive');
  const interval = values['auto-commit-interval-ms'] === undefined ? undefined : intFlag(values, 'auto-commit-interval-ms');
  if (interval !== undefined && interval < 0) throw new UsageError('--auto-commit-interval-ms must be ≥ 0');
  return { flags, topic, group, fromBeginning: values['from-beginning'] === true, maxMessages, autoCommitIntervalMs: interval,
    verbose: values['verbose'] === true, partition: values['partition'] === undefined ? undefined : intFlag(values, 'partition') };
}

/** Assigns the partitions (all, or the one asked for), or subscribes as a group member. */
async function start(client: BrookClient, admin: Admin, args: ConsumeArgs): Promise<Consumer> {
  const offset = args.fromBeginning ? 'earliest' : 'latest';
  if (args.group !== undefined) {
    // A member waits for its coordinator (and for a missing topic) as long as it runs, like Kafka's:
    // ask the cluster once first, so a command with no cluster behind it ends with one clear line.
    await admin.metadata([args.topic]);
    const notice = (event: string) => (partitions: Array<{ topic: string; partition: number }>, info?: { lost: boolean }): void => {
      if (args.verbose) process.stderr.write(JSON.stringify({ event, at: Date.now(), partitions, ...info }) + '\n');
    };
    const commit = args.autoCommitIntervalMs === undefined ? {} : args.autoCommitIntervalMs === 0 ? { autoCommit: false } : { autoCommitIntervalMs: args.autoCommitIntervalMs };
    const consumer = client.consumer({ groupId: args.group, autoOffsetReset: offset, ...commit, onAssigned: notice('assigned'), onRevoked: notice('revoked') });
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
