/**
 * The reassignment throttle (Kafka's leader.replication.throttled.rate and
 * follower.replication.throttled.rate, applied as Kafka's reassignment tool applies them: to the
 * replicas a reassignment adds). The node splits the cluster setting
 * `replica.move.throttle.bytes.per.sec` among the moving partitions it leads and among the adding
 * replicas it hosts (runtime/node/throttle-shares.ts); each replica gets its share as a token
 * bucket in bytes, filled by the replica's own clock (ctx.nowMs), never the wall clock.
 *
 * Only a replica that is being added and is not in the ISR is held back: an ISR member never is
 * (as in Kafka), or the HW and every acks=all produce would wait for the move.
 *
 * A fetch is served whole batches up to the tokens at hand, at least one batch once the bucket is
 * positive; the debt a large batch leaves is paid before the next fetch is served. Over any span
 * of T ms the bytes moved are at most rate·T/1000 + the burst + one batch.
 */
import { assert } from '../assert.js';

/** What the node tells a replica: its share of the node's rate and the replicas that are throttled. */
export interface ReplicaThrottle { bytesPerSec: number; replicas: number[] }

export interface ThrottleBucket extends ReplicaThrottle {
  /** Bytes that may be moved now; negative while a served batch larger than the tokens is paid off. */
  tokens: number;
  /** When tokens were last brought up to date. */
  atMs: number;
}

/** The bucket holds at most this much time's worth of the rate: an idle throttle saves up no more than a second. */
const BURST_MS = 1000;

function capacity(b: ReplicaThrottle): number { return (b.bytesPerSec * BURST_MS) / 1000; }

/**
 * The bucket after a new share from the node: the tokens carry over (capped at the new capacity),
 * so a share recomputed when another move ends neither grants a fresh burst nor forgives a debt.
 */
export function applyThrottle(current: ThrottleBucket | undefined, next: ReplicaThrottle | undefined, nowMs: number): ThrottleBucket | undefined {
  if (next === undefined || next.bytesPerSec <= 0 || next.replicas.length === 0) return undefined;
  const carried = current === undefined ? 0 : refill(current, nowMs).tokens;
  return { bytesPerSec: next.bytesPerSec, replicas: [...next.replicas], tokens: Math.min(carried, capacity(next)), atMs: nowMs };
}

export function refill(b: ThrottleBucket, nowMs: number): ThrottleBucket {
  if (nowMs <= b.atMs) return b;
  const tokens = Math.min(capacity(b), b.tokens + ((nowMs - b.atMs) * b.bytesPerSec) / 1000);
  return { ...b, tokens, atMs: nowMs };
}

/** Whether fetches of `replicaId` are throttled: it is being added and is not in `isr`. */
export function throttles(b: ThrottleBucket | undefined, replicaId: number, isr: readonly number[]): b is ThrottleBucket {
  return b !== undefined && b.replicas.includes(replicaId) && !isr.includes(replicaId);
}

/** The bytes a throttled fetch may ask for now (0: none until `readyAtMs`). */
export function allowance(b: ThrottleBucket, bytesMax: number): number {
  return b.tokens <= 0 ? 0 : Math.max(1, Math.min(bytesMax, Math.floor(b.tokens)));
}

/** When the bucket is positive again (now if it already is). */
export function readyAtMs(b: ThrottleBucket): number {
  if (b.tokens > 0) return b.atMs;
  return b.atMs + Math.floor((-b.tokens * 1000) / b.bytesPerSec) + 1;
}

export function charge(b: ThrottleBucket, bytes: number): ThrottleBucket {
  assert(bytes >= 0, 'a throttle is charged a byte count');
  return { ...b, tokens: b.tokens - bytes };
}
