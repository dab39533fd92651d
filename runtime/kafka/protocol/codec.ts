/**
 * Encodes and decodes Kafka messages by walking their schema (schema.ts) for one version. Flexible
 * versions (KIP-482) use compact strings, bytes and arrays (unsigned varint of length + 1, 0 =
 * null) and end every struct with a tagged-field section; unknown tags are skipped on decode.
 * Decoded messages are plain objects keyed by camelCase field names; int64 values are numbers.
 */
import { inRange, type Field, type MessageSchema, type Primitive } from './schema.js';
import { KafkaDecodeError, type Reader } from './reader.js';
import type { Writer } from './writer.js';

export type Message = Record<string, unknown>;

const utf8 = new TextDecoder('utf-8', { fatal: true });

function typeDefault(field: Field): unknown {
  if (field.defaultValue !== undefined) return field.defaultValue;
  if (field.array) return [];
  if (Array.isArray(field.type)) return null;
  switch (field.type) {
    case 'bool': return false;
    case 'string': return '';
    case 'bytes': case 'records': return null;
    case 'uuid': return '00000000000000000000000000000000';
    default: return 0;
  }
}

// ---- decode ----

function readLength(r: Reader, flexible: boolean, wide: boolean): number {
  if (flexible) return r.uvarint() - 1;
  return wide ? r.int32() : r.int16();
}

function readString(r: Reader, flexible: boolean): string | null {
  const n = readLength(r, flexible, false);
  if (n < 0) return null;
  try {
    return utf8.decode(r.bytesView(r.length(n)));
  } catch (error) {
    if (error instanceof KafkaDecodeError) throw error;
    throw new KafkaDecodeError('a string is not UTF-8');
  }
}

function readBytes(r: Reader, flexible: boolean): Buffer | null {
  const n = readLength(r, flexible, true);
  if (n < 0) return null;
  return r.bytesView(r.length(n));
}

function readPrimitive(r: Reader, type: Primitive, flexible: boolean): unknown {
  switch (type) {
    case 'bool': return r.bool();
    case 'int8': return r.int8();
    case 'int16': return r.int16();
    case 'int32': return r.int32();
    case 'int64': return r.int64();
    case 'float64': return r.float64();
    case 'uuid': return r.uuid();
    case 'string': return readString(r, flexible);
    case 'bytes': case 'records': return readBytes(r, flexible);
  }
}

function checkNull(field: Field, version: number, value: unknown): unknown {
  if (value === null && !inRange(field.nullable, version)) throw new KafkaDecodeError(`${field.name} is null in version ${version}`);
  return value;
}

function readValue(r: Reader, field: Field, version: number, flexible: boolean): unknown {
  if (field.array) {
    const n = readLength(r, flexible, true);
    if (n < 0) return checkNull(field, version, null);
    const count = r.length(n);
    const out = new Array<unknown>(count);
    for (let i = 0; i < count; i++) out[i] = readElement(r, field, version, flexible);
    return out;
  }
  return readElement(r, field, version, flexible);
}

function readElement(r: Reader, field: Field, version: number, flexible: boolean): unknown {
  if (Array.isArray(field.type)) return readStruct(r, field.type, version, flexible);
  return checkNull(field, version, readPrimitive(r, field.type, flexible));
}

export function readStruct(r: Reader, fields: Field[], version: number, flexible: boolean): Message {
  const out: Message = {};
  for (const field of fields) {
    if (field.tag !== undefined || !inRange(field.versions, version)) { out[field.name] = typeDefault(field); continue; }
    out[field.name] = readValue(r, field, version, flexible);
  }
  if (flexible) readTaggedFields(r, fields, version, out);
  return out;
}

function readTaggedFields(r: Reader, fields: Field[], version: number, out: Message): void {
  const count = r.length(r.uvarint());
  for (let i = 0; i < count; i++) {
    const tag = r.uvarint();
    const size = r.length(r.uvarint());
    const field = fields.find((x) => x.tag === tag && inRange(x.versions, version));
    if (field === undefined) { r.bytesView(size); continue; }
    const end = r.pos + size;
    out[field.name] = readValue(r, field, version, true);
    if (r.pos !== end) throw new KafkaDecodeError(`tagged field ${field.name} is ${size} bytes but read ${r.pos - end + size}`);
  }
}

export function decodeMessage(schema: MessageSchema, version: number, r: Reader): Message {
  return readStruct(r, schema.fields, version, inRange(schema.flexibleVersions, version));
}

// ---- encode ----

function writeLength(w: Writer, n: number, flexible: boolean, wide: boolean): void {
  if (flexible) w.uvarint(n + 1);
  else if (wide) w.int32(n);
  else w.int16(n);
}

function writePrimitive(w: Writer, type: Primitive, value: unknown, flexible: boolean): void {
  switch (type) {
    case 'bool': w.bool(value === true); return;
    case 'int8': w.int8(Number(value)); return;
    case 'int16': w.int16(Number(value)); return;
    case 'int32': w.int32(Number(value)); return;
    case 'int64': w.int64(typeof value === 'bigint' ? value : Number(value)); return;
    case 'float64': w.float64(Number(value)); return;
    case 'uuid': w.uuid(String(value)); return;
    case 'string': {
      if (value === null || value === undefined) { writeLength(w, -1, flexible, false); return; }
      const bytes = Buffer.from(String(value), 'utf8');
      writeLength(w, bytes.byteLength, flexible, false);
      w.raw(bytes);
      return;
    }
    case 'bytes': case 'records': {
      if (value === null || value === undefined) { writeLength(w, -1, flexible, true); return; }
      const parts = Array.isArray(value) ? value as Uint8Array[] : [value as Uint8Array];
      writeLength(w, parts.reduce((n, p) => n + p.byteLength, 0), flexible, true);
      for (const part of parts) w.raw(part);
      return;
    }
  }
}

function writeValue(w: Writer, field: Field, version: number, value: unknown, flexible: boolean): void {
  if (field.array) {
    if (value === null || value === undefined) {
      if (value === null && inRange(field.nullable, version)) { writeLength(w, -1, flexible, true); return; }
      writeLength(w, 0, flexible, true);
      return;
    }
    const items = value as unknown[];
    writeLength(w, items.length, flexible, true);
    for (const item of items) writeElement(w, field, version, item, flexible);
    return;
  }
  writeElement(w, field, version, value, flexible);
}

function writeElement(w: Writer, field: Field, version: number, value: unknown, flexible: boolean): void {
  if (Array.isArray(field.type)) writeStruct(w, field.type, version, (value ?? {}) as Message, flexible);
  else writePrimitive(w, field.type, value === undefined ? typeDefault(field) : value, flexible);
}

export function writeStruct(w: Writer, fields: Field[], version: number, value: Message, flexible: boolean): void {
  const tagged: Field[] = [];
  for (const field of fields) {
    if (!inRange(field.versions, version)) continue;
    if (field.tag !== undefined) { if (flexible && value[field.name] !== undefined && value[field.name] !== null) tagged.push(field); continue; }
    writeValue(w, field, version, value[field.name], flexible);
  }
  if (!flexible) return;
  w.uvarint(tagged.length);
  for (const field of tagged.sort((a, b) => (a.tag as number) - (b.tag as number))) {
    // A tagged field carries its size first: encode it apart to learn it.
    const inner = new (w.constructor as new () => Writer)();
    writeValue(inner, field, version, value[field.name], true);
    w.uvarint(field.tag as number).uvarint(inner.length);
    for (const part of inner.toParts()) w.raw(part);
  }
}

export function encodeMessage(schema: MessageSchema, version: number, value: Message, w: Writer): void {
  writeStruct(w, schema.fields, version, value, inRange(schema.flexibleVersions, version));
}
