/**
 * `brook consume TOPIC [--partition P] [--from-beginning] [--max-messages N] [--json]`: records to
 * stdout, one per line (the value as UTF-8, or a JSON object with --json), until N records or
 * Ctrl-C. Without --partition every partition of the topic is read.
 */
import type { Admin } from '../sdk/admin.js';
import type { ConsumerRecord } from '../sdk/consumer.js';
import { commonFlags, intFlag, parse, UsageError } from './args.js';
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

export async function consume(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { partition: { type: 'string' }, 'from-beginning': { type: 'boolean', default: false }, 'max-messages': { type: 'string' } });
  const flags = commonFlags(values);
  const topic = positionals[0];
  if (!topic) throw new UsageError('brook consume needs a topic name');
  const max = values['max-messages'] === undefined ? Infinity : intFlag(values, 'max-messages');
  const client = await connectFromFlags(flags);
  const admin = client.admin() as Admin;
  const consumer = client.consumer({ autoOffsetReset: 'earliest' });
  let stop = false;
  process.once('SIGINT', () => { stop = true; });
  try {
    const info = await admin.describeTopic(topic);
    const partitions = values['partition'] === undefined ? info.partitions.map((p) => p.partition) : [intFlag(values, 'partition')];
    const offset = values['from-beginning'] === true ? 'earliest' : 'latest';
    await consumer.assign(partitions.map((partition) => ({ topic, partition, offset })));
    let count = 0;
    while (!stop && count < max) {
      const records = await consumer.poll({ maxRecords: Math.min(500, max - count), timeoutMs: 500 });
      for (const record of records) process.stdout.write(recordLine(record, flags.json));
      count += records.length;
    }
    return 0;
  } finally {
    admin.close();
    await consumer.close().catch(() => {});
    await client.close();
  }
}
