/**
 * msgpackr codec for envelopes. Plain per-message maps (`useRecords: false`): no structure table is
 * shared between messages, so a freshly started node decodes the first message it ever sees
 * (a table that grows at run time would make each message depend on earlier ones). An envelope
 * with large byte fields may also come in the scattered framing (transport/scattered.ts), which
 * `encodeEnvelopeParts` writes and `decodeEnvelope` reads.
 */
import { Packr } from 'msgpackr';
import { ENVELOPE_BYTES_MAX, isAddress, type Envelope } from './envelope.js';
import { SCATTERED_TAG, decodeScattered, scatteredParts } from './scattered.js';

export type CodecErrorCode = 'ENVELOPE_TOO_LARGE' | 'MALFORMED_ENVELOPE';

/** Typed failure of encode/decode; `code` is what callers switch on, never the message. */
export class CodecError extends Error {
  override name = 'CodecError';
  constructor(readonly code: CodecErrorCode, message: string) { super(message); }
}

const packr = new Packr({ useRecords: false, moreTypes: false, bundleStrings: false });

function checkSize(bytes: number): void {
  if (bytes > ENVELOPE_BYTES_MAX) throw new CodecError('ENVELOPE_TOO_LARGE', `envelope of ${bytes} bytes exceeds ${ENVELOPE_BYTES_MAX}`);
}

const pack = (value: unknown): Uint8Array => packr.pack(value);
const unpack = (bytes: Uint8Array): unknown => packr.unpack(bytes);

export function encodeEnvelope(envelope: Envelope): Uint8Array {
  const bytes = packr.pack(envelope);
  checkSize(bytes.length);
  return bytes;
}

/**
 * The envelope as buffers whose concatenation is its wire form: one plain msgpack buffer, or, when
 * it carries byte fields of SCATTER_BYTES_MIN or more, the scattered framing with those fields as
 * buffers of their own (never copied). For transports that can write several buffers as one message.
 */
export function encodeEnvelopeParts(envelope: Envelope): Uint8Array[] {
  const parts = scatteredParts(envelope, pack);
  let bytes = 0;
  for (const part of parts) bytes += part.length;
  checkSize(bytes);
  return parts;
}

/** Decodes and checks the envelope's own fields; the body is validated later, by its receiver. */
export function decodeEnvelope(bytes: Uint8Array): Envelope {
  checkSize(bytes.length);
  let value: unknown;
  try {
    value = bytes[0] === SCATTERED_TAG ? decodeScattered(bytes, unpack) : packr.unpack(bytes);
  } catch (cause) {
    throw new CodecError('MALFORMED_ENVELOPE', `undecodable bytes: ${(cause as Error).message}`);
  }
  return checkEnvelope(value);
}

export function checkEnvelope(value: unknown): Envelope {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CodecError('MALFORMED_ENVELOPE', 'envelope is not a map');
  }
  const e = value as Record<string, unknown>;
  if (!isAddress(e['to'])) throw new CodecError('MALFORMED_ENVELOPE', 'envelope.to is not an address');
  if (!isAddress(e['from'])) throw new CodecError('MALFORMED_ENVELOPE', 'envelope.from is not an address');
  if (typeof e['type'] !== 'string' || e['type'].length === 0 || e['type'].length > 64) {
    throw new CodecError('MALFORMED_ENVELOPE', 'envelope.type is not a message kind');
  }
  if (e['corr'] !== undefined && !Number.isSafeInteger(e['corr'])) {
    throw new CodecError('MALFORMED_ENVELOPE', 'envelope.corr is not an integer');
  }
  if (e['replyTo'] !== undefined && !isAddress(e['replyTo'])) {
    throw new CodecError('MALFORMED_ENVELOPE', 'envelope.replyTo is not an address');
  }
  return e as unknown as Envelope;
}
