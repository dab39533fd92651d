/** The producer's compression setting, by Kafka's names (the codecs themselves: runtime/sdk/codecs.ts). */
export type Compression = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

export const COMPRESSIONS: readonly Compression[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

/** The setting named by `raw`, or null when it names none. */
export function parseCompression(raw: string): Compression | null {
  return (COMPRESSIONS as readonly string[]).includes(raw) ? raw as Compression : null;
}
