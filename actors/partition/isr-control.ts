/**
 * The leader's ISR proposals to the controller (AlterPartition, KIP-497): at most one outstanding,
 * sent again with the same corr until answered; OK adopts the committed state the controller
 * returns; INVALID_REQUEST (checked and not applied) drops the proposal; any other refusal leaves
 * the outcome unknown, so the proposal stays pending (its maximal ISR keeps counting for the HW)
 * until newer partition state arrives, and is resent after the retry backoff.
 */
import { isrWith, isrWithout, joiningFollower, laggingFollowers, type IsrState } from './isr.js';
import { CONTROLLER_FOR_NODES } from '../kit/addresses.js';
import type { Fx } from '../kit/fx.js';
import { newCorr } from '../kit/ops.js';
import type { AlterPartitionReply, AlterPartitionRequest, PartitionContext, PartitionState } from './types.js';
import { advanceLeaderHw, leaderOf } from './leader.js';

/**
 * Shrink when an ISR member lagged too long; expand only for the follower whose fetch we are
 * handling (Kafka checks expansion on fetch, so a replica we have not heard from never joins).
 */
export function maybeProposeIsr(ctx: PartitionContext, fx: Fx, fetching?: number): void {
  const l = leaderOf(ctx);
  if (l.isr.kind !== 'committed' || !l.ready || ctx.nowMs < l.isrRetryAtMs) return;
  const isr = ctx.state.isr;
  const lagging = laggingFollowers(isr, ctx.nodeId, l.followers, ctx.nowMs, ctx.knobs.replicaLagTimeMaxMs);
  let next: IsrState | undefined;
  const deadlineMs = ctx.nowMs + ctx.knobs.isrProposalTimeoutMs;
  if (lagging.length > 0) {
    next = { kind: 'pendingShrink', isr, proposed: isrWithout(isr, lagging), corr: newCorr(ctx), deadlineMs };
  } else if (fetching !== undefined && ctx.hw >= l.epochStartOffset) {
    // Applied-HWM rule: only a leader whose HW reached its epoch start may let replicas join.
    const joining = joiningFollower([fetching], isr, l.followers, ctx.hw, l.epochStartOffset);
    if (joining !== undefined) next = { kind: 'pendingExpand', isr, proposed: isrWith(isr, joining), corr: newCorr(ctx), deadlineMs };
  }
  if (next === undefined) return;
  l.isr = next;
  if (next.kind !== 'committed') sendProposal(ctx, fx, next.proposed, next.corr);
}

function sendProposal(ctx: PartitionContext, fx: Fx, isr: number[], corr: number): void {
  const body: AlterPartitionRequest = { topicId: ctx.topicId, partition: ctx.partition, leaderId: ctx.nodeId,
    leaderEpoch: ctx.state.leaderEpoch, partitionEpoch: ctx.state.partitionEpoch, isr };
  fx.push({ type: 'send', params: { to: CONTROLLER_FOR_NODES, type: 'alterPartition', corr, body } });
}

/**
 * A follower fetch parks only when there is nothing to send it, and every LEO move wakes it: a
 * follower with a fetch parked here holds our whole log until the moment that fetch leaves the
 * purgatory, however long it waited. Its caught-up time is that moment, not the fetch's arrival;
 * otherwise a long poll longer than replicaLagTimeMaxMs drops every follower of an idle partition
 * from the ISR and its next fetch brings it back: two metadata records per follower per long
 * poll, for as long as the partition stays idle. A fetch from an earlier life of the follower's
 * node (a lower node epoch than the leader has seen from it) counts for nothing, and so does one
 * the reassignment throttle holds back (it parked for want of tokens, not of data).
 */
export function parkedFollowersCaughtUp(ctx: PartitionContext): void {
  const l = leaderOf(ctx);
  for (const { request, heldBack } of l.parked) {
    if (request.replicaId < 0 || heldBack === true) continue;
    const progress = l.followers.get(request.replicaId);
    if (progress === undefined || (request.nodeEpoch ?? -1) < progress.nodeEpoch || progress.lastCaughtUpMs >= ctx.nowMs) continue;
    l.followers.set(request.replicaId, { ...progress, lastCaughtUpMs: ctx.nowMs });
  }
}

/** Tick: resend a proposal whose answer is overdue, or look for a new one. */
export function isrTick(ctx: PartitionContext, fx: Fx): void {
  parkedFollowersCaughtUp(ctx);
  const l = leaderOf(ctx);
  if (l.isr.kind === 'committed') return maybeProposeIsr(ctx, fx);
  if (ctx.nowMs < l.isr.deadlineMs) return;
  l.isr = { ...l.isr, deadlineMs: ctx.nowMs + ctx.knobs.isrProposalTimeoutMs };
  sendProposal(ctx, fx, l.isr.proposed, l.isr.corr);
}

/**
 * The controller's answer. Returns the state to adopt (OK) or undefined; the caller applies it
 * like a metadata change, which also clears the proposal.
 */
export function onAlterPartitionReply(ctx: PartitionContext, fx: Fx, corr: number | undefined, body: AlterPartitionReply): PartitionState | undefined {
  if (ctx.role !== 'leader' || ctx.leader === undefined) return undefined;
  const l = ctx.leader;
  if (l.isr.kind === 'committed' || l.isr.corr !== corr) return undefined;
  if (body.code === 'OK') return body.partition;
  fx.push({ type: 'log', params: { level: 'warn', event: 'alterPartitionRefused', detail: { code: body.code, message: (body as { message?: string }).message, proposed: l.isr.proposed } } });
  if (body.code === 'INVALID_REQUEST') {
    // The controller checked the proposal against the current partition epoch and applied
    // nothing; no controller, past or future, can apply it, so the committed ISR is the truth.
    l.isr = { kind: 'committed', isr: ctx.state.isr };
    l.isrRetryAtMs = ctx.nowMs + ctx.knobs.isrRetryBackoffMs;
    advanceLeaderHw(ctx, fx);
    return undefined;
  }
  // Any other refusal leaves the outcome unknown: a stale partition epoch may answer a resend
  // whose first copy was committed (its OK lost), and a deposed controller's successor may still
  // commit it. Falling back to the old ISR would drop a joiner the controller may have added, and
  // this leader would then commit offsets that a leader elected from that ISR lacks. So the
  // maximal ISR stays in force until a newer partition state arrives (metadata or an OK); the
  // proposal is resent after the backoff in case the refusal was transient.
  l.isr = { ...l.isr, deadlineMs: ctx.nowMs + ctx.knobs.isrRetryBackoffMs };
  return undefined;
}
