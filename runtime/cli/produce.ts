/**
 * `brook produce TOPIC [--key-separator SEP] [--acks all|1|0] [--partition P]`: each stdin line
 * becomes one record (the part before SEP is its key). Sends are pipelined in chunks; a summary
 * goes to stderr.
 */
import { createInterface } from 'node:readline';
import type { ProducerRecordInput } from '../sdk/producer.js';
import { commonFlags, intFlag, parse, UsageError } from './args.js';
import { connectFromFlags } from './client.js';

const CHUNK_RECORDS = 1000;

export function parseAcks(raw: string | undefined): 0 | 1 | -1 {
  if (raw === undefined || raw === 'all' || raw === '-1') return -1;
  if (raw === '1') return 1;
  if (raw === '0') return 0;
  throw new UsageError(`--acks must be all, 1 or 0, got '${raw}'`);
}

export async function produce(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { 'key-separator': { type: 'string' }, acks: { type: 'string' }, partition: { type: 'string' } });
  const flags = commonFlags(values);
  const topic = positionals[0];
  if (!topic) throw new UsageError('brook produce needs a topic name');
  const separator = values['key-separator'] as string | undefined;
  const partition = values['partition'] === undefined ? undefined : intFlag(values, 'partition');
  const client = await connectFromFlags(flags);
  const producer = client.producer({ acks: parseAcks(values['acks'] as string | undefined), lingerMs: 5 });
  const started = performance.now();
  let sent = 0;
  const pending: Array<Promise<unknown>> = [];
  let chunk: ProducerRecordInput[] = [];
  const flushChunk = (): void => {
    if (chunk.length === 0) return;
    const records = chunk;
    chunk = [];
    pending.push(producer.send(topic, records, partition === undefined ? {} : { partition }).then(() => { sent += records.length; }));
  };
  try {
    for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
      const cut = separator === undefined ? -1 : line.indexOf(separator);
      chunk.push(cut < 0 ? { value: line } : { key: line.slice(0, cut), value: line.slice(cut + (separator as string).length) });
      if (chunk.length >= CHUNK_RECORDS) flushChunk();
      if (pending.length >= 8) await pending.shift();
    }
    flushChunk();
    await Promise.all(pending);
    await producer.flush();
    const seconds = (performance.now() - started) / 1000;
    process.stderr.write(`produced ${sent} records to ${topic} in ${seconds.toFixed(2)} s\n`);
    return 0;
  } finally {
    await producer.close().catch(() => {});
    await client.close();
  }
}
