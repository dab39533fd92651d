/**
 * The follower's fetcher (Kafka's ReplicaFetcherThread, one partition): one fetch outstanding to
 * the leader's replica address, carrying the stored LEO and the latest cached epoch. Answers:
 * batches → one append, then the next fetch after it is stored (the leader must never count
 * offsets we have not written); divergingEpoch → truncate (KIP-279), then fetch again; fenced or
 * not-leader → back off until metadata changes; a lost answer → resent after maxWait + slack.
 * A replica being added by a reassignment asks for no more than its throttle allows, and waits
 * while its bucket is empty (actors/partition/throttle.ts).
 */
import { assert } from '../assert.js';
import { CONTROLLER_FOR_NODES, replicaAddress } from '../kit/addresses.js';
import { areContiguous, type StoredBatch } from './batch.js';
import { indexFind, createTailCache, createBatchIndex } from './log-cache.js';
import { latestEpoch, truncationOffset, type EpochEnd, acceptBatch, advanceLogStart, issueAppend, persistEpochs, setHw, truncateLog } from './log.js';
import { nextInt } from '../prng.js';
import { logLine, report, type Fx } from '../kit/fx.js';
import { newCorr, newToken } from '../kit/ops.js';
import { own } from '../kit/draft.js';
import type { FetchReply, FollowerState, PartitionContext, ResignLeadershipRequest } from './types.js';
import { allowance, charge, refill, throttles } from './throttle.js';

/** The follower state, owned by this step (actors/kit/draft.ts), or undefined when not following. */
function followerOf(ctx: PartitionContext): FollowerState | undefined {
  return ctx.follower !== undefined ? own(ctx, 'follower') : undefined;
}

export function maybeSendFetch(ctx: PartitionContext, fx: Fx): void {
  const f = followerOf(ctx);
  if (f === undefined || f.fetch !== undefined || ctx.logWrite !== undefined || ctx.nowMs < f.backoffUntilMs) return;
  if (f.leaderId === ctx.nodeId) return askToResign(ctx, fx, f);
  if (f.leaderId < 0) return;
  assert(ctx.leader === undefined, 'only a follower fetches');
  assert(ctx.leo === ctx.leoPending, 'a follower fetches only with no write in flight');
  let bytesMax = ctx.knobs.fetchBytesMax;
  if (throttles(ctx.throttle, ctx.nodeId, ctx.state.isr)) {
    ctx.throttle = refill(ctx.throttle, ctx.nowMs);
    bytesMax = allowance(ctx.throttle, bytesMax);
    if (bytesMax === 0) return; // The tick sends it once the bucket is positive again (nextTickAt).
  }
  const corr = newCorr(ctx);
  // A fetch that tells the leader of offsets stored since the last one, below which its HW may be
  // waiting, polls briefly: lost on the way, it costs little. Only that fetch: the next one, with
  // nothing new to tell, long-polls again, so a HW held back by another replica costs no polling.
  // So does a fetch behind the leader's HW: the leader has data for it and answers at once, so the
  // wait only decides how soon a lost one is sent again (seed 924404: a replica copying a log in
  // 2 KiB fetches spent most of its time waiting out lost ones).
  const reportsProgress = ctx.leo > f.lastFetchOffset && f.leaderHw < ctx.leo;
  const behindLeader = f.leaderHw > ctx.leo;
  f.lastFetchOffset = ctx.leo;
  const maxWaitMs = reportsProgress || behindLeader ? Math.min(ctx.knobs.fetchProgressWaitMs, ctx.knobs.fetchMaxWaitMs) : ctx.knobs.fetchMaxWaitMs;
  f.fetch = { corr, deadlineMs: ctx.nowMs + maxWaitMs + ctx.knobs.fetchTimeoutSlackMs };
  fx.push({ type: 'send', params: { to: replicaAddress(ctx.topic, ctx.partition, f.leaderId), type: 'fetch', corr, body: {
    replicaId: ctx.nodeId, nodeEpoch: ctx.nodeEpoch, fetchOffset: ctx.leo, lastFetchedEpoch: latestEpoch(ctx.epochs),
    leaderEpoch: ctx.state.leaderEpoch, maxWaitMs, minBytes: 1, bytesMax,
  } } });
}

/**
 * The state names this replica leader in an epoch it abandoned (roles.ts abandonEpoch): ask the
 * controller for another leader or a new epoch, again after isrProposalTimeoutMs until the state
 * moves on. A replica that follows itself for another reason (its node lost its controller
 * session) waits for the session instead.
 */
function askToResign(ctx: PartitionContext, fx: Fx, f: FollowerState): void {
  assert(f.leaderId === ctx.nodeId && f.fetch === undefined, 'only a replica named leader that does not fetch resigns');
  if (ctx.resigned || ctx.state.leader !== ctx.nodeId || ctx.state.leaderEpoch > ctx.abandonedEpoch) return;
  f.backoffUntilMs = ctx.nowMs + ctx.knobs.isrProposalTimeoutMs;
  const body: ResignLeadershipRequest = { topicId: ctx.topicId, partition: ctx.partition, leaderId: ctx.nodeId, leaderEpoch: ctx.state.leaderEpoch };
  fx.push({ type: 'send', params: { to: CONTROLLER_FOR_NODES, type: 'resignLeadership', corr: newCorr(ctx), body } });
  assert(f.backoffUntilMs > ctx.nowMs, 'the next request waits');
}

function backOff(ctx: PartitionContext, f: FollowerState, pauseMs = ctx.knobs.fetchRetryBackoffMs): void {
  assert(pauseMs >= 0, 'a backoff pauses forward in time');
  const [jitter, prng] = nextInt(ctx.prng, 0, pauseMs);
  ctx.prng = prng;
  f.backoffUntilMs = ctx.nowMs + pauseMs + jitter;
  assert(f.backoffUntilMs >= ctx.nowMs, 'the retry is not in the past');
}

/**
 * The leader named by our state answered from an older state than ours: it has not applied the
 * record that makes it lead (or its epoch start is not durable yet). It will within milliseconds,
 * and every acks=all write of the new leadership waits for this follower's next fetch.
 */
function leaderIsBehind(ctx: PartitionContext, body: FetchReply & { code: string }): boolean {
  if (body.code === 'UNKNOWN_LEADER_EPOCH' || body.code === 'LEADER_NOT_AVAILABLE') return true;
  const epoch = 'leaderEpoch' in body ? body.leaderEpoch : undefined;
  return body.code === 'NOT_LEADER' && epoch !== undefined && epoch < ctx.state.leaderEpoch;
}

export function onFetchReply(ctx: PartitionContext, fx: Fx, corr: number | undefined, body: FetchReply): void {
  const f = followerOf(ctx);
  if (f === undefined || f.fetch === undefined || f.fetch.corr !== corr) return; // Late or duplicated answer.
  assert(ctx.logWrite === undefined, 'a fetch is out only while no log write is');
  f.fetch = undefined;
  if (body.code !== 'OK') return onFetchError(ctx, fx, f, body);
  f.leaderLogStart = body.logStartOffset;
  // A diverging answer's HW is the leader's over its own log: this log may disagree below it until an
  // answer without divergence (KIP-279 can take several cuts; seed 897411 took the HW between two).
  if ('divergingEpoch' in body) return onDiverging(ctx, fx, f, body.divergingEpoch);
  f.leaderHw = body.hw;
  const batches = body.batches.filter((b) => b.lastOffset >= ctx.leo);
  const first = batches[0];
  if (first !== undefined && (first.baseOffset !== ctx.leo || !areContiguous(batches))) {
    logLine(fx, 'warn', 'fetchReplyNotContiguous', { leo: ctx.leo, baseOffset: first.baseOffset });
    backOff(ctx, f);
    return;
  }
  if (throttles(ctx.throttle, ctx.nodeId, ctx.state.isr)) {
    let bytes = 0;
    for (const b of body.batches) bytes += b.bytes;
    ctx.throttle = charge(refill(ctx.throttle, ctx.nowMs), bytes);
  }
  if (batches.length > 0) return appendFetched(ctx, fx, batches);
  assert(batches.length === 0 || (batches[0] as StoredBatch).baseOffset === ctx.leo, 'fetched batches continue the log');
  followLeaderPositions(ctx, fx, f);
  maybeSendFetch(ctx, fx);
}

function appendFetched(ctx: PartitionContext, fx: Fx, batches: StoredBatch[]): void {
  let epochsChanged = false;
  for (const batch of batches) epochsChanged = acceptBatch(ctx, batch) || epochsChanged;
  issueAppend(ctx, fx, batches, false);
  if (epochsChanged) persistEpochs(ctx, fx, undefined, false);
}

function onFetchError(ctx: PartitionContext, fx: Fx, f: FollowerState, body: FetchReply & { code: string }): void {
  assert(body.code !== 'OK', 'an error answer');
  assert(f.fetch === undefined, 'the answered fetch is no longer outstanding');
  if (body.code === 'OFFSET_OUT_OF_RANGE' && 'logStartOffset' in body && body.logStartOffset !== undefined && ctx.leo < body.logStartOffset) {
    return resetLog(ctx, fx, body.logStartOffset);
  }
  // A leader behind us: retry soon. NOT_LEADER from a newer state, fenced epochs, a leader that
  // lost our epoch's tail: wait for metadata (a new state replaces this follower), retry slowly.
  const behind = leaderIsBehind(ctx, body);
  logLine(fx, 'debug', 'fetchRefused', { code: body.code, leaderId: f.leaderId, behind });
  backOff(ctx, f, behind ? ctx.knobs.fetchLeaderBehindRetryMs : ctx.knobs.fetchRetryBackoffMs);
}

function onDiverging(ctx: PartitionContext, fx: Fx, f: FollowerState, diverging: EpochEnd): void {
  const offset = Math.max(truncationOffset(ctx.epochs, ctx.leo, ctx.hw, diverging), ctx.logStart);
  assert(offset >= ctx.logStart, 'never truncate below the log start');
  assert(ctx.logWrite === undefined, 'a divergence arrives with no log write in flight');
  if (offset < ctx.leoPending) {
    truncateLog(ctx, fx, offset); // The next fetch goes out when the truncate is stored.
    return;
  }
  // Nothing to cut from the log, but the cache may name epochs the leader never had.
  const before = ctx.epochs.length;
  ctx.epochs = ctx.epochs.filter((e) => e.epoch <= diverging.epoch || e.startOffset < offset);
  if (ctx.epochs.length === before) {
    logLine(fx, 'warn', 'divergenceWithoutProgress', { diverging, leo: ctx.leo });
    backOff(ctx, f);
    return;
  }
  persistEpochs(ctx, fx, undefined, false);
  maybeSendFetch(ctx, fx);
}

/** After each answer: HW = min(leader HW, own stored LEO); log start follows the leader's. */
export function followLeaderPositions(ctx: PartitionContext, fx: Fx, f: FollowerState): void {
  setHw(ctx, fx, Math.min(f.leaderHw, ctx.leo));
  assert(ctx.hw <= ctx.leo, 'a follower\'s HW never passes its stored LEO');
  const target = Math.min(f.leaderLogStart, ctx.hw);
  if (target <= ctx.logStart || ctx.retention.inFlight) return;
  const containing = indexFind(ctx.index, target);
  const start = containing === undefined ? target : containing.baseOffset; // Whole batches only.
  if (start > ctx.logStart) advanceLogStart(ctx, fx, start);
  assert(ctx.logStart <= ctx.hw, 'the log start never passes the HW');
}

/** Our log ends before the leader's log start: drop it all and continue from there. */
function resetLog(ctx: PartitionContext, fx: Fx, offset: number): void {
  if (ctx.logWrite !== undefined) return;
  assert(offset > ctx.leo, 'a reset only when our log ends before the leader\'s log start');
  logLine(fx, 'info', 'followerLogReset', { leo: ctx.leo, logStart: offset });
  const from = ctx.logStart;
  ctx.tail = createTailCache(ctx.knobs.tailCacheBytes);
  ctx.index = createBatchIndex();
  ctx.producers = new Map();
  ctx.epochs = [];
  ctx.logStart = offset;
  ctx.leo = offset;
  ctx.leoPending = offset;
  const hwMoved = offset > ctx.hw;
  ctx.hw = Math.max(ctx.hw, offset); // Everything below the leader's log start was committed.
  assert(ctx.logStart === ctx.hw && ctx.hw === ctx.leo, 'an empty log from the leader\'s log start');
  const token = newToken(ctx, { kind: 'truncate', offset: from });
  ctx.logWrite = token;
  fx.push({ type: 'truncateFrom', params: { token, log: ctx.logName, offset: 0 } });
  const meta = newToken(ctx, { kind: 'hw', hw: ctx.hw });
  ctx.hwCheckpoint = { ...ctx.hwCheckpoint, inFlight: true };
  fx.push({ type: 'putMeta', params: { token: meta, sync: false, entries: [
    [`${ctx.metaPrefix}logStart`, offset], [`${ctx.metaPrefix}hw`, ctx.hw], [`${ctx.metaPrefix}epochs`, []]] } });
  if (hwMoved) report(fx, 'partitionHw', { topic: ctx.topic, partition: ctx.partition, nodeId: ctx.nodeId, hw: ctx.hw, leaderEpoch: ctx.state.leaderEpoch });
}

/** Tick: resend an overdue fetch (the request or its answer was lost), or one whose backoff ended. */
export function followerTick(ctx: PartitionContext, fx: Fx): void {
  const f = followerOf(ctx);
  if (f === undefined) return;
  if (f.fetch !== undefined && ctx.nowMs >= f.fetch.deadlineMs) f.fetch = undefined;
  maybeSendFetch(ctx, fx);
}

/** The follower's append or truncate was stored. */
export function followerLogWritten(ctx: PartitionContext, fx: Fx): void {
  const f = followerOf(ctx);
  if (f === undefined) return;
  followLeaderPositions(ctx, fx, f);
  maybeSendFetch(ctx, fx);
}
