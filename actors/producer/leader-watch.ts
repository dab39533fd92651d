/**
 * The producer's side of noticing a dead leader (actors/client/leader-watch.ts): its unanswered
 * produce requests would otherwise wait out requestTimeoutMs while the controller has already
 * elected another. When the partition's leader epoch has moved past the one an attempt was
 * addressed to, the attempt is abandoned as NOT_LEADER and retried at the new leader like any
 * retriable error (an idempotent producer's retry is deduplicated by its sequence; otherwise it
 * may duplicate, as a retry after a timeout may).
 */
import { assert } from '../assert.js';
import { leaderRoute } from '../client/metadata.js';
import { LEADER_CHECK_AFTER_MS, LEADER_CHECK_EVERY_MS } from '../client/leader-watch.js';
import type { Fx } from '../kit/fx.js';
import { onBatchError } from './retry.js';
import type { ProducerContext } from './types.js';
import { own } from '../kit/draft.js';
import { ownBatch, ownQueue } from './draft.js';

/** Tick: an overdue attempt marks metadata stale (the refresh itself backs off as usual). */
export function checkOverdueAttempts(ctx: ProducerContext): void {
  assert(LEADER_CHECK_EVERY_MS > 0 && LEADER_CHECK_AFTER_MS > 0, 'the leader watch is spaced');
  if (ctx.nowMs < ctx.leaderCheckAtMs) return;
  for (const q of ctx.queues.values()) {
    if (!q.inFlight.some((b) => ctx.nowMs - b.sentAtMs >= LEADER_CHECK_AFTER_MS)) continue;
    assert(q.inFlight.length <= ctx.config.maxInFlight, 'in flight bounded');
    own(ctx, 'metadata').stale = true;
    ctx.leaderCheckAtMs = ctx.nowMs + LEADER_CHECK_EVERY_MS;
    return;
  }
}

/** After a metadata refresh: attempts addressed to an older leader epoch go back to be retried. */
export function abandonMovedAttempts(ctx: ProducerContext, fx: Fx): void {
  assert(ctx.metadata.request === undefined, 'attempts are checked against a metadata reply just applied');
  for (const [key, shared] of ctx.queues) {
    const route = leaderRoute(ctx.metadata, shared.topic, shared.partition);
    if (route === undefined || !shared.inFlight.some((x) => x.sentLeaderEpoch < route.leaderEpoch)) continue;
    const q = ownQueue(ctx, key);
    // One batch per pass: an idempotent retry sends every batch in flight back at once.
    assert(q.inFlight.length <= ctx.config.maxInFlight, 'in flight bounded');
    for (let guard = q.inFlight.length; guard > 0; guard--) {
      const b = q.inFlight.find((x) => x.sentLeaderEpoch < route.leaderEpoch);
      if (b === undefined) break;
      onBatchError(ctx, fx, q, ownBatch(q, b), { code: 'NOT_LEADER', message: `leader epoch moved from ${b.sentLeaderEpoch} to ${route.leaderEpoch}` });
    }
  }
}
