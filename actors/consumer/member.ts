/**
 * The group member's basics every group module uses: the member itself, the queue of coordinator
 * requests, the coordinator lookup being reset, and the wire shape of a partition list.
 */
import { assert } from '../assert.js';
import type { BackoffPolicy } from '../client/backoff.js';
import type { TopicPartitions } from '../coordinator/protocol.js';
import type { GroupMember, GroupOp } from './group-types.js';
import type { ConsumerContext, TopicPartition } from './types.js';

/** The step's copy of the member (the caller checked there is one). */
export function member(ctx: ConsumerContext): GroupMember {
  assert(ctx.group !== undefined, 'a group member');
  return ctx.group;
}

/** How long one coordinator request may go unanswered: well inside the session, so a dead coordinator is noticed in time. */
export function groupRequestTimeoutMs(ctx: ConsumerContext): number {
  const g = member(ctx);
  return Math.min(ctx.config.requestTimeoutMs, Math.max(500, Math.floor(g.sessionTimeoutMs / 3)));
}

export function queueOp(ctx: ConsumerContext, op: GroupOp, sendAtMs = ctx.nowMs, attempts = 0): void {
  const g = member(ctx);
  g.queued = [...g.queued, { op, sendAtMs, attempts }];
}

/**
 * The backoff while the coordinator moves (a lookup that failed, NOT_COORDINATOR, UNKNOWN_ADDRESS,
 * COORDINATOR_LOAD_IN_PROGRESS): it grows from retryBackoffMs but never past one heartbeat
 * interval. A coordinator failover lasts a fraction of a second; backing off towards
 * retryBackoffMaxMs would keep members away for up to that long after it ended.
 */
export function coordinatorBackoff(ctx: ConsumerContext, g: GroupMember): BackoffPolicy {
  const { baseMs } = ctx.metadataPolicy.backoff;
  return { baseMs, maxMs: Math.max(baseMs, Math.min(ctx.metadataPolicy.backoff.maxMs, g.heartbeatIntervalMs)) };
}

/** The coordinator moved or cannot be reached: look it up again. */
export function coordinatorLost(ctx: ConsumerContext): void {
  const g = member(ctx);
  g.coordinator = undefined;
  g.heartbeat = undefined;
}

/**
 * Nothing listens at the coordinator's address any more (UNKNOWN_ADDRESS: its process died or the
 * coordinator moved off that node): the requests still out to it will never be answered, so they
 * go back to the head of the queue, in the order they went out, for the next coordinator, as
 * Kafka's client fails a dead connection's requests at once. Waiting for their timeouts instead
 * would hold a revocation (and so the next owner) behind a commit to a dead process.
 */
export function coordinatorGone(ctx: ConsumerContext): void {
  coordinatorLost(ctx);
  const g = member(ctx);
  if (g.inFlight.size === 0) return;
  const waiting = g.queued.length;
  const reclaimed = [...g.inFlight.entries()].sort(([a], [b]) => a - b).map(([, e]) => ({ op: e.op, sendAtMs: ctx.nowMs, attempts: e.attempts }));
  assert(!reclaimed.some((e) => g.queued.some((q) => q.op === e.op)), 'a request is queued or in flight, not both');
  g.queued = [...reclaimed, ...g.queued];
  g.inFlight = new Map();
  assert(g.queued.length === waiting + reclaimed.length, 'every request out to the dead coordinator waits again');
}

export function byTopic(partitions: readonly TopicPartition[]): TopicPartitions[] {
  const topics = new Map<string, number[]>();
  for (const tp of partitions) {
    const list = topics.get(tp.topic) ?? [];
    list.push(tp.partition);
    topics.set(tp.topic, list);
  }
  const out = [...topics.keys()].sort().map((topic) => ({ topic, partitions: (topics.get(topic) as number[]).sort((a, b) => a - b) }));
  assert(out.reduce((n, t) => n + t.partitions.length, 0) === partitions.length, 'grouping by topic keeps every partition');
  assert(out.every((t) => t.partitions.every((p, i) => i === 0 || (t.partitions[i - 1] as number) <= p)), 'partitions ascend numerically within a topic');
  return out;
}
