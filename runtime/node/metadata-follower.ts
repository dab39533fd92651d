/**
 * A node's copy of the metadata image, kept current by the records (or snapshot) that heartbeat
 * replies carry. Records are replayed with the same `replay` the controllers use, in offset order;
 * a record at or below the applied offset (a duplicated or reordered reply) is skipped, and a gap
 * stops the batch so the next heartbeat asks again from the applied offset.
 */
import { emptyImage, fromPlain, isImage, type MetadataImage } from '../../actors/metadata/image.js';
import type { MetadataRecord } from '../../actors/metadata/records.js';
import { replay } from '../../actors/metadata/replay.js';
import type { BugHooks } from '../bug-hooks.js';

export interface MetadataDelta { records?: Array<{ offset: number; record: unknown }>; snapshot?: { offset: number; image: unknown } }

export class MetadataFollower {
  image: MetadataImage = emptyImage();

  /** `selfId`: the node this follows for (only a planted bug looks at it). */
  constructor(private readonly selfId = -1, private readonly bugs?: BugHooks) {}

  get appliedOffset(): number { return this.image.offset; }

  /** Applies what a heartbeat reply carries; true when the image changed. */
  apply(delta: MetadataDelta): boolean {
    let changed = false;
    if (delta.snapshot && delta.snapshot.offset > this.image.offset && isImage(delta.snapshot.image)) {
      this.image = fromPlain(delta.snapshot.image);
      changed = true;
    }
    for (const { offset, record } of delta.records ?? []) {
      if (offset <= this.image.offset) continue;
      // Offsets are Raft indexes; consecutive records are consecutive indexes.
      if (offset !== this.image.offset + 1) break;
      if (this.bugs?.skipMetadataRecord(this.selfId, record, (id) => this.image.nodes[String(id)]?.nodeEpoch) === true) this.image = { ...this.image, offset }; // a planted bug, never in production
      else this.image = replay(this.image, record as MetadataRecord, offset);
      changed = true;
    }
    return changed;
  }
}
