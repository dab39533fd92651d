/**
 * A bounds-checked cursor over a Kafka frame. Every read that would pass the end, and every length
 * that cannot fit in what is left, throws `KafkaDecodeError`: a malformed frame is refused as a
 * whole (the listener closes that connection), it never allocates on the strength of a length.
 */

export class KafkaDecodeError extends Error {
  override name = 'KafkaDecodeError';
}

export class Reader {
  pos: number;

  constructor(readonly buf: Buffer, start = 0, readonly end = buf.byteLength) { this.pos = start; }

  get remaining(): number { return this.end - this.pos; }

  private need(bytes: number): number {
    if (bytes < 0 || bytes > this.end - this.pos) throw new KafkaDecodeError(`${bytes} bytes needed at ${this.pos}, ${this.end - this.pos} left`);
    const at = this.pos;
    this.pos += bytes;
    return at;
  }

  int8(): number { return this.buf.readInt8(this.need(1)); }
  int16(): number { return this.buf.readInt16BE(this.need(2)); }
  int32(): number { return this.buf.readInt32BE(this.need(4)); }
  uint32(): number { return this.buf.readUInt32BE(this.need(4)); }
  float64(): number { return this.buf.readDoubleBE(this.need(8)); }
  bool(): boolean { return this.int8() !== 0; }

  /** int64 as a number: Brook's offsets, ids and timestamps are safe integers. */
  int64(): number {
    const value = this.buf.readBigInt64BE(this.need(8));
    const n = Number(value);
    if (!Number.isSafeInteger(n)) throw new KafkaDecodeError(`int64 ${value} is not a safe integer`);
    return n;
  }

  bytesView(length: number): Buffer {
    const at = this.need(length);
    return this.buf.subarray(at, at + length);
  }

  /** Kafka's unsigned varint (compact lengths, tag numbers): at most 5 bytes. */
  uvarint(): number {
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const b = this.buf[this.need(1)] as number;
      result += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) {
        if (result > 0xffffffff) throw new KafkaDecodeError('uvarint past 32 bits');
        return result;
      }
    }
    throw new KafkaDecodeError(`uvarint too long at ${this.pos}`);
  }

  /** A length that must fit in what is left: `units` bytes at least per element. */
  length(n: number, units = 1): number {
    if (n < 0 || n * units > this.remaining) throw new KafkaDecodeError(`length ${n} exceeds the ${this.remaining} bytes left at ${this.pos}`);
    return n;
  }

  uuid(): string {
    return this.bytesView(16).toString('hex');
  }
}
