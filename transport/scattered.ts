/**
 * The second framing of an envelope on the wire, for envelopes that carry large byte fields
 * (produce requests, fetch replies): the msgpack of the envelope with each such field replaced by
 * a marker that names it, followed by the fields' bytes as they are.
 *
 *   0xc1 · piece count (u32 BE) · head length (u32 BE) · each piece's length (u32 BE) · head · pieces
 *
 * Why: packed inline, every byte of a 4 MiB fetch reply is copied into msgpack's buffer before it is
 * written, and that buffer grows to four times the largest message in fresh memory. Framed this
 * way the head is packed and the pieces go to the socket from the buffers they already live in
 * (transport/outbound-chunks.ts); the receiver gets views into the message, as with a msgpack bin.
 * 0xc1 is the one byte msgpack never uses, and a plain envelope is a map (0x80–0x8f, 0xde, 0xdf),
 * so the first byte tells the framings apart. In the head a marker is msgpack's one-byte extension
 * 0x53 followed by the piece's index; the extension is msgpackr's process-wide table, and outside
 * the decoding of a scattered envelope a marker is an error.
 */
import { addExtension } from 'msgpackr';
import { OWN_WRITE_BYTES_MIN } from './outbound-chunks.js';

export const SCATTERED_TAG = 0xc1;
const MARKER_TYPE = 0x53;
const FIXED_HEADER_BYTES = 9;
/** More pieces than any envelope carries (a fetch reply has one per batch); bounds what a malformed header can claim. */
export const SCATTERED_PIECES_MAX = 4096;
/** Only objects this deep are searched for large fields (a fetch reply's records are at depth 3). */
const SEARCH_DEPTH = 4;

/** A byte field at least this long travels as a piece of its own. */
export const SCATTER_BYTES_MIN = OWN_WRITE_BYTES_MIN;

class PieceMarker {
  constructor(readonly index: number) {}
}

/** The pieces of the scattered envelope being decoded, and which of them the head has named. */
let decoding: { pieces: Uint8Array[]; named: boolean[] } | undefined;

addExtension({
  Class: PieceMarker,
  type: MARKER_TYPE,
  write: (marker: PieceMarker) => marker.index,
  read: (index: unknown) => {
    if (decoding === undefined) throw new Error('a piece marker outside a scattered envelope');
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= decoding.pieces.length) throw new Error(`piece marker ${String(index)} names no piece`);
    if (decoding.named[index]) throw new Error(`piece ${index} named twice`);
    decoding.named[index] = true;
    return decoding.pieces[index];
  },
});

/** `value` with each large byte field replaced by a marker (the field appended to `pieces`); the same object when it has none. */
function marked(value: unknown, pieces: Uint8Array[], depth: number): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (value instanceof Uint8Array) {
    if (value.length < SCATTER_BYTES_MIN) return value;
    pieces.push(value);
    return new PieceMarker(pieces.length - 1);
  }
  if (depth === 0) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const replaced = marked(item, pieces, depth - 1);
      if (replaced !== item) (copy ??= value.slice())[i] = replaced;
    }
    return copy ?? value;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  const object = value as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined;
  for (const key in object) {
    const field = object[key];
    const replaced = marked(field, pieces, depth - 1);
    if (replaced !== field) (copy ??= { ...object })[key] = replaced;
  }
  return copy ?? value;
}

/**
 * The wire form of `value` as buffers to write in order: one msgpack buffer when it has no large
 * byte field, else the scattered framing's header and head, then the fields themselves.
 */
export function scatteredParts(value: unknown, pack: (value: unknown) => Uint8Array): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  const head = marked(value, pieces, SEARCH_DEPTH);
  if (pieces.length === 0) return [pack(value)];
  const headBytes = pack(head);
  const header = Buffer.allocUnsafe(FIXED_HEADER_BYTES + 4 * pieces.length);
  header[0] = SCATTERED_TAG;
  header.writeUInt32BE(pieces.length, 1);
  header.writeUInt32BE(headBytes.length, 5);
  for (let i = 0; i < pieces.length; i++) header.writeUInt32BE(pieces[i]!.length, FIXED_HEADER_BYTES + 4 * i);
  return [header, headBytes, ...pieces];
}

/** Decodes a scattered envelope's head with `unpack`, its markers answered by views of the pieces; throws when the framing is malformed. */
export function decodeScattered(bytes: Uint8Array, unpack: (bytes: Uint8Array) => unknown): unknown {
  if (bytes.length < FIXED_HEADER_BYTES || bytes[0] !== SCATTERED_TAG) throw new Error('not a scattered envelope');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = view.getUint32(1);
  const headLength = view.getUint32(5);
  if (count === 0 || count > SCATTERED_PIECES_MAX) throw new Error(`a scattered envelope of ${count} pieces`);
  let at = FIXED_HEADER_BYTES + 4 * count + headLength;
  if (at > bytes.length) throw new Error('a scattered envelope shorter than its header says');
  const head = bytes.subarray(FIXED_HEADER_BYTES + 4 * count, at);
  const pieces: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const length = view.getUint32(FIXED_HEADER_BYTES + 4 * i);
    if (at + length > bytes.length) throw new Error('a scattered envelope shorter than its pieces');
    pieces.push(bytes.subarray(at, at + length));
    at += length;
  }
  if (at !== bytes.length) throw new Error('bytes after the last piece of a scattered envelope');
  decoding = { pieces, named: new Array<boolean>(count).fill(false) };
  try {
    const value = unpack(head);
    if (decoding.named.includes(false)) throw new Error('a piece the head never names');
    return value;
  } finally {
    decoding = undefined;
  }
}
