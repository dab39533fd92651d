/**
 * Opens a data directory written before segments (keys.ts: `'l' | log | offset` and `'m' | key`):
 * its log entries move into segment 0 and its meta keys become versions in segment 0. Each batch
 * writes the new keys and deletes the old ones at once, so a crash midway resumes where it stopped.
 */
import type { Level } from 'level';
import { decodeLegacyLogKey, decodeLegacyMetaKey, legacyLogRange, legacyMetaRange, logKey, versionKey } from './keys.js';
import { encodeVersion } from './versions.js';

type Db = Level<Uint8Array, Uint8Array>;
type Op = { type: 'put'; key: Uint8Array; value: Uint8Array } | { type: 'del'; key: Uint8Array };

/** Legacy entries moved per LevelDB batch. */
const MIGRATION_BATCH_BYTES = 8 * 1_048_576;

export async function migrateLegacyLayout(db: Db): Promise<void> {
  for (;;) {
    const pairs = await db.iterator({ ...legacyLogRange, limit: 4096 }).all();
    if (pairs.length === 0) break;
    const ops: Op[] = [];
    let bytes = 0;
    for (const [key, value] of pairs) {
      const { log, offset } = decodeLegacyLogKey(key);
      ops.push({ type: 'put', key: logKey(0, log, offset), value }, { type: 'del', key });
      bytes += value.byteLength;
      if (bytes >= MIGRATION_BATCH_BYTES) break;
    }
    await db.batch(ops, { sync: true });
  }
  const metas = await db.iterator(legacyMetaRange).all();
  if (metas.length === 0) return;
  const ops: Op[] = [];
  for (const [key, value] of metas) ops.push({ type: 'put', key: versionKey(0, 'meta', decodeLegacyMetaKey(key)), value: encodeVersion(value) }, { type: 'del', key });
  await db.batch(ops, { sync: true });
}
