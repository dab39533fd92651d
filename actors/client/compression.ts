/**
 * Record compression, Kafka's way: a batch's records blob is compressed as a whole, and bits 0-2 of
 * the batch's `attributes` name the codec with Kafka's ids (0 none, 1 gzip, 2 snappy, 3 lz4 (frame
 * format), 4 zstd). Brokers store and serve the blob as it came; producers compress, consumers
 * decompress. The codecs are I/O-free but live in runtime/ (native and WebAssembly modules that
 * actors/ may not import): the runtime registers them here, and a batch whose codec is not
 * registered is refused with UNSUPPORTED_COMPRESSION_TYPE.
 */
import type { ErrorCode } from '../errors.js';

export type Compression = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

export const CODEC_IDS: Readonly<Record<Compression, number>> = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 };
export const COMPRESSIONS = Object.keys(CODEC_IDS) as readonly Compression[];
/** Bits 0-2 of a batch's attributes. */
export const CODEC_MASK = 0x07;

export interface Codec { compress(data: Uint8Array): Uint8Array; decompress(data: Uint8Array): Uint8Array }

const codecs = new Map<number, Codec>();

export function registerCodec(compression: Compression, codec: Codec): void {
  if (compression !== 'none') codecs.set(CODEC_IDS[compression], codec);
}

export function isCompression(value: unknown): value is Compression {
  return typeof value === 'string' && Object.hasOwn(CODEC_IDS, value);
}

type Coded = { ok: true; bytes: Uint8Array } | { ok: false; code: ErrorCode; message: string };

/** The records blob compressed with `compression` (unchanged for none). */
export function compressRecords(compression: Compression, records: Uint8Array): Coded {
  if (compression === 'none') return { ok: true, bytes: records };
  const codec = codecs.get(CODEC_IDS[compression]);
  if (codec === undefined) return { ok: false, code: 'UNSUPPORTED_COMPRESSION_TYPE', message: `no ${compression} codec in this client` };
  return { ok: true, bytes: codec.compress(records) };
}

/** The records blob of a batch with these attributes, decompressed; a broken blob is CORRUPT_MESSAGE. */
export function decompressRecords(attributes: number, records: Uint8Array): Coded {
  const id = attributes & CODEC_MASK;
  if (id === 0) return { ok: true, bytes: records };
  const codec = codecs.get(id);
  if (codec === undefined) return { ok: false, code: 'UNSUPPORTED_COMPRESSION_TYPE', message: `no codec for compression id ${id} in this client` };
  try {
    return { ok: true, bytes: codec.decompress(records) };
  } catch (error) {
    return { ok: false, code: 'CORRUPT_MESSAGE', message: `records do not decompress (codec ${id}): ${String((error as Error)?.message ?? error)}` };
  }
}
