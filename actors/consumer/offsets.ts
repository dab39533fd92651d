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
import { backoffMs, type BackoffPolicy } from '../client/backoff.js';
import { deliver, logLine, report, sendFailFast, type Fx } from '../kit/fx.js';
import { newCorr } from '../kit/ops.js';
import { partitionKey } from './partitions.js';
import { assignedOffsets, commitSettled } from './group.js';
import type { OffsetCommitReplyEvent, OffsetFetchReplyEvent } from './group-messages.js';
import type { GroupMember, GroupOp } from './group-types.js';
import type { CommandResult, CommitOffset, CommittedResult, ConsumerContext, TopicPartition } from './types.js';
import type { OffsetCommit, OffsetFetch, TopicPartitions } from '../coordinator/protocol.js';

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
}

function commitBody(g: GroupMember, offsets: CommitOffset[]): OffsetCommit {
  const asMember = g.subscription !== undefined || g.closing !== undefined;
  return { groupId: g.groupId, memberId: asMember ? g.memberId : '', memberEpoch: asMember ? g.memberEpoch : -1,
    offsets: offsets.map((o) => (o.metadata === undefined ? { topic: o.topic, partition: o.partition, offset: o.offset }
      : { topic: o.topic, partition: o.partition, offset: o.offset, metadata: o.metadata })) };
}

export function byTopic(partitions: readonly TopicPartition[]): TopicPartitions[] {
  const topics = new Map<string, number[]>();
  for (const tp of partitions) {
    const list = topics.get(tp.topic) ?? [];
    list.push(tp.partition);
    topics.set(tp.topic, list);
  }
  return [...topics.keys()].sort().map((topic) => ({ topic, partitions: (topics.get(topic) as number[]).sort((a, b) => a - b) }));
}

/** The in-flight request a reply answers, removed; undefined for a reply nobody waits for. */
function answered(ctx: ConsumerContext, corr: number): (GroupMember['inFlight'] extends ReadonlyMap<number, infer V> ? V : never) | undefined {
  const g = member(ctx);
  const entry = g.inFlight.get(corr);
  if (entry === undefined) return undefined;
  const inFlight = new Map(g.inFlight);
  inFlight.delete(corr);
  g.inFlight = inFlight;
  return entry;
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

/** A failed attempt: retried after a backoff while the request may still succeed, else settled with `code`. */
function retryOrFail(ctx: ConsumerContext, fx: Fx, op: GroupOp, attempts: number, code: ErrorCode, message: string): void {
  if (code === 'NOT_COORDINATOR' || code === 'COORDINATOR_NOT_AVAILABLE' || code === 'REQUEST_TIMED_OUT' || code === 'UNKNOWN_ADDRESS') coordinatorLost(ctx);
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
      return commitSettled(ctx, fx, op);
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
  const expired = g.queued.filter((e) => ctx.nowMs >= e.op.deadlineMs);
  if (expired.length === 0) return;
  g.queued = g.queued.filter((e) => ctx.nowMs < e.op.deadlineMs);
  for (const e of expired) settle(ctx, fx, e.op, { ok: false, code: 'COORDINATOR_NOT_AVAILABLE', message: `no coordinator for ${g.groupId} in time` });
}

/** Settles every request the application waits for with `code` (the member was fenced, or closed). */
export function failWaitingCommits(ctx: ConsumerContext, fx: Fx, code: ErrorCode, message: string): void {
  const g = member(ctx);
  const failing = g.queued.filter((e) => e.op.kind === 'commit' && e.op.purpose === 'explicit');
  if (failing.length === 0) return;
  g.queued = g.queued.filter((e) => !failing.includes(e));
  for (const e of failing) settle(ctx, fx, e.op, { ok: false, code, message });
}
