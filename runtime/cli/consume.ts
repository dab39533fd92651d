/**
 * `brook consume TOPIC [--partition P | --group G] [--offset O] [--exit] [--max-messages N]
 *   [--format F | --json] [--delimiter D] [--key-format F] [--value-format F] [--client-id ID]
 *   [--auto-commit-interval-ms MS] [--verbose]`:
 * records to stdout until N records, the end of the partitions (--exit, kcat's -e) or Ctrl-C.
 *
 * Without --group, every partition of the topic is read (or the one asked for) from --offset:
 * `earliest`, `latest` (the default), an offset N, `-N` (N records before the end) or
 * `@TIMESTAMP_MS` (the first record at or after that time). --exit stops once every partition is
 * read up to the end it had when the command started. With --group the consumer subscribes as a
 * member of G, commits as it goes and leaves the group on the way out; --offset earliest|latest
 * then applies where the group has no committed offset (Kafka's auto.offset.reset).
 *
 * Output: the value and --delimiter (a newline by default), or --format with kcat's tokens, or
 * one JSON object per line (--json); keys and values raw, base64 or hex (record-format.ts).
 * --client-id names the member in `brook groups describe`; --auto-commit-interval-ms 0 turns
 * auto-commit off; --verbose prints each assignment change as a JSON line on stderr.
 */
import type { Admin } from '../sdk/admin.js';
import type { Consumer, ConsumerRecord, OffsetSpec } from '../sdk/consumer.js';
import type { BrookClient } from '../sdk/connect.js';
import { BrookError } from '../sdk/errors.js';
import { commonFlags, intFlag, joinNegativeValues, parse, UsageError, type CommonFlags } from './args.js';
import { withAdmin } from './client.js';
import { bytesFormat, compileFormat, jsonLine, encodeBytes, unescape, type BytesFormat } from './record-format.js';

/** Where reading starts: Kafka's earliest/latest, an offset, `-N` from the end, or a timestamp. */
export type StartOffset = 'earliest' | 'latest' | { offset: number } | { fromEnd: number } | { timestamp: number };

export function parseStartOffset(raw: string): StartOffset {
  if (raw === 'earliest' || raw === 'beginning') return 'earliest';
  if (raw === 'latest' || raw === 'end') return 'latest';
  if (/^\d+$/.test(raw) && Number.isSafeInteger(Number(raw))) return { offset: Number(raw) };
  if (/^-\d+$/.test(raw) && Number.isSafeInteger(-Number(raw))) return { fromEnd: -Number(raw) };
  if (/^@\d+$/.test(raw) && Number.isSafeInteger(Number(raw.slice(1)))) return { timestamp: Number(raw.slice(1)) };
  throw new UsageError(`--offset takes earliest, latest, N, -N (N before the end) or @TIMESTAMP_MS, got '${raw}'`);
}

export interface ConsumeArgs {
  flags: CommonFlags;
  topic: string;
  partition: number | undefined;
  group: string | undefined;
  start: StartOffset;
  exitAtEnd: boolean;
  maxMessages: number;
  /** 0: no auto-commit (nothing is committed); undefined: the consumer's default. */
  autoCommitIntervalMs: number | undefined;
  verbose: boolean;
  /** Turns a record into the bytes to print. */
  render: (record: ConsumerRecord) => Buffer;
}

const options = {
  partition: { type: 'string' }, group: { type: 'string' }, offset: { type: 'string' }, 'from-beginning': { type: 'boolean', default: false },
  exit: { type: 'boolean', default: false }, 'max-messages': { type: 'string' }, format: { type: 'string' }, delimiter: { type: 'string' },
  'key-format': { type: 'string' }, 'value-format': { type: 'string' }, 'client-id': { type: 'string' }, 'auto-commit-interval-ms': { type: 'string' },
  verbose: { type: 'boolean', default: false },
} as const;

function renderer(values: Record<string, unknown>, json: boolean): (record: ConsumerRecord) => Buffer {
  const keyFormat: BytesFormat = bytesFormat(values['key-format'], 'key-format');
  const valueFormat: BytesFormat = bytesFormat(values['value-format'], 'value-format');
  const format = values['format'] as string | undefined;
  if (format !== undefined && json) throw new UsageError('--format and --json are exclusive');
  if (format !== undefined) return compileFormat(format, keyFormat, valueFormat);
  if (json) return (record) => jsonLine(record, keyFormat, valueFormat);
  const delimiter = Buffer.from(unescape((values['delimiter'] as string | undefined) ?? '\n'), 'utf8');
  return (record) => (record.value === null ? delimiter : Buffer.concat([encodeBytes(record.value, valueFormat), delimiter]));
}

export function parseConsumeArgs(argv: string[]): ConsumeArgs {
  const { values, positionals } = parse(joinNegativeValues(argv, ['--offset']), options);
  const flags = commonFlags(values);
  const topic = positionals[0];
  if (!topic) throw new UsageError('brook consume needs a topic name');
  const group = values['group'] as string | undefined;
  if (group !== undefined && group.length === 0) throw new UsageError('--group needs a group id');
  if (group !== undefined && values['partition'] !== undefined) throw new UsageError('--partition and --group are exclusive: a group assigns partitions itself');
  if (values['offset'] !== undefined && values['from-beginning'] === true) throw new UsageError('--from-beginning is --offset earliest: give one of them');
  const start = values['from-beginning'] === true ? 'earliest' : parseStartOffset((values['offset'] as string | undefined) ?? 'latest');
  if (group !== undefined && typeof start === 'object') throw new UsageError('with --group, --offset is earliest or latest (where the group has no committed offset); move a group with `brook groups reset-offsets`');
  const exitAtEnd = values['exit'] === true;
  if (exitAtEnd && group !== undefined) throw new UsageError('--exit reads assigned partitions to their end: not with --group');
  const maxMessages = values['max-messages'] === undefined ? Infinity : intFlag(values, 'max-messages');
  if (maxMessages <= 0) throw new UsageError('--max-messages must be positive');
  const partition = values['partition'] === undefined ? undefined : intFlag(values, 'partition');
  if (partition !== undefined && partition < 0) throw new UsageError('--partition must be ≥ 0');
  const interval = values['auto-commit-interval-ms'] === undefined ? undefined : intFlag(values, 'auto-commit-interval-ms');
  if (interval !== undefined && interval < 0) throw new UsageError('--auto-commit-interval-ms must be ≥ 0');
  return { flags, topic, group, start, exitAtEnd, maxMessages, autoCommitIntervalMs: interval, partition,
    verbose: values['verbose'] === true, render: renderer(values, flags.json) };
}

/** Per partition to read: where to start, and (for --exit) the end offset it had at the start. */
interface Plan { partition: number; offset: OffsetSpec; end: number }

/** One listOffsets per partition, as a map (empty when not needed). */
async function offsetsAt(admin: Admin, topic: string, spec: 'earliest' | 'latest' | { timestamp: number }, partitions: number[], needed: boolean): Promise<Map<number, number>> {
  if (!needed) return new Map();
  return new Map((await admin.listOffsets(topic, spec, partitions)).map((o) => [o.partition, o.offset]));
}

/** The partitions to read and their start offsets (numbers with --exit); an unknown topic or partition fails at once. */
async function plan(admin: Admin, args: ConsumeArgs): Promise<Plan[]> {
  const info = await admin.describeTopic(args.topic);
  if (args.partition !== undefined && args.partition >= info.partitions.length) {
    throw new BrookError('UNKNOWN_TOPIC_OR_PARTITION', `topic '${args.topic}' has ${info.partitions.length} partitions (0-${info.partitions.length - 1}), not ${args.partition}`);
  }
  const partitions = args.partition === undefined ? info.partitions.map((p) => p.partition) : [args.partition];
  const start = args.start;
  const fromEnd = typeof start === 'object' && 'fromEnd' in start;
  const ends = await offsetsAt(admin, args.topic, 'latest', partitions, args.exitAtEnd || fromEnd);
  const starts = await offsetsAt(admin, args.topic, 'earliest', partitions, fromEnd || (args.exitAtEnd && start === 'earliest'));
  const byTime = await offsetsAt(admin, args.topic, typeof start === 'object' && 'timestamp' in start ? start : 'latest', partitions,
    typeof start === 'object' && 'timestamp' in start);
  return partitions.map((partition) => {
    const end = ends.get(partition) ?? -1;
    let offset: OffsetSpec;
    if (start === 'earliest') offset = starts.get(partition) ?? 'earliest';
    else if (start === 'latest') offset = args.exitAtEnd ? end : 'latest';
    else if ('offset' in start) offset = start.offset;
    else if ('fromEnd' in start) offset = Math.max(starts.get(partition) ?? 0, end - start.fromEnd);
    else offset = (byTime.get(partition) ?? -1) >= 0 ? byTime.get(partition) as number : args.exitAtEnd ? end : 'latest'; // None that late: from the end.
    return { partition, offset, end };
  });
}

/** Assigns the partitions, or subscribes as a group member. */
async function start(client: BrookClient, admin: Admin, args: ConsumeArgs): Promise<{ consumer: Consumer; plans: Plan[] }> {
  if (args.group !== undefined) {
    // A member waits for its coordinator (and for a missing topic) as long as it runs, like Kafka's:
    // ask the cluster once first, so a command with no cluster or no topic behind it ends with one clear line.
    await admin.describeTopic(args.topic);
    const notice = (event: string) => (partitions: Array<{ topic: string; partition: number }>, info?: { lost: boolean }): void => {
      if (args.verbose) process.stderr.write(JSON.stringify({ event, at: Date.now(), partitions, ...info }) + '\n');
    };
    const commit = args.autoCommitIntervalMs === undefined ? {} : args.autoCommitIntervalMs === 0 ? { autoCommit: false } : { autoCommitIntervalMs: args.autoCommitIntervalMs };
    const consumer = client.consumer({ groupId: args.group, autoOffsetReset: args.start as 'earliest' | 'latest', ...commit,
      onAssigned: notice('assigned'), onRevoked: notice('revoked') });
    await consumer.subscribe([args.topic]);
    return { consumer, plans: [] };
  }
  const plans = await plan(admin, args);
  const consumer = client.consumer({ autoOffsetReset: 'earliest' });
  await consumer.assign(plans.map((p) => ({ topic: args.topic, partition: p.partition, offset: p.offset })));
  return { consumer, plans };
}

export async function consume(argv: string[]): Promise<number> {
  const args = parseConsumeArgs(argv);
  return await withAdmin(args.flags, async (admin, client) => {
    let stop = false;
    const onSignal = (): void => { stop = true; };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const { consumer, plans } = await start(client, admin, args);
    try {
      // --exit: each partition's next offset to print, until it reaches the end it had at the start.
      const next = new Map(plans.map((p) => [p.partition, typeof p.offset === 'number' ? p.offset : -1]));
      const atEnd = (): boolean => args.exitAtEnd && plans.every((p) => (next.get(p.partition) ?? -1) >= p.end);
      let count = 0;
      while (!stop && count < args.maxMessages && !atEnd()) {
        const records = await consumer.poll({ maxRecords: Math.min(500, args.maxMessages - count), timeoutMs: 500 });
        for (const record of records) {
          process.stdout.write(args.render(record));
          next.set(record.partition, record.offset + 1);
        }
        count += records.length;
      }
      return 0;
    } finally {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
      await consumer.close().catch(() => {}); // With --group: commits what was printed and leaves, so the partitions move at once.
    }
  });
}
