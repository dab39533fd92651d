/**
 * Builds a Kafka frame as a list of buffers: scalars go into a scratch chunk, large byte fields
 * (record batches) are kept as their own parts and never copied. `toParts()` ends the frame; the
 * listener writes the parts to the socket in one corked burst.
 */

const CHUNK_BYTES = 4096;
/** Byte fields at least this long become parts of their own instead of being copied. */
const ZERO_COPY_MIN_BYTES = 512;

export class Writer {
  private readonly parts: Buffer[] = [];
  private chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  private used = 0;
  length = 0;

  private room(bytes: number): number {
    if (this.used + bytes > this.chunk.byteLength) {
      this.flush();
      this.chunk = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, bytes));
    }
    const at = this.used;
    this.used += bytes;
    this.length += bytes;
    return at;
  }

  private flush(): void {
    if (this.used > 0) this.parts.push(this.chunk.subarray(0, this.used));
    this.chunk = this.chunk.subarray(this.used);
    this.used = 0;
  }

  int8(n: number): this { this.chunk.writeInt8(n, this.room(1)); return this; }
  int16(n: number): this { this.chunk.writeInt16BE(n, this.room(2)); return this; }
  int32(n: number): this { this.chunk.writeInt32BE(n, this.room(4)); return this; }
  uint32(n: number): this { this.chunk.writeUInt32BE(n, this.room(4)); return this; }
  int64(n: number | bigint): this { this.chunk.writeBigInt64BE(BigInt(n), this.room(8)); return this; }
  float64(n: number): this { this.chunk.writeDoubleBE(n, this.room(8)); return this; }
  bool(b: boolean): this { return this.int8(b ? 1 : 0); }

  uvarint(n: number): this {
    while (n >= 0x80) { this.chunk[this.room(1)] = (n & 0x7f) | 0x80; n = Math.floor(n / 128); }
    this.chunk[this.room(1)] = n;
    return this;
  }

  raw(bytes: Uint8Array): this {
    if (bytes.byteLength >= ZERO_COPY_MIN_BYTES) {
      this.flush();
      this.parts.push(Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      this.length += bytes.byteLength;
      return this;
    }
    const at = this.room(bytes.byteLength);
    this.chunk.set(bytes, at);
    return this;
  }

  uuid(hex: string): this {
    const bytes = Buffer.from(hex.padStart(32, '0').slice(-32), 'hex');
    return this.raw(bytes.byteLength === 16 ? bytes : Buffer.alloc(16));
  }

  toParts(): Buffer[] {
    this.flush();
    return this.parts;
  }

  toBuffer(): Buffer { return Buffer.concat(this.toParts(), this.length); }
}
