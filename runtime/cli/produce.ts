/**
 * `brook produce TOPIC [--key-separator SEP] [--header k=v …] [--partition P] [--acks all|1|0]
 *   [--delimiter D] [--key-format F] [--value-format F] [--compression C] [--timeout-ms MS]`:
 * each delimited run of stdin bytes (a line by default) becomes one record; the part before SEP
 * is its key (kcat's -K), and every record gets the --header headers. Input is binary-safe: the
 * bytes are sent as they are, or decoded from base64/hex (runtime/cli/record-format.ts). Sends are
 * pipelined in chunks; a record not acknowledged within --timeout-ms (default 30 s) fails the
 * command; a missing topic or partition fails it before anything is sent. A summary goes to stderr.
 */
import type { Producer, ProducerRecordInput } from '../sdk/producer.js';
import { BrookError } from '../sdk/errors.js';
import { commonFlags, intFlag, parse, UsageError, type CommonFlags } from './args.js';
import { withAdmin } from './client.js';
import { bytesFormat, decodeBytes, delimited, parseHeaders, unescape, type BytesFormat } from './record-format.js';
import { isCompression, type Compression } from '../../actors/client/compression.js';

const CHUNK_RECORDS = 1000;
const IN_FLIGHT_CHUNKS = 8;

export function parseAcks(raw: string | undefined): 0 | 1 | -1 {
  if (raw === undefined || raw === 'all' || raw === '-1') return -1;
  if (raw === '1') return 1;
  if (raw === '0') return 0;
  throw new UsageError(`--acks must be all, 1 or 0, got '${raw}'`);
}

export interface ProduceArgs {
  flags: CommonFlags;
  topic: string;
  partition: number | undefined;
  acks: 0 | 1 | -1;
  keySeparator: Buffer | undefined;
  delimiter: Buffer;
  headers: Array<{ key: string; value: Uint8Array | null }>;
  keyFormat: BytesFormat;
  valueFormat: BytesFormat;
  compression: Compression | undefined;
  timeoutMs: number;
}

export function parseProduceArgs(argv: string[]): ProduceArgs {
  const { values, positionals } = parse(argv, { 'key-separator': { type: 'string' }, acks: { type: 'string' }, partition: { type: 'string' },
    header: { type: 'string', multiple: true }, delimiter: { type: 'string' }, 'key-format': { type: 'string' }, 'value-format': { type: 'string' },
    compression: { type: 'string' }, 'timeout-ms': { type: 'string' } });
  const flags = commonFlags(values);
  const topic = positionals[0];
  if (!topic) throw new UsageError('brook produce needs a topic name');
  const partition = values['partition'] === undefined ? undefined : intFlag(values, 'partition');
  if (partition !== undefined && partition < 0) throw new UsageError('--partition must be ≥ 0');
  const separator = values['key-separator'] as string | undefined;
  if (separator === '') throw new UsageError('--key-separator must not be empty');
  const timeoutMs = intFlag(values, 'timeout-ms', 30_000);
  if (timeoutMs <= 0) throw new UsageError('--timeout-ms must be positive');
  const compression = values['compression'];
  if (compression !== undefined && !isCompression(compression)) throw new UsageError(`--compression must be none, gzip, snappy, lz4 or zstd, got '${String(compression)}'`);
  return {
    flags, topic, partition, acks: parseAcks(values['acks'] as string | undefined),
    keySeparator: separator === undefined ? undefined : Buffer.from(unescape(separator), 'utf8'),
    delimiter: Buffer.from(unescape((values['delimiter'] as string | undefined) ?? '\n'), 'utf8'),
    headers: parseHeaders(values['header'] as string[] | undefined),
    keyFormat: bytesFormat(values['key-format'], 'key-format'), valueFormat: bytesFormat(values['value-format'], 'value-format'),
    compression, timeoutMs,
  };
}

/** One delimited input run as a record. */
export function toRecord(run: Buffer, args: ProduceArgs, index: number): ProducerRecordInput {
  const cut = args.keySeparator === undefined ? -1 : run.indexOf(args.keySeparator);
  const record: ProducerRecordInput = cut < 0
    ? { value: decodeBytes(run, args.valueFormat, `record ${index} value`) }
    : { key: decodeBytes(run.subarray(0, cut), args.keyFormat, `record ${index} key`),
      value: decodeBytes(run.subarray(cut + (args.keySeparator as Buffer).length), args.valueFormat, `record ${index} value`) };
  if (args.headers.length > 0) record.headers = args.headers;
  return record;
}

export async function produce(argv: string[]): Promise<number> {
  const args = parseProduceArgs(argv);
  return await withAdmin(args.flags, async (admin, client) => {
    const info = await admin.describeTopic(args.topic);
    if (args.partition !== undefined && args.partition >= info.partitions.length) {
      throw new BrookError('UNKNOWN_TOPIC_OR_PARTITION', `topic '${args.topic}' has ${info.partitions.length} partitions (0-${info.partitions.length - 1}), not ${args.partition}`);
    }
    const producer = client.producer({ acks: args.acks, lingerMs: 5, deliveryTimeoutMs: args.timeoutMs,
      ...(args.compression !== undefined ? { compression: args.compression } : {}) });
    try {
      return await send(producer, args);
    } finally {
      await producer.close().catch(() => {});
    }
  });
}

async function send(producer: Producer, args: ProduceArgs): Promise<number> {
  const started = performance.now();
  const options = args.partition === undefined ? {} : { partition: args.partition };
  let sent = 0;
  let read = 0;
  let failure: unknown;
  const pending: Array<Promise<void>> = [];
  let chunk: ProducerRecordInput[] = [];
  const flushChunk = (): void => {
    if (chunk.length === 0) return;
    const records = chunk;
    chunk = [];
    // Caught at once (an unawaited rejection would crash the process); the first failure ends the command.
    pending.push(producer.send(args.topic, records, options).then(() => { sent += records.length; }, (error: unknown) => { failure ??= error; }));
  };
  for await (const run of delimited(process.stdin, args.delimiter)) {
    chunk.push(toRecord(run, args, read++));
    if (chunk.length >= CHUNK_RECORDS) flushChunk();
    if (pending.length >= IN_FLIGHT_CHUNKS) await pending.shift();
    if (failure !== undefined) break;
  }
  flushChunk();
  await Promise.all(pending);
  if (failure !== undefined) throw failure;
  await producer.flush();
  const seconds = (performance.now() - started) / 1000;
  process.stderr.write(`produced ${sent} records to ${args.topic} in ${seconds.toFixed(2)} s\n`);
  return 0;
}
