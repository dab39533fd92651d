/**
 * Regroups the bytes a NATS server sends so that every message (`MSG`/`HMSG`: control line,
 * payload and the CRLF after it) arrives in one chunk, copied once into a buffer of its exact size.
 *
 * Why: a socket delivers at most 64 KiB per read. For a message longer than what is left of a
 * read, the NATS client copies the rest into a buffer that starts at the read's size and grows by
 * doubling, each growth a fresh zero-filled allocation and a copy of everything so far: a 4 MiB
 * fetch reply is copied about twice and allocated about twice, and those fresh multi-MiB buffers
 * are first touched page by page. A chunk that holds the whole message is handed to subscribers as
 * a view, with no copy at all. The client's parser accepts its input split anywhere, so this only
 * changes where the chunks break, never the bytes or their order.
 *
 * The server's protocol is lines, except a message's payload: `INFO {…}`, `MSG <subject> <sid>
 * [reply] <bytes>`, `HMSG <subject> <sid> [reply] <header bytes> <total bytes>`, `PING`, `PONG`,
 * `+OK`, `-ERR '…'`, each ending in CRLF (a bare LF also ends a line, as the client's parser
 * allows). A control line cut by a read is held back (it is short) and sent with what follows it.
 * Bytes this does not understand, or a message longer than NATS allows, turn it into a pass-through
 * for the rest of the connection, so the client's parser reports them as it would have.
 */

const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;
/**
 * NATS's own ceiling on max_payload (64 MB). A message line claiming more is not gathered (no
 * allocation on a server's word beyond what it may send): it passes through to the client's parser.
 */
const GATHER_BYTES_MAX = 64 * 1024 * 1024;

export class WholeMessageFrames {
  /** The message being gathered: control line, payload and its CRLF, of exactly that length. */
  private gathering: Uint8Array | undefined;
  private gathered = 0;
  /** The start of a control line that the last read cut off, not yet passed on. */
  private lineStart: Uint8Array | undefined;
  private passThrough = false;

  /** The chunks to hand to the client's parser for one socket read, in order. */
  push(read: Uint8Array): Uint8Array[] {
    if (this.passThrough) return [read];
    const out: Uint8Array[] = [];
    let data = read;
    let pos = 0;
    if (this.gathering !== undefined) {
      pos = this.fill(data, out);
      if (this.gathering !== undefined) return out;
    }
    if (this.lineStart !== undefined) {
      // Rare (a read ended inside a control line): join the held start to this read and go on.
      data = concat(this.lineStart, data.subarray(pos));
      this.lineStart = undefined;
      pos = 0;
    }
    const from = pos;
    while (pos < data.length) {
      const lineEnd = data.indexOf(LF, pos);
      if (lineEnd < 0) {
        if (from < pos) out.push(data.subarray(from, pos));
        this.lineStart = data.slice(pos);
        return out;
      }
      const payload = payloadBytes(data, pos, lineEnd);
      if (payload === undefined || payload > GATHER_BYTES_MAX) {
        this.passThrough = true;
        out.push(data.subarray(from));
        return out;
      }
      // A message's payload is followed by CRLF; other lines end at their LF.
      const end = payload < 0 ? lineEnd + 1 : lineEnd + 1 + payload + 2;
      if (end > data.length) {
        if (from < pos) out.push(data.subarray(from, pos));
        this.gathering = Buffer.allocUnsafe(end - pos);
        this.gathered = 0;
        this.fill(data.subarray(pos), out);
        return out;
      }
      pos = end;
    }
    if (from < pos) out.push(data.subarray(from, pos));
    return out;
  }

  /** Copies what it can of `data` into the message being gathered (passed on once complete); returns how much it took. */
  private fill(data: Uint8Array, out: Uint8Array[]): number {
    const target = this.gathering!;
    const take = Math.min(target.length - this.gathered, data.length);
    target.set(data.subarray(0, take), this.gathered);
    this.gathered += take;
    if (this.gathered === target.length) {
      out.push(target);
      this.gathering = undefined;
    }
    return take;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const joined = Buffer.allocUnsafe(a.length + b.length);
  joined.set(a, 0);
  joined.set(b, a.length);
  return joined;
}

/**
 * For the control line `data[start, lineEnd]`: the payload length that follows it for `MSG` and
 * `HMSG` (their last number), -1 for any other operation, undefined if a message line is malformed.
 */
function payloadBytes(data: Uint8Array, start: number, lineEnd: number): number | undefined {
  const first = data[start]! | 0x20; // lower case
  const isMsg = first === 0x6d /* m */ || (first === 0x68 /* h */ && (data[start + 1]! | 0x20) === 0x6d);
  if (!isMsg) return -1;
  let end = lineEnd;
  if (end > start && data[end - 1] === CR) end--;
  while (end > start && (data[end - 1] === SPACE || data[end - 1] === TAB)) end--;
  let size = 0;
  let digits = 0;
  let scale = 1;
  for (let i = end - 1; i > start; i--) {
    const b = data[i]!;
    if (b === SPACE || b === TAB) break;
    if (b < 0x30 || b > 0x39 || digits >= 15) return undefined;
    size += (b - 0x30) * scale;
    scale *= 10;
    digits++;
  }
  return digits === 0 ? undefined : size;
}
