/**
 * Metadata requests that ask for an image at least as new as `minOffset` (a client that has just
 * changed the cluster, and was told at which offset the change committed) while this node's image
 * is older: they are answered once the node has applied that offset. Bounded in number and in age;
 * one dropped is never answered here, and the client's retry finds a node that has caught up.
 */
import type { Clock } from '../clock.js';
import type { MetadataImage } from '../../actors/metadata/image.js';

const WAITERS_MAX = 1_000;
const WAIT_MS_MAX = 2_000;

interface Waiter { minOffset: number; deadlineMs: number; answer: (image: MetadataImage) => void }

export class MetadataWaiters {
  private waiters: Waiter[] = [];

  constructor(private readonly clock: Clock) {}

  /** Holds `answer` until the image reaches `minOffset`; false when full (the request is dropped). */
  wait(minOffset: number, answer: (image: MetadataImage) => void): boolean {
    if (this.waiters.length >= WAITERS_MAX) return false;
    this.waiters.push({ minOffset, deadlineMs: this.clock.nowMs() + WAIT_MS_MAX, answer });
    return true;
  }

  /**
   * After the node acted on `image`: answers who waited for its offset from that image (the one
   * the notice carries, which the actor's stored snapshot may not show yet), drops who waited too long.
   */
  release(image: MetadataImage): void {
    const offset = image.offset;
    if (this.waiters.length === 0) return;
    const nowMs = this.clock.nowMs();
    const due = this.waiters.filter((w) => w.minOffset <= offset);
    this.waiters = this.waiters.filter((w) => w.minOffset > offset && w.deadlineMs > nowMs);
    for (const w of due) w.answer(image);
  }

  clear(): void { this.waiters = []; }
}
