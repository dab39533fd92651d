/**
 * The one wire shape between Brook actors, nodes and clients (DESIGN.md section 3).
 *
 * Field layout: `to` address · `from` address · `type` message kind · `corr` request id (requests
 * and replies) · `replyTo` address for the reply · `body` plain msgpack data (records stay opaque
 * `Uint8Array`s: a broker never decodes them).
 */
export interface Envelope {
  to: string;
  from: string;
  type: string;
  corr?: number;
  replyTo?: string;
  body: unknown;
}

/** Envelopes larger than this are refused by every transport (an oversized frame is bad input). */
export const ENVELOPE_BYTES_MAX = 8 * 1024 * 1024;

/** Address grammar: `/`-separated segments of printable, non-space characters (DESIGN.md section 4). */
export const ADDRESS_CHARS_MAX = 512;

export function isAddress(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= ADDRESS_CHARS_MAX
    && /^[^\s/][^\s]*$/.test(value) && !value.includes('//') && !value.endsWith('/');
}
