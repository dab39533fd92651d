/**
 * The partition replica's own helpers for one event's handling (the effect vocabulary and the op
 * table are the kit's: actors/kit/fx.ts, actors/kit/ops.ts): a handler gets a shallow copy of the
 * context (`ctx`, whose fields it may replace and whose working-set indexes it may update) and a
 * list to push effects on (`fx`). The machine assigns `ctx` and then runs the effects, in order.
 */
import { assert } from '../assert.js';
import { own } from '../kit/draft.js';
import type { LeaderState, PartitionContext } from './types.js';

export function wallMs(ctx: PartitionContext): number { return ctx.nowMs + ctx.wallOffsetMs; }

/** The leader's NOT_LEADER answer, naming who leads now. */
export function notLeader(ctx: PartitionContext): { code: 'NOT_LEADER'; leaderId: number; leaderEpoch: number } {
  return { code: 'NOT_LEADER', leaderId: ctx.state.leader, leaderEpoch: ctx.state.leaderEpoch };
}

/** FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH when a request carries another epoch than ours (KIP-320). */
export function epochMismatch(ctx: PartitionContext, leaderEpoch: number | undefined):
    { code: 'FENCED_LEADER_EPOCH' | 'UNKNOWN_LEADER_EPOCH'; leaderEpoch: number; leaderId: number } | undefined {
  if (leaderEpoch === undefined || leaderEpoch === ctx.state.leaderEpoch) return undefined;
  const code = leaderEpoch < ctx.state.leaderEpoch ? 'FENCED_LEADER_EPOCH' : 'UNKNOWN_LEADER_EPOCH';
  return { code, leaderEpoch: ctx.state.leaderEpoch, leaderId: ctx.state.leader };
}

export function metaKey(ctx: PartitionContext, name: 'epochs' | 'hw' | 'logStart' | 'producers'): string {
  return `${ctx.metaPrefix}${name}`;
}

/** The leader state, owned by this step (actors/kit/draft.ts): handlers may change its fields. */
export function leaderOf(ctx: PartitionContext): LeaderState {
  assert(ctx.leader !== undefined, 'leader state present when leading');
  return own(ctx, 'leader');
}
