/**
 * The leader's fetch path: fencing, the divergence check (KIP-595), range checks, follower
 * progress (which moves the HW and the ISR), then an answer from the tail cache, a storage read,
 * or a park in the long-poll purgatory until data arrives or the deadline passes (purgatory.ts).
 * Followers see the log up to the LEO; consumers only batches wholly below the HW.
 */
import { initialProgress, recordFetch } from './isr.js';
import { divergence, latestEpoch } from './log-state.js';
import { advanceLeaderHw, outOfRange, serveOrPark } from './purgatory.js';
import { epochMismatch, leaderOf } from './step.js';
import { reply, type Fx } from '../kit/fx.js';
import { own } from '../kit/draft.js';
import type { FetchReply, FetchRequest, LeaderState, PartitionContext } from './types.js';
import { maybeProposeIsr } from './isr-control.js';

function refusal(ctx: PartitionContext, l: LeaderState, request: FetchRequest): FetchReply | undefined {
  const replica = request.replicaId >= 0;
  if (replica && (request.replicaId === ctx.nodeId || !ctx.state.replicas.includes(request.replicaId))) {
    return { code: 'INVALID_REQUEST', message: `node ${request.replicaId} is not a follower of this partition` };
  }
  const mismatch = epochMismatch(ctx, request.leaderEpoch);
  if (mismatch) return mismatch;
  const known = replica ? l.followers.get(request.replicaId)?.nodeEpoch ?? -1 : -1;
  if (request.nodeEpoch !== undefined && request.nodeEpoch < known) {
    return { code: 'STALE_NODE_EPOCH', message: `node epoch ${request.nodeEpoch} < ${known}` };
  }
  return undefined;
}

export function onFetch(ctx: PartitionContext, fx: Fx, request: FetchRequest): void {
  const l = leaderOf(ctx);
  const refused = refusal(ctx, l, request);
  if (refused) return reply(fx, request, refused);
  // A follower ahead of us in our own epoch means we lost writes (a restart without a new epoch):
  // never tell it to truncate; it waits until the controller moves leadership.
  const ownEpoch = request.lastFetchedEpoch === latestEpoch(ctx.epochs);
  const diverging = ownEpoch ? undefined : divergence(ctx.epochs, ctx.leo, request.fetchOffset, request.lastFetchedEpoch);
  if (diverging) {
    return reply(fx, request, { code: 'OK', divergingEpoch: diverging, hw: ctx.hw, logStartOffset: ctx.logStart });
  }
  if (request.fetchOffset < ctx.logStart || request.fetchOffset > ctx.leo) return reply(fx, request, outOfRange(ctx));
  if (request.replicaId >= 0) {
    const before = l.followers.get(request.replicaId) ?? initialProgress(ctx.nowMs);
    own(l, 'followers').set(request.replicaId, recordFetch(before, request.fetchOffset, ctx.leo, ctx.nowMs, request.nodeEpoch ?? -1));
    advanceLeaderHw(ctx, fx);
    maybeProposeIsr(ctx, fx, request.replicaId);
  }
  serveOrPark(ctx, fx, request, ctx.nowMs + request.maxWaitMs, false);
}

