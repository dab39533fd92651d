/**
 * How `brook produce` reads records and `brook consume` writes them, binary-safe, in the manner of
 * kcat: records are delimited byte runs (`--delimiter`, default a newline); keys and values are
 * taken and shown as raw bytes, or as base64 or hex (`--key-format`, `--value-format`); and
 * `--format` lays out each consumed record with kcat's tokens:
 *
 *   %s or %v value · %k key · %S value size · %K key size · %t topic · %p partition · %o offset ·
 *   %T timestamp (epoch ms) · %h headers (k=v,k=v, values raw) · %% a percent sign;
 *   escapes \n \r \t \0 \\ (in --format, --delimiter and --key-separator).
 */
import type { ConsumerRecord } from '../sdk/consumer.js';
import { UsageError } from './args.js';

export type BytesFormat = 'raw' | 'base64' | 'hex';

export function bytesFormat(raw: unknown, flag: string): BytesFormat {
  if (raw === undefined) return 'raw';
  if (raw === 'raw' || raw === 'base64' || raw === 'hex') return raw;
  throw new UsageError(`--${flag} must be raw, base64 or hex, got '${String(raw)}'`);
}

/** `\n`, `\t`, `\r`, `\0` and `\\` as the shell cannot easily pass them. */
export function unescape(text: string): string {
  return text.replace(/\\([nrt0\\])/g, (_, c: string) => ({ n: '\n', r: '\r', t: '\t', '0': '\0', '\\': '\\' })[c] as string);
}

/** Bytes from their text form (input side); a malformed base64/hex run is a usage error naming the record. */
export function decodeBytes(text: Buffer, format: BytesFormat, what: string): Buffer {
  if (format === 'raw') return text;
  const s = text.toString('latin1').trim();
  const valid = format === 'hex' ? /^(?:[0-9a-fA-F]{2})*$/.test(s) : /^[A-Za-z0-9+/_-]*={0,2}$/.test(s);
  if (!valid) throw new UsageError(`${what} is not ${format}: '${s.slice(0, 40)}'`);
  return Buffer.from(s, format);
}

/** The text form of bytes (output side). */
export function encodeBytes(bytes: Uint8Array, format: BytesFormat): Buffer {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return format === 'raw' ? b : Buffer.from(b.toString(format), 'latin1');
}

type Part = (record: ConsumerRecord) => Buffer;

/** A kcat-style format string compiled into a function from a record to the bytes to print. */
export function compileFormat(format: string, keyFormat: BytesFormat, valueFormat: BytesFormat): (record: ConsumerRecord) => Buffer {
  const text = unescape(format);
  const parts: Part[] = [];
  const literal = (s: string): void => { const b = Buffer.from(s, 'utf8'); parts.push(() => b); };
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== '%') continue;
    literal(text.slice(start, i));
    const token = text[i + 1];
    parts.push(formatToken(token, keyFormat, valueFormat));
    i++;
    start = i + 1;
  }
  literal(text.slice(start));
  return (record) => Buffer.concat(parts.map((p) => p(record)));
}

const EMPTY = Buffer.alloc(0);
const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');

function formatToken(token: string | undefined, keyFormat: BytesFormat, valueFormat: BytesFormat): Part {
  switch (token) {
    case 's': case 'v': return (r) => (r.value === null ? EMPTY : encodeBytes(r.value, valueFormat));
    case 'k': return (r) => (r.key === null ? EMPTY : encodeBytes(r.key, keyFormat));
    case 'S': return (r) => utf8(String(r.value === null ? -1 : r.value.byteLength));
    case 'K': return (r) => utf8(String(r.key === null ? -1 : r.key.byteLength));
    case 't': return (r) => utf8(r.topic);
    case 'p': return (r) => utf8(String(r.partition));
    case 'o': return (r) => utf8(String(r.offset));
    case 'T': return (r) => utf8(String(r.timestamp));
    case 'h': return (r) => Buffer.concat(r.headers.flatMap((h, i) => [i > 0 ? utf8(',') : EMPTY, utf8(`${h.key}=`), h.value === null ? EMPTY : encodeBytes(h.value, 'raw')]));
    case '%': return () => utf8('%');
    default: throw new UsageError(`--format: unknown token '%${token ?? ''}' (%s %v %k %S %K %t %p %o %T %h %%)`);
  }
}

/** A record as one JSON line: key, value and header values as UTF-8 text (raw) or in their base64/hex form. */
export function jsonLine(record: ConsumerRecord, keyFormat: BytesFormat, valueFormat: BytesFormat): Buffer {
  const show = (b: Uint8Array | null, format: BytesFormat): string | null => (b === null ? null : encodeBytes(b, format).toString(format === 'raw' ? 'utf8' : 'latin1'));
  return utf8(JSON.stringify({
    topic: record.topic, partition: record.partition, offset: record.offset, timestamp: record.timestamp,
    key: show(record.key, keyFormat), value: show(record.value, valueFormat),
    headers: Object.fromEntries(record.headers.map((h) => [h.key, show(h.value, valueFormat)])),
  }) + '\n');
}

/** The delimited records of a byte stream; a trailing delimiter does not make an empty last record. */
export async function* delimited(input: AsyncIterable<Buffer | string>, delimiter: Buffer): AsyncGenerator<Buffer> {
  if (delimiter.length === 0) throw new UsageError('--delimiter must not be empty');
  let pending: Buffer = Buffer.alloc(0);
  for await (const chunk of input) {
    pending = pending.length === 0 ? Buffer.from(chunk) : Buffer.concat([pending, Buffer.from(chunk)]);
    let start = 0;
    for (let at = pending.indexOf(delimiter, start); at >= 0; at = pending.indexOf(delimiter, start)) {
      yield pending.subarray(start, at);
      start = at + delimiter.length;
    }
    pending = pending.subarray(start);
  }
  if (pending.length > 0) yield pending;
}

/** `--header k=v` (repeatable); a value may contain `=`, a header without `=` has a null value. */
export function parseHeaders(items: string[] | undefined): Array<{ key: string; value: Uint8Array | null }> {
  return (items ?? []).map((item) => {
    const eq = item.indexOf('=');
    if (eq === 0 || item.length === 0) throw new UsageError(`--header takes key=value, got '${item}'`);
    return eq < 0 ? { key: item, value: null } : { key: item.slice(0, eq), value: utf8(item.slice(eq + 1)) };
  });
}
