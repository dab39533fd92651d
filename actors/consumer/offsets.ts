/**
 * Offset requests of a group member (Kafka's OffsetCommit and OffsetFetch): commits (explicit,
 * automatic, before a revocation, on close), the committed offsets of newly assigned partitions,
 * and the application's `committed`. A request waits in `queued` until the coordinator is known
 * (and, for a member's commit, until it has joined), then goes out; retriable failures and
 * timeouts look the coordinator up again and retry with backoff until the request's deadline. An
 * auto-commit is never retried: the next interval commits newer positions anyway.
 *
 * Commits go out one at a time, in the order they were made: the coordinator writes them in the
 * order they arrive, and two commits in flight at once may arrive the other way round (the network
 * need not keep order), writing older positions over newer ones. Kafka gets the order from its one
 * connection per coordinator; here a commit waits while another is in flight or waiting before it,
 * and a retried commit goes back ahead of the commits made after it.
 */
import { assert, unreachable } from '../assert.js';
import { ERRORS, type ErrorCode } from '../errors.js';
import { backoffMs } from '../client/backoff.js';
import { deliver, logLine, report, sendFailFast, type Fx } from '../kit/fx.js';
import { newCorr } from '../kit/ops.js';
import { partitionKey } from './partitions.js';
import { assignedOffsets, revokingNoticeDone } from './reconcile.js';
import { byTopic, coordinatorBackoff, coordinatorGone, coordinatorLost, groupRequestTimeoutMs, member, queueOp } from './member.js';
import type { OffsetCommitReplyEvent, OffsetFetchReplyEvent } from './group-messages.js';
import type { GroupMember, GroupOp } from './group-types.js';
import type { CommandResult, CommitOffset, CommittedResult, ConsumerContext } from './types.js';
import type { OffsetCommit, OffsetFetch } from '../coordinator/protocol.js';

/** A retried request waits again, ahead of every request queued since (commits keep their order). */
function requeueFirst(ctx: ConsumerContext, op: GroupOp, sendAtMs: number, attempts: number): void {
  const g = member(ctx);
  g.queued = [{ op, sendAtMs, attempts }, ...g.queued];
}

/** A commit of this member is on its way to the coordinator. */
function commitInFlight(g: GroupMember): boolean {
  for (const entry of g.inFlight.values()) if (entry.op.kind === 'commit') return true;
  return false;
}

/** An auto-commit of this member is queued or on its way. */
export function autoCommitPending(g: GroupMember): boolean {
  const isAuto = (op: GroupOp): boolean => op.kind === 'commit' && op.purpose === 'auto';
  return g.queued.some((e) => isAuto(e.op)) || [...g.inFlight.values()].some((e) => isAuto(e.op));
}

/** A member's commit carries its id and epoch; outside the group protocol (assign mode) '' and -1. */
function mayCommitNow(g: GroupMember, op: GroupOp): boolean {
  return op.kind !== 'commit' || g.subscription === undefined && g.closing === undefined || g.memberEpoch > 0;
}

/** Sends every queued request that may go now. */
export function sendQueued(ctx: ConsumerContext, fx: Fx): void {
  const g = member(ctx);
  if (g.coordinator === undefined || g.queued.length === 0) return;
  assert(commitsInFlight(g) <= 1, 'one commit in flight at a time');
  const waiting: GroupMember['queued'][number][] = [];
  let inFlight: Map<number, GroupMember['inFlight'] extends ReadonlyMap<number, infer V> ? V : never> | undefined;
  // One commit at a time, in order: once a commit is in flight or waits, later ones wait too.
  let commitsHeld = commitInFlight(g);
  for (const entry of g.queued) {
    const isCommit = entry.op.kind === 'commit';
    if (ctx.nowMs < entry.sendAtMs || !mayCommitNow(g, entry.op) || isCommit && commitsHeld) {
      waiting.push(entry);
      commitsHeld ||= isCommit;
      continue;
    }
    commitsHeld ||= isCommit;
    const corr = newCorr(ctx);
    inFlight ??= new Map(g.inFlight);
    inFlight.set(corr, { op: entry.op, replyByMs: ctx.nowMs + groupRequestTimeoutMs(ctx), attempts: entry.attempts + 1 });
    // Fail-fast: a coordinator whose process died answers UNKNOWN_ADDRESS at once (group.ts, sendHeartbeat).
    if (entry.op.kind === 'commit') sendFailFast(fx, g.coordinator, 'offsetCommit', commitBody(g, entry.op.offsets), corr);
    else sendFailFast(fx, g.coordinator, 'offsetFetch', { groupId: g.groupId, partitions: byTopic(entry.op.partitions) } satisfies OffsetFetch, corr);
  }
  if (inFlight !== undefined) { g.inFlight = inFlight; g.queued = waiting; }
  // Two commits in flight may land the other way round, the older offset over the newer.
  assert(commitsInFlight(g) <= 1, 'one commit in flight at a time');
}

function commitsInFlight(g: GroupMember): number {
  return [...g.inFlight.values()].filter((e) => e.op.kind === 'commit').length;
}

function commitBody(g: GroupMember, offsets: CommitOffset[]): OffsetCommit {
  const asMember = g.subscription !== undefined || g.closing !== undefined;
  return { groupId: g.groupId, memberId: asMember ? g.memberId : '', memberEpoch: asMember ? g.memberEpoch : -1,
    offsets: offsets.map((o) => (o.metadata === undefined ? { topic: o.topic, partition: o.partition, offset: o.offset }
      : { topic: o.topic, partition: o.partition, offset: o.offset, metadata: o.metadata })) };
}

/** The in-flight request a reply answers, removed; undefined for a reply nobody waits for. */
function answered(ctx: ConsumerContext, corr: number): (GroupMember['inFlight'] extends ReadonlyMap<number, infer V> ? V : never) | undefined {
  const g = member(ctx);
  const entry = g.inFlight.get(corr);
  if (entry === undefined) return undefined;
  assert(!g.queued.some((e) => e.op === entry.op), 'a request is queued or in flight, not both');
  assert(entry.attempts >= 1, 'a request in flight was sent');
  const inFlight = new Map(g.inFlight);
  inFlight.delete(corr);
  g.inFlight = inFlight;
  return entry;
}

/** A failed attempt: retried after a backoff while the request may still succeed, else settled with `code`. */
function retryOrFail(ctx: ConsumerContext, fx: Fx, op: GroupOp, attempts: number, code: ErrorCode, message: string): void {
  assert(attempts >= 1, 'a request fails only after an attempt');
  assert(![...member(ctx).inFlight.values()].some((e) => e.op === op), 'a failed request is no longer in flight');
  if (code === 'UNKNOWN_ADDRESS') coordinatorGone(ctx);
  else if (code === 'NOT_COORDINATOR' || code === 'COORDINATOR_NOT_AVAILABLE' || code === 'REQUEST_TIMED_OUT') coordinatorLost(ctx);
  const retriable = ERRORS[code].retriable && !(op.kind === 'commit' && op.purpose === 'auto');
  if (retriable && ctx.nowMs < op.deadlineMs) {
    const [delayMs, prng] = backoffMs(coordinatorBackoff(ctx, member(ctx)), Math.max(1, attempts), ctx.prng);
    ctx.prng = prng;
    return requeueFirst(ctx, op, ctx.nowMs + delayMs, attempts);
  }
  settle(ctx, fx, op, { ok: false, code, message });
}

/** Ends a request: its waiter (application, revocation, close) learns the outcome. */
function settle(ctx: ConsumerContext, fx: Fx, op: GroupOp, result: CommandResult | CommittedResult): void {
  switch (op.kind) {
    case 'commit':
      if (!result.ok) logLine(fx, op.purpose === 'explicit' ? 'info' : 'warn', 'groupCommitFailed', { purpose: op.purpose, code: result.code, message: result.message });
      if (op.purpose === 'explicit' && op.requestId !== undefined) deliver(fx, op.requestId, result.ok ? { ok: true } : result);
      // A revocation waiting on this commit moves on now; a close waiting on it, after the event (group.ts pumpGroup).
      if (op.purpose === 'revoke') revokingNoticeDone(ctx, op);
      return;
    case 'fetchAssigned':
      assert(!result.ok, 'assigned offsets settle only by failing');
      logLine(fx, 'warn', 'groupOffsetFetchFailed', { code: result.code, message: result.message });
      return queueOp(ctx, { ...op, deadlineMs: ctx.nowMs + ctx.config.requestTimeoutMs }, ctx.nowMs + ctx.config.retryBackoffMaxMs);
    case 'committed': return deliver(fx, op.requestId, result);
    default: return unreachable(op);
  }
}

export function onOffsetCommitReply(ctx: ConsumerContext, fx: Fx, event: OffsetCommitReplyEvent): void {
  const entry = answered(ctx, event.corr);
  if (entry === undefined) return;
  const op = entry.op;
  assert(op.kind === 'commit', 'an offsetCommit answers a commit');
  assert(op.offsets.every((o) => Number.isSafeInteger(o.offset) && o.offset >= 0), 'only valid offsets are committed');
  const body = event.body;
  if (body.code !== 'OK') return retryOrFail(ctx, fx, op, entry.attempts, body.code, body.message ?? ERRORS[body.code].text);
  const g = member(ctx);
  const committed = new Map(g.committed);
  let failed: { code: ErrorCode; message: string } | undefined;
  for (const o of op.offsets) {
    const result = body.results.find((r) => r.topic === o.topic && r.partition === o.partition);
    const code = result?.code ?? 'OK';
    if (code !== 'OK') { failed ??= { code, message: `${o.topic}/${o.partition}: ${ERRORS[code].text}` }; continue; }
    committed.set(partitionKey(o.topic, o.partition), o.offset);
    report(fx, 'groupCommitAcked', { groupId: g.groupId, topic: o.topic, partition: o.partition, offset: o.offset });
  }
  g.committed = committed;
  settle(ctx, fx, op, failed === undefined ? { ok: true } : { ok: false, ...failed });
}

export function onOffsetFetchReply(ctx: ConsumerContext, fx: Fx, event: OffsetFetchReplyEvent): void {
  const entry = answered(ctx, event.corr);
  if (entry === undefined) return;
  const op = entry.op;
  assert(op.kind !== 'commit', 'an offsetFetch answers a fetch of offsets');
  assert(op.kind !== 'fetchAssigned' || op.partitions.length > 0, 'assigned offsets are fetched for partitions');
  const body = event.body;
  if (body.code !== 'OK') return retryOrFail(ctx, fx, op, entry.attempts, body.code, body.message ?? ERRORS[body.code].text);
  const found = new Map(body.offsets.filter((o) => o.offset >= 0).map((o) => [partitionKey(o.topic, o.partition), o]));
  if (op.kind === 'fetchAssigned') return assignedOffsets(ctx, fx, op.partitions, found);
  deliver(fx, op.requestId, { ok: true, offsets: op.partitions.map((tp) => {
    const o = found.get(partitionKey(tp.topic, tp.partition));
    return o?.metadata === undefined ? { ...tp, offset: o?.offset ?? null } : { ...tp, offset: o.offset, metadata: o.metadata };
  }) } satisfies CommittedResult);
}

/** Tick: requests without an answer in time count as timed out. */
export function expireGroupRequests(ctx: ConsumerContext, fx: Fx): void {
  const g = member(ctx);
  for (const [corr, entry] of g.inFlight) {
    if (ctx.nowMs < entry.replyByMs) continue;
    answered(ctx, corr);
    retryOrFail(ctx, fx, entry.op, entry.attempts, 'REQUEST_TIMED_OUT', `no answer from the coordinator of ${g.groupId}`);
  }
  assert([...g.inFlight.values()].every((e) => ctx.nowMs < e.replyByMs), 'every request out of time is answered');
  const expired = g.queued.filter((e) => ctx.nowMs >= e.op.deadlineMs);
  if (expired.length === 0) return;
  g.queued = g.queued.filter((e) => ctx.nowMs < e.op.deadlineMs);
  for (const e of expired) settle(ctx, fx, e.op, { ok: false, code: 'COORDINATOR_NOT_AVAILABLE', message: `no coordinator for ${g.groupId} in time` });
  assert(g.queued.every((e) => ctx.nowMs < e.op.deadlineMs), 'a request settled for its deadline is not queued again out of time');
}

/** Settles every request the application waits for with `code` (the member was fenced, or closed). */
export function failWaitingCommits(ctx: ConsumerContext, fx: Fx, code: ErrorCode, message: string): void {
  const g = member(ctx);
  const failing = g.queued.filter((e) => e.op.kind === 'commit' && e.op.purpose === 'explicit');
  if (failing.length === 0) return;
  g.queued = g.queued.filter((e) => !failing.includes(e));
  for (const e of failing) settle(ctx, fx, e.op, { ok: false, code, message });
}
