/**
 * The compression codecs of Brook's clients, registered with the producer and consumer actors
 * (actors/client/compression.ts): gzip from node:zlib, snappy and LZ4 (frame format, as Kafka
 * writes it) from napi-rs modules, zstd from a WebAssembly build. The native modules load on first
 * use, so a client that never compresses never pays for them; zstd needs an asynchronous
 * initialisation, which `connect()` runs once.
 */
import { createRequire } from 'node:module';
import { gunzipSync, gzipSync } from 'node:zlib';
import { registerCodec, type Codec } from '../../actors/client/compression.js';

const require = createRequire(import.meta.url);

/** A codec whose module is loaded the first time it is used. */
function lazy(load: () => Codec): Codec {
  let codec: Codec | undefined;
  return {
    compress: (data) => (codec ??= load()).compress(data),
    decompress: (data) => (codec ??= load()).decompress(data),
  };
}

/** Snappy as Kafka's Java clients write it: the xerial framing (magic, then length-prefixed blocks). */
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);

function unframeXerial(data: Buffer, uncompress: (b: Buffer) => Buffer): Buffer {
  const parts: Buffer[] = [];
  for (let at = 16; at < data.length;) {
    const length = data.readInt32BE(at);
    parts.push(uncompress(data.subarray(at + 4, at + 4 + length)));
    at += 4 + length;
  }
  return Buffer.concat(parts);
}

let zstd: { compress(data: Uint8Array, level?: number): Uint8Array; decompress(data: Uint8Array): Uint8Array } | undefined;

/** Registers every codec; resolves once zstd's WebAssembly is ready (idempotent). */
let ready: Promise<void> | undefined;
export function registerCodecs(): Promise<void> {
  ready ??= (async () => {
    registerCodec('gzip', { compress: (d) => gzipSync(d), decompress: (d) => gunzipSync(d) });
    registerCodec('snappy', lazy(() => {
      const snappy = require('snappy') as { compressSync(b: Uint8Array): Buffer; uncompressSync(b: Uint8Array): Buffer | string };
      const raw = (b: Buffer): Buffer => Buffer.from(snappy.uncompressSync(b) as Buffer);
      return { compress: (d) => snappy.compressSync(d),
        decompress: (d) => { const b = Buffer.from(d.buffer, d.byteOffset, d.byteLength); return b.subarray(0, 8).equals(XERIAL_MAGIC) ? unframeXerial(b, raw) : raw(b); } };
    }));
    registerCodec('lz4', lazy(() => {
      const lz4 = require('lz4-napi') as { compressFrameSync(b: Uint8Array): Buffer; decompressFrameSync(b: Uint8Array): Buffer };
      return { compress: (d) => lz4.compressFrameSync(Buffer.from(d.buffer, d.byteOffset, d.byteLength)),
        decompress: (d) => lz4.decompressFrameSync(Buffer.from(d.buffer, d.byteOffset, d.byteLength)) };
    }));
    const wasm = await import('@bokuweb/zstd-wasm');
    await wasm.init();
    zstd = wasm;
    registerCodec('zstd', { compress: (d) => (zstd as NonNullable<typeof zstd>).compress(d, 3), decompress: (d) => (zstd as NonNullable<typeof zstd>).decompress(d) });
  })();
  return ready;
}
