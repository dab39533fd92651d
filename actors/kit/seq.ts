/**
 * A persistent sequence for long, append-mostly lists held in actor context (a partition's tail
 * cache and batch index): push at the end, drop from the front, cut at the end, read by position.
 * Every change returns a new sequence and leaves the old one intact, sharing all but a small part
 * with it, so handlers stay pure without copying the whole list per event.
 *
 * Layout: full chunks of CHUNK items (never changed once full) plus a tail of fewer than CHUNK
 * items; `head` is how many items of the first chunk (or of the tail, when there are no chunks)
 * were dropped. A push copies the tail (under CHUNK items) and, every CHUNK pushes, the chunk list.
 */
import { assert } from '../assert.js';

const BITS = 6;
const CHUNK = 1 << BITS;
const MASK = CHUNK - 1;

export interface Seq<T> {
  readonly chunks: ReadonlyArray<ReadonlyArray<T>>;
  readonly tail: ReadonlyArray<T>;
  readonly head: number;
  readonly length: number;
}

const EMPTY: Seq<never> = { chunks: [], tail: [], head: 0, length: 0 };

export function emptySeq<T>(): Seq<T> { return EMPTY; }

/** The item at position `i` (0 = the first kept), or undefined outside the sequence. */
export function seqAt<T>(seq: Seq<T>, i: number): T | undefined {
  if (i < 0 || i >= seq.length) return undefined;
  const g = seq.head + i;
  const c = g >> BITS;
  return c < seq.chunks.length ? (seq.chunks[c] as ReadonlyArray<T>)[g & MASK] : seq.tail[g - seq.chunks.length * CHUNK];
}

export function seqLast<T>(seq: Seq<T>): T | undefined { return seqAt(seq, seq.length - 1); }

export function seqPush<T>(seq: Seq<T>, item: T): Seq<T> {
  const tail = seq.tail.concat([item]);
  assert(tail.length <= CHUNK, 'the tail stays under a chunk');
  if (tail.length < CHUNK) return { chunks: seq.chunks, tail, head: seq.head, length: seq.length + 1 };
  return { chunks: seq.chunks.concat([tail]), tail: [], head: seq.head, length: seq.length + 1 };
}

/** Without the first `n` items. */
export function seqDropFirst<T>(seq: Seq<T>, n: number): Seq<T> {
  if (!(n >= 0 && n <= seq.length)) assert(false, `drop ${n} of ${seq.length}`);
  if (n === 0) return seq;
  if (n === seq.length) return EMPTY;
  let head = seq.head + n;
  const whole = Math.min(head >> BITS, seq.chunks.length);
  const chunks = whole === 0 ? seq.chunks : seq.chunks.slice(whole);
  head -= whole * CHUNK;
  let tail = seq.tail;
  if (chunks.length === 0 && head > 0) { tail = tail.slice(head); head = 0; }
  assert(head < CHUNK, 'the head lies in the first chunk');
  return { chunks, tail, head, length: seq.length - n };
}

/** Only the first `n` items. */
export function seqTake<T>(seq: Seq<T>, n: number): Seq<T> {
  assert(n >= 0, 'take a non-negative count');
  if (n >= seq.length) return seq;
  if (n === 0) return EMPTY;
  const end = seq.head + n;
  const c = end >> BITS;
  if (c >= seq.chunks.length) return { chunks: seq.chunks, tail: seq.tail.slice(0, end - seq.chunks.length * CHUNK), head: seq.head, length: n };
  assert(c < seq.chunks.length && n < seq.length, 'the cut lies in a full chunk');
  return { chunks: seq.chunks.slice(0, c), tail: (seq.chunks[c] as ReadonlyArray<T>).slice(0, end & MASK), head: seq.head, length: n };
}

/** The first position whose item satisfies `pred` (which must be false then true along the sequence), or the length. */
export function seqSearch<T>(seq: Seq<T>, pred: (item: T) => boolean): number {
  assert(seq.length >= 0 && seq.head < CHUNK, 'a sequence');
  let lo = 0;
  let hi = seq.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (pred(seqAt(seq, mid) as T)) hi = mid; else lo = mid + 1;
  }
  assert(lo >= 0 && lo <= seq.length, 'the position lies within the sequence');
  return lo;
}

export function seqToArray<T>(seq: Seq<T>): T[] {
  const out: T[] = [];
  for (let i = 0; i < seq.length; i++) out.push(seqAt(seq, i) as T);
  return out;
}
