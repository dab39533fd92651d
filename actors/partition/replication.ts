/**
 * The leader's side of replication (Kafka's Partition + DelayedProduce/DelayedFetch), in the order
 * a request meets it:
 * - fetch (from a follower or a consumer): fencing, the divergence check (KIP-595), range checks,
 *   then a follower's progress, which moves the HW and may change the ISR;
 * - the HW = min LEO over the maximal ISR; whatever moves the LEO, the HW or the ISR calls
 *   advanceLeaderHw, which answers every produce it now satisfies and wakes the parked fetches;
 * - the two purgatories: produces wait, ordered by last offset, until the LEO (acks=1) or the HW
 *   (acks=all) passes them or their deadline; long-poll fetches wait until there is data for them
 *   or their deadline, and are answered from the tail cache or one storage read. Followers see the
 *   log up to what the leader accepted (leoPending: parallel replication, served while the leader's
 *   own write is under way), consumers only batches wholly below the HW. Both lists are bounded by their
 *   knobs, checked before anything is added. A replica being added by a reassignment gets no more
 *   than the throttle allows (throttle.ts): while the bucket is empty its fetch is parked, and its
 *   progress still counts from the moment it arrived;
 * - ISR proposals to the controller (AlterPartition, KIP-497): at most one outstanding, sent again
 *   with the same corr until answered; OK adopts the committed state the controller returns;
 *   INVALID_REQUEST (checked and not applied) drops the proposal; any other refusal leaves the
 *   outcome unknown, so the proposal stays pending (its maximal ISR keeps counting for the HW)
 *   until newer partition state arrives, and is resent after the retry backoff.
 */
import { assert } from '../assert.js';
import { isStoredBatch, type StoredBatch } from './batch.js';
import { computeHw, initialProgress, isrWith, isrWithout, joiningFollower, laggingFollowers, maximalIsr, recordFetch, type IsrState } from './isr.js';
import { hwMoved } from './watch.js';
import { divergence, latestEpoch, setHw } from './log.js';
import { tailCollect } from './log-cache.js';
import { epochMismatch, leaderOf, notLeader } from './step.js';
import { CONTROLLER_FOR_NODES } from '../kit/addresses.js';
import { reply, send, type Fx } from '../kit/fx.js';
import { newCorr, newToken } from '../kit/ops.js';
import { own } from '../kit/draft.js';
import { splitExpired, splitWhere, waitInOrder } from '../kit/purgatory.js';
import { allowance, charge, readyAtMs, refill, throttles } from './throttle.js';
import type { AlterPartitionReply, AlterPartitionRequest, FetchReply, FetchRequest, LeaderState, PartitionContext, PartitionState, ProduceReply, ProduceWaiter } from './types.js';

// ---- fetch ----

function refusal(ctx: PartitionContext, l: LeaderState, request: FetchRequest): FetchReply | undefined {
  assert(l.leaderEpoch === ctx.state.leaderEpoch, 'a leader serves in the epoch the state names');
  assert(request.fetchOffset >= 0 && request.bytesMax >= 1, 'fetch bounds were validated at the edge');
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
  assert(ctx.logStart <= ctx.hw && ctx.hw <= ctx.leo, 'logStart <= hw <= leo before a fetch');
  // A follower ahead of us in our own epoch means we lost writes (a restart without a new epoch):
  // never tell it to truncate; it waits until the controller moves leadership.
  const ownEpoch = request.lastFetchedEpoch === latestEpoch(ctx.epochs);
  const diverging = ownEpoch ? undefined : divergence(ctx.epochs, ctx.leoPending, request.fetchOffset, request.lastFetchedEpoch);
  if (diverging) {
    return reply(fx, request, { code: 'OK', divergingEpoch: diverging, hw: ctx.hw, logStartOffset: ctx.logStart });
  }
  if (request.fetchOffset < ctx.logStart || request.fetchOffset > ctx.leoPending) return reply(fx, request, outOfRange(ctx));
  if (request.replicaId >= 0) {
    const before = l.followers.get(request.replicaId) ?? initialProgress(ctx.nowMs);
    own(l, 'followers').set(request.replicaId, recordFetch(before, request.fetchOffset, ctx.leoPending, ctx.nowMs, request.nodeEpoch ?? -1));
    assert(l.followers.get(request.replicaId)?.leo === request.fetchOffset, 'the follower\'s progress is its fetch offset');
    advanceLeaderHw(ctx, fx);
    maybeProposeIsr(ctx, fx, request.replicaId);
  }
  serveOrPark(ctx, fx, request, ctx.nowMs + request.maxWaitMs, false);
}

// ---- the HW and the purgatories ----

/** A new list with `waiter` inserted in lastOffset order (a duplicate retry may wait on an older offset). */
export function withWaiter(waiters: readonly ProduceWaiter[], waiter: ProduceWaiter): ProduceWaiter[] {
  assert(waiter.baseOffset <= waiter.lastOffset, 'a waiter waits for a batch');
  const out = waitInOrder(waiters, waiter, lastOffsetOf);
  assert(out.length === waiters.length + 1, 'one waiter added');
  return out;
}

function lastOffsetOf(w: ProduceWaiter): number { return w.lastOffset; }

/** The waiters whose offset `leo` or `hw` now covers, and the rest (the same list when none is). */
export function splitCompleted(waiters: readonly ProduceWaiter[], leo: number, hw: number): [done: ProduceWaiter[], rest: readonly ProduceWaiter[]] {
  assert(hw <= leo, 'splitCompleted: hw <= leo');
  return splitWhere(waiters, (w) => w.lastOffset < (w.waitFor === 'leo' ? leo : hw));
}

/** HW = min LEO over the maximal ISR; then every waiter it or the LEO satisfies is answered. */
export function advanceLeaderHw(ctx: PartitionContext, fx: Fx): void {
  const l = leaderOf(ctx);
  const hw = computeHw(ctx.hw, ctx.leo, ctx.nodeId, maximalIsr(l.isr), l.followers);
  assert(hw <= ctx.leo, 'the HW never passes the leader\'s LEO');
  const moved = setHw(ctx, fx, hw);
  assert(ctx.hw >= hw, 'the HW is at least what the ISR allows');
  completeProduces(ctx, fx);
  if (moved) {
    hwMoved(ctx, fx, l);
    wakeParkedFetches(ctx, fx, 'hw');
  }
}

export function completeProduces(ctx: PartitionContext, fx: Fx): void {
  const l = leaderOf(ctx);
  assert(ctx.hw <= ctx.leo, 'completeProduces: hw <= leo');
  const enough = ctx.state.isr.length >= ctx.configs.minInsyncReplicas;
  const [done, rest] = splitCompleted(l.waiters, ctx.leo, ctx.hw);
  l.waiters = rest;
  assert(rest.every((w) => w.lastOffset >= (w.waitFor === 'leo' ? ctx.leo : ctx.hw)), 'every waiter left is still unsatisfied');
  for (const w of done) {
    const body: ProduceReply = w.waitFor === 'hw' && !enough
      ? { code: 'NOT_ENOUGH_REPLICAS_AFTER_APPEND', message: `isr ${ctx.state.isr.length} < ${ctx.configs.minInsyncReplicas}` }
      : { code: 'OK', baseOffset: w.baseOffset, logStartOffset: ctx.logStart };
    send(fx, w.to, 'produceReply', body, w.corr);
  }
}

export function expireProduces(ctx: PartitionContext, fx: Fx): void {
  const l = leaderOf(ctx);
  const [expired, rest] = splitExpired(l.waiters, ctx.nowMs);
  l.waiters = rest;
  assert(rest.every((w) => w.deadlineMs > ctx.nowMs), 'every waiter left is still in time');
  assert(expired.every((w) => w.deadlineMs <= ctx.nowMs), 'only waiters past their deadline expire');
  for (const w of expired) {
    send(fx, w.to, 'produceReply', { code: 'REQUEST_TIMED_OUT', message: `offset ${w.lastOffset} not ${w.waitFor === 'hw' ? 'committed' : 'stored'} in time` }, w.corr);
  }
}

export function outOfRange(ctx: PartitionContext): FetchReply {
  return { code: 'OFFSET_OUT_OF_RANGE', logStartOffset: ctx.logStart, leo: ctx.leoPending };
}

function endFor(ctx: PartitionContext, request: FetchRequest): number {
  return request.replicaId >= 0 ? ctx.leoPending : ctx.hw;
}

function okReply(ctx: PartitionContext, request: FetchRequest, batches: StoredBatch[]): FetchReply {
  return request.replicaId >= 0
    ? { code: 'OK', hw: ctx.hw, logStartOffset: ctx.logStart, leo: ctx.leoPending, batches }
    : { code: 'OK', hw: ctx.hw, logStartOffset: ctx.logStart, batches };
}

/** The bytes a throttled follower's fetch may get now (0: none yet), or undefined when it is not throttled. */
function throttledBytes(ctx: PartitionContext, request: FetchRequest): number | undefined {
  if (request.replicaId < 0 || !throttles(ctx.throttle, request.replicaId, maximalIsr(leaderOf(ctx).isr))) return undefined;
  ctx.throttle = refill(ctx.throttle, ctx.nowMs);
  return allowance(ctx.throttle, request.bytesMax);
}

/** Replies with `batches`, charging a throttled follower's bucket for them. */
function answer(ctx: PartitionContext, fx: Fx, request: FetchRequest, batches: StoredBatch[]): void {
  assert(batches.every((b) => b.lastOffset < endFor(ctx, request)), 'no batch past what the reader may see');
  assert(batches.length === 0 || batches[0]!.lastOffset >= request.fetchOffset, 'an answer starts at the batch holding the fetch offset');
  if (batches.length > 0 && request.replicaId >= 0 && throttles(ctx.throttle, request.replicaId, maximalIsr(leaderOf(ctx).isr))) {
    let bytes = 0;
    for (const b of batches) bytes += b.bytes;
    ctx.throttle = charge(refill(ctx.throttle, ctx.nowMs), bytes);
  }
  reply(fx, request, okReply(ctx, request, batches));
}

/** Answers now when there is enough data (or `mustAnswer`), else parks until data or deadline. */
export function serveOrPark(ctx: PartitionContext, fx: Fx, original: FetchRequest, deadlineMs: number, mustAnswer: boolean): void {
  const l = leaderOf(ctx);
  if (original.fetchOffset < ctx.logStart) return reply(fx, original, outOfRange(ctx));
  const canWait = original.maxWaitMs > 0 && deadlineMs > ctx.nowMs && l.parked.length < ctx.knobs.fetchesParkedMax;
  const allowed = throttledBytes(ctx, original);
  if (allowed === 0 && ctx.throttle !== undefined) {
    if (mustAnswer || !canWait) return answer(ctx, fx, original, []);
    l.parked = [...l.parked, { request: original, deadlineMs: Math.min(deadlineMs, readyAtMs(ctx.throttle)), heldBack: true }];
    return;
  }
  const request = allowed === undefined ? original : { ...original, bytesMax: allowed };
  const end = endFor(ctx, request);
  // Batches accepted but not yet stored live only in the tail cache; if it has let them go (an
  // append queue larger than the cache), the fetch waits for the write (appends wake it).
  const batches = request.fetchOffset >= end ? []
    : tailCollect(ctx.tail, request.fetchOffset, end, request.bytesMax) ?? (request.fetchOffset >= ctx.leo ? [] : undefined);
  assert(end <= ctx.leoPending && end >= ctx.logStart, 'a fetch is answered within the accepted log');
  assert(batches === undefined || batches.every((b) => b.lastOffset < end), 'no batch past what the reader may see');
  if (batches === undefined) {
    if (l.readsInFlight >= ctx.knobs.readsInFlightMax) return reply(fx, request, { code: 'REPLICA_BUSY', message: 'too many fetch reads' });
    l.readsInFlight++;
    const token = newToken(ctx, { kind: 'fetchRead', request, deadlineMs });
    fx.push({ type: 'read', params: { token, log: ctx.logName, fromOffset: request.fetchOffset, bytesMax: request.bytesMax } });
    return;
  }
  let bytes = 0;
  for (const b of batches) bytes += b.bytes;
  const enough = batches.length > 0 && bytes >= request.minBytes;
  if (enough || mustAnswer || !canWait) return answer(ctx, fx, request, batches);
  l.parked = [...l.parked, { request: original, deadlineMs }]; // Bounded by fetchesParkedMax, and few in practice.
}

/** New data ('leo': wakes followers) or a new HW ('hw': wakes consumers). */
export function wakeParkedFetches(ctx: PartitionContext, fx: Fx, reason: 'leo' | 'hw'): void {
  const l = leaderOf(ctx);
  if (l.parked.length === 0) return;
  assert(l.parked.length <= ctx.knobs.fetchesParkedMax, 'the fetch purgatory is bounded');
  // A woken follower fetch was at our LEO until this append.
  if (reason === 'leo') parkedFollowersCaughtUp(ctx);
  const parked = l.parked;
  l.parked = parked.filter((p) => (p.request.replicaId >= 0) !== (reason === 'leo'));
  assert(l.parked.length <= parked.length, 'waking never parks more');
  for (const p of parked) {
    const interested = (p.request.replicaId >= 0) === (reason === 'leo');
    if (interested) serveOrPark(ctx, fx, p.request, p.deadlineMs, false);
  }
}

export function expireParkedFetches(ctx: PartitionContext, fx: Fx): void {
  const l = leaderOf(ctx);
  parkedFollowersCaughtUp(ctx);
  const [expired, rest] = splitExpired(l.parked, ctx.nowMs);
  l.parked = rest;
  for (const p of expired) serveOrPark(ctx, fx, p.request, p.deadlineMs, true);
}

/** A fetch's storage read finished: answer with the batches the reader may see now. */
export function fetchReadDone(ctx: PartitionContext, fx: Fx, request: FetchRequest, entries: ReadonlyArray<{ offset: number; value: unknown }>,
    error: string | undefined): void {
  if (ctx.leader === undefined) return reply(fx, request, notLeader(ctx));
  const l = leaderOf(ctx);
  assert(l.readsInFlight <= ctx.knobs.readsInFlightMax, 'fetch reads are bounded');
  // A read issued under an earlier leader epoch is not counted by this leader state.
  if (l.readsInFlight > 0) l.readsInFlight--;
  if (error !== undefined) return reply(fx, request, { code: 'STORAGE_ERROR', message: error });
  if (request.fetchOffset < ctx.logStart) return reply(fx, request, outOfRange(ctx));
  const end = endFor(ctx, request);
  const batches: StoredBatch[] = [];
  let bytes = 0;
  for (const entry of entries) {
    if (!isStoredBatch(entry.value)) assert(false, `log entry ${entry.offset} is a stored batch`);
    const batch = entry.value;
    if (batch.lastOffset < request.fetchOffset) continue;
    if (batch.lastOffset >= end) break;
    if (batches.length > 0 && bytes + batch.bytes > request.bytesMax) break;
    batches.push(batch);
    bytes += batch.bytes;
  }
  answer(ctx, fx, request, batches);
}

/** Leadership lost: every parked fetch learns who leads now (the caller drops the leader state). */
export function failParkedFetches(ctx: PartitionContext, fx: Fx, l: LeaderState): void {
  for (const p of l.parked) reply(fx, p.request, notLeader(ctx));
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
  assert(l.parked.length <= ctx.knobs.fetchesParkedMax, 'the fetch purgatory is bounded');
  for (const { request, heldBack } of l.parked) {
    if (request.replicaId < 0 || heldBack === true) continue;
    const progress = l.followers.get(request.replicaId);
    if (progress === undefined || (request.nodeEpoch ?? -1) < progress.nodeEpoch || progress.lastCaughtUpMs >= ctx.nowMs) continue;
    assert(request.replicaId !== ctx.nodeId, 'a leader never fetches from itself');
    own(l, 'followers').set(request.replicaId, { ...progress, lastCaughtUpMs: ctx.nowMs });
  }
}

// ---- ISR proposals ----

/**
 * Shrink when an ISR member lagged too long; expand only for the follower whose fetch we are
 * handling (Kafka checks expansion on fetch, so a replica we have not heard from never joins).
 */
export function maybeProposeIsr(ctx: PartitionContext, fx: Fx, fetching?: number): void {
  const l = leaderOf(ctx);
  if (l.isr.kind !== 'committed' || !l.ready || ctx.nowMs < l.isrRetryAtMs) return;
  const isr = ctx.state.isr;
  const lagging = laggingFollowers(isr, ctx.nodeId, l.followers, ctx.nowMs, ctx.knobs.replicaLagTimeMaxMs);
  let next: Exclude<IsrState, { kind: 'committed' }> | undefined;
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
  assert(next.proposed.includes(ctx.nodeId), 'a proposal keeps the leader in the ISR');
  assert(next.proposed.length !== next.isr.length, 'a proposal changes the ISR');
  assert(next.proposed.every((id) => ctx.state.replicas.includes(id)), 'a proposal names replicas only');
  sendProposal(ctx, fx, next.proposed, next.corr);
}

function sendProposal(ctx: PartitionContext, fx: Fx, isr: number[], corr: number): void {
  const body: AlterPartitionRequest = { topicId: ctx.topicId, partition: ctx.partition, leaderId: ctx.nodeId,
    leaderEpoch: ctx.state.leaderEpoch, partitionEpoch: ctx.state.partitionEpoch, isr };
  fx.push({ type: 'send', params: { to: CONTROLLER_FOR_NODES, type: 'alterPartition', corr, body } });
}

/** Tick: resend a proposal whose answer is overdue, or look for a new one. */
export function isrTick(ctx: PartitionContext, fx: Fx): void {
  parkedFollowersCaughtUp(ctx);
  const l = leaderOf(ctx);
  assert(l.isrRetryAtMs <= ctx.nowMs + ctx.knobs.isrRetryBackoffMs, 'an ISR retry waits at most its backoff');
  if (l.isr.kind === 'committed') return maybeProposeIsr(ctx, fx);
  if (ctx.nowMs < l.isr.deadlineMs) return;
  assert(l.isr.proposed.includes(ctx.nodeId), 'the proposal in flight keeps the leader');
  resendIsrProposal(ctx, fx);
}

/**
 * A new controller leader: a proposal still unanswered went to its predecessor, which may have
 * died with it (a controlled shutdown of the controller's node). Sent again now, same corr (the
 * controller answers a resend of an applied proposal like any other), rather than when the
 * proposal timeout runs out: while it is pending, the HW waits on its maximal ISR.
 */
export function resendIsrProposal(ctx: PartitionContext, fx: Fx): void {
  const l = leaderOf(ctx);
  if (l.isr.kind === 'committed') return;
  l.isr = { ...l.isr, deadlineMs: ctx.nowMs + ctx.knobs.isrProposalTimeoutMs };
  sendProposal(ctx, fx, l.isr.proposed, l.isr.corr);
}

/** The committed state the controller's OK to this leader's outstanding proposal carries (undefined for anything else). */
export function adoptedBy(ctx: PartitionContext, corr: number | undefined, body: AlterPartitionReply): PartitionState | undefined {
  const isr = ctx.leader?.isr;
  if (isr === undefined || isr.kind === 'committed' || isr.corr !== corr) return undefined;
  return body.code === 'OK' ? body.partition : undefined;
}

/**
 * The controller's answer. Returns the state to adopt (OK) or undefined; the caller applies it
 * like a metadata change, which also clears the proposal.
 */
export function onAlterPartitionReply(ctx: PartitionContext, fx: Fx, corr: number | undefined, body: AlterPartitionReply): PartitionState | undefined {
  if (ctx.leader === undefined) return undefined;
  if (ctx.leader.isr.kind === 'committed' || ctx.leader.isr.corr !== corr) return undefined;
  const l = leaderOf(ctx);
  if (l.isr.kind === 'committed') return undefined;
  if (body.code === 'OK') return body.partition;
  assert(l.isr.corr === corr, 'the answer is for the proposal in flight');
  fx.push({ type: 'log', params: { level: 'warn', event: 'alterPartitionRefused', detail: { code: body.code, message: (body as { message?: string }).message, proposed: l.isr.proposed } } });
  if (body.code === 'INVALID_REQUEST') {
    // The controller checked the proposal against the current partition epoch and applied
    // nothing; no controller, past or future, can apply it, so the committed ISR is the truth.
    l.isr = { kind: 'committed', isr: ctx.state.isr };
    l.isrRetryAtMs = ctx.nowMs + ctx.knobs.isrRetryBackoffMs;
    assert(l.isr.isr.includes(ctx.nodeId), 'the committed ISR a leader falls back to holds it');
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
