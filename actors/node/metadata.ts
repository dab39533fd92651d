/**
 * A node's copy of the metadata image, kept current by the snapshot and records that heartbeat
 * replies carry. Records are replayed with the same `replay` the controllers use, in offset order;
 * a record at or below the applied offset (a duplicated or reordered reply) is skipped, and a gap
 * stops the batch so the next heartbeat asks again from the applied offset.
 */
import { assert } from '../assert.js';
import { fromPlain, type MetadataImage } from '../metadata/image.js';
import type { MetadataRecord } from '../metadata/records.js';
import { replay } from '../metadata/replay.js';

export interface MetadataDelta { records: ReadonlyArray<{ offset: number; record: MetadataRecord }>; snapshot?: { offset: number; image: MetadataImage } }

/** The image after a delta: the one given when nothing in the delta was new. */
export function applyDelta(image: MetadataImage, delta: MetadataDelta): MetadataImage {
  let next = image;
  if (delta.snapshot !== undefined && delta.snapshot.offset > next.offset) {
    next = fromPlain(delta.snapshot.image);
    assert(next.offset === delta.snapshot.offset, 'a snapshot image is at its offset');
  }
  for (const { offset, record } of delta.records) {
    if (offset <= next.offset) continue;
    // Offsets are Raft indexes; consecutive records are consecutive indexes.
    if (offset !== next.offset + 1) break;
    next = replay(next, record, offset);
  }
  assert(next.offset >= image.offset, 'the applied offset never goes back');
  return next;
}
