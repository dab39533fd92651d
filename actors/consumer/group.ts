/**
 * Group membership (KIP-848 ConsumerGroupHeartbeat, DESIGN.md section 7): find the coordinator
 * through `findCoordinator` on the metadata address, join with epoch 0 and the subscription,
 * heartbeat every heartbeatIntervalMs the coordinator asks for with what the member owns, and
 * take the assignment each reply carries (reconciled in reconcile.ts).
 *
 * Safety: a member whose heartbeats have gone unacknowledged for the session timeout, or that the
 * coordinator fences (FENCED_MEMBER_EPOCH, UNKNOWN_MEMBER_ID), drops every partition at once —
 * no commit, no waiting for the application — and rejoins with epoch 0 under the same member id,
 * so a zombie never keeps fetching next to the partition's new owner. `close` commits
 * (autoCommit), then leaves with epoch -1 (-2 for a static member) so the partitions move at once.
 */
import { assert } from '../assert.js';
import { ERRORS } from '../errors.js';
import { backoffMs } from '../client/backoff.js';
import { METADATA } from '../kit/addresses.js';
import { deliver, logLine, send, sendFailFast, type Fx } from '../kit/fx.js';
import { newCorr } from '../kit/ops.js';
import { JOIN_EPOCH, LEAVE_EPOCH, STATIC_LEAVE_EPOCH, type FindCoordinator, type GroupHeartbeat } from '../coordinator/protocol.js';
import { autoCommitPending, expireGroupRequests, failWaitingCommits, sendQueued } from './offsets.js';
import { byTopic, coordinatorBackoff, coordinatorGone, coordinatorLost, groupRequestTimeoutMs, member, queueOp } from './member.js';
import { partitionKey, removePartition } from './partitions.js';
import { dropAllOwned, ownedPartitions, reconcile, reportedOwned } from './reconcile.js';
import type { FindCoordinatorReplyEvent, GroupHeartbeatReplyEvent } from './group-messages.js';
import type { GroupMember, GroupOp } from './group-types.js';
import type { CommandResult, ConsumerCommand, ConsumerConfig, ConsumerContext, ErrorInfo, GroupNotice } from './types.js';

/** Until the coordinator's first reply says otherwise. */
const HEARTBEAT_INTERVAL_DEFAULT_MS = 3000;

export function createMember(config: ConsumerConfig): GroupMember | undefined {
  if (config.groupId === undefined) return undefined;
  return { groupId: config.groupId, instanceId: config.groupInstanceId, subscription: undefined, subscriptionSent: false,
    coordinator: undefined, find: undefined, findRetryAtMs: -Infinity, findFailures: 0, memberId: '', memberEpoch: JOIN_EPOCH,
    heartbeatIntervalMs: HEARTBEAT_INTERVAL_DEFAULT_MS, sessionTimeoutMs: config.sessionTimeoutMs, heartbeat: undefined,
    heartbeatAtMs: -Infinity, heartbeatFailures: 0, ownedChanged: false, ackedAtMs: -Infinity, target: undefined,
    assigning: new Set(), revoking: undefined, notices: [], nextNoticeId: 1, queued: [], inFlight: new Map(), committed: new Map(),
    autoCommitAtMs: Infinity, fatal: undefined, closing: undefined };
}

function noGroup(what: string): CommandResult {
  return { ok: false, code: 'INVALID_GROUP_ID', message: `${what} needs a consumer created with a groupId` };
}

export function onSubscribe(ctx: ConsumerContext, command: ConsumerCommand & { type: 'subscribe' }): CommandResult {
  const g = ctx.group;
  if (g === undefined) return noGroup('subscribe');
  assert(!ctx.closed, 'a closed consumer takes no subscribe');
  assert(g.closing === undefined, 'a closing consumer takes no subscribe');
  if (g.subscription === undefined && ctx.partitions.size > 0) return { ok: false, code: 'INVALID_REQUEST', message: 'assign and subscribe are exclusive: the consumer has assigned partitions' };
  const { topics, regex } = command;
  if ((topics === undefined) === (regex === undefined)) return { ok: false, code: 'INVALID_REQUEST', message: 'subscribe takes either topics or a regular expression' };
  if (topics !== undefined && !topics.every((t) => typeof t === 'string' && t.length > 0 && t.length <= 249)) return { ok: false, code: 'INVALID_TOPIC', message: 'topic names are 1-249 characters' };
  if (regex !== undefined && (typeof regex !== 'string' || regex.length === 0)) return { ok: false, code: 'INVALID_REGULAR_EXPRESSION', message: 'the regular expression is empty' };
  g.subscription = topics !== undefined ? { topics: [...new Set(topics)].sort() } : { regex: regex as string };
  g.subscriptionSent = false;
  g.fatal = undefined;
  g.heartbeatAtMs = ctx.nowMs;
  if (ctx.config.autoCommit && g.autoCommitAtMs === Infinity) g.autoCommitAtMs = ctx.nowMs + ctx.config.autoCommitIntervalMs;
  return { ok: true };
}

/** Explicit commit: the given offsets, or the positions of delivered records of every owned partition. */
export function onCommit(ctx: ConsumerContext, fx: Fx, command: ConsumerCommand & { type: 'commit' }): void {
  const g = ctx.group;
  if (g === undefined) return deliver(fx, command.requestId, noGroup('commit'));
  assert(g.closing === undefined, 'a closing consumer takes no commit');
  const owned = new Map(ownedPartitions(ctx).map((o) => [partitionKey(o.topic, o.partition), o]));
  let offsets = command.offsets;
  if (offsets === undefined) {
    offsets = [...owned.values()].filter((o) => o.consumed !== undefined && o.consumed !== g.committed.get(partitionKey(o.topic, o.partition)))
      .map((o) => ({ topic: o.topic, partition: o.partition, offset: o.consumed as number }));
    assert(offsets.every((o) => Number.isSafeInteger(o.offset) && o.offset >= 0), 'a consumed position is an offset');
  }
  for (const o of offsets) {
    if (!owned.has(partitionKey(o.topic, o.partition))) return deliver(fx, command.requestId, { ok: false, code: 'INVALID_REQUEST', message: `${o.topic}/${o.partition} is not owned by this consumer` } satisfies CommandResult);
    if (!Number.isSafeInteger(o.offset) || o.offset < 0) return deliver(fx, command.requestId, { ok: false, code: 'INVALID_COMMIT_OFFSET', message: `${o.topic}/${o.partition}: offset ${String(o.offset)}` } satisfies CommandResult);
  }
  if (offsets.length === 0) return deliver(fx, command.requestId, { ok: true } satisfies CommandResult);
  queueOp(ctx, { kind: 'commit', purpose: 'explicit', requestId: command.requestId, offsets, deadlineMs: ctx.nowMs + ctx.config.requestTimeoutMs });
}

export function onCommitted(ctx: ConsumerContext, fx: Fx, command: ConsumerCommand & { type: 'committed' }): void {
  if (ctx.group === undefined) return deliver(fx, command.requestId, noGroup('committed'));
  queueOp(ctx, { kind: 'committed', requestId: command.requestId, partitions: command.partitions.map((tp) => ({ topic: tp.topic, partition: tp.partition })),
    deadlineMs: ctx.nowMs + ctx.config.requestTimeoutMs });
}

/** What the next poll hands the application before any record: a group error, then rebalance notices in order. */
export function takeGroupNews(ctx: ConsumerContext): { error: ErrorInfo } | { notice: GroupNotice } | undefined {
  const g = ctx.group;
  if (g === undefined) return undefined;
  if (g.fatal !== undefined) {
    const error = g.fatal;
    g.fatal = undefined;
    return { error };
  }
  const [notice, ...rest] = g.notices;
  if (notice === undefined) return undefined;
  assert(notice.id < g.nextNoticeId, `notice ${notice.id} handed out before it was issued`);
  assert(rest.every((n) => n.id !== notice.id), `notice ${notice.id} queued twice`);
  g.notices = rest;
  return { notice };
}

// ---- the coordinator ----

function needsCoordinator(g: GroupMember): boolean {
  return g.subscription !== undefined || g.queued.length > 0 || g.closing?.stage === 'leaving';
}

function findCoordinator(ctx: ConsumerContext, fx: Fx): void {
  const g = member(ctx);
  if (g.coordinator !== undefined || g.find !== undefined || !needsCoordinator(g) || ctx.nowMs < g.findRetryAtMs) return;
  const corr = newCorr(ctx);
  g.find = { corr, deadlineMs: ctx.nowMs + groupRequestTimeoutMs(ctx) };
  send(fx, METADATA, 'findCoordinator', { groupId: g.groupId } satisfies FindCoordinator, corr);
}

function findFailed(ctx: ConsumerContext): void {
  const g = member(ctx);
  assert(g.find !== undefined && g.coordinator === undefined, 'a lookup fails only while it is out and no coordinator is known');
  assert(g.heartbeat === undefined, 'no heartbeat goes out without a coordinator');
  g.find = undefined;
  g.findFailures++;
  const [delayMs, prng] = backoffMs(coordinatorBackoff(ctx, g), g.findFailures, ctx.prng);
  ctx.prng = prng;
  g.findRetryAtMs = ctx.nowMs + delayMs;
}

export function onFindCoordinatorReply(ctx: ConsumerContext, fx: Fx, event: FindCoordinatorReplyEvent): void {
  const g = ctx.group;
  if (g === undefined || g.find?.corr !== event.corr) return; // Every node answers: the first answer settles the lookup.
  if (event.body.code !== 'OK') {
    logLine(fx, 'debug', 'groupCoordinatorLookupFailed', { groupId: g.groupId, code: event.body.code });
    return findFailed(ctx);
  }
  assert(g.coordinator === undefined && g.heartbeat === undefined, 'a lookup is out only while no coordinator is known');
  assert(event.body.address.length > 0, 'a coordinator has an address');
  g.find = undefined;
  g.findFailures = 0;
  g.coordinator = event.body.address;
  g.heartbeatFailures = 0;
}

// ---- heartbeats ----

function leaving(g: GroupMember): boolean { return g.closing?.stage === 'leaving'; }

function heartbeatDue(ctx: ConsumerContext, g: GroupMember): boolean {
  if (g.heartbeat !== undefined || g.coordinator === undefined) return false;
  if (leaving(g)) return true;
  if (g.subscription === undefined || g.closing !== undefined) return false;
  return ctx.nowMs >= g.heartbeatAtMs || g.ownedChanged;
}

function sendHeartbeat(ctx: ConsumerContext, fx: Fx): void {
  const g = member(ctx);
  if (!heartbeatDue(ctx, g)) return;
  const epoch = leaving(g) ? (g.instanceId !== undefined ? STATIC_LEAVE_EPOCH : LEAVE_EPOCH) : g.memberEpoch;
  const body: GroupHeartbeat = { groupId: g.groupId, memberId: g.memberId, memberEpoch: epoch, assignor: ctx.config.assignor,
    ownedPartitions: leaving(g) ? [] : byTopic(reportedOwned(ctx)), rebalanceTimeoutMs: ctx.config.rebalanceTimeoutMs, clientId: ctx.config.clientId };
  if (g.instanceId !== undefined) body.instanceId = g.instanceId;
  if (!leaving(g) && g.subscription !== undefined && (!g.subscriptionSent || g.memberEpoch === JOIN_EPOCH)) {
    if ('topics' in g.subscription) body.subscribedTopics = g.subscription.topics;
    else body.subscribedRegex = g.subscription.regex;
  }
  // KIP-848: a member joins owning nothing (a rejoin dropped everything first).
  assert(epoch !== JOIN_EPOCH || body.ownedPartitions.length === 0, `member ${g.memberId} joins owning partitions`);
  assert(g.coordinator !== undefined, 'a heartbeat goes to a known coordinator');
  const corr = newCorr(ctx);
  g.heartbeat = { corr, sentAtMs: ctx.nowMs, deadlineMs: ctx.nowMs + groupRequestTimeoutMs(ctx), epoch };
  g.ownedChanged = false;
  // Fail-fast: when the coordinator's node dies, its address loses its listener and the transport
  // says so at once (NATS "no responders"), so the member looks for the new coordinator now rather
  // than after the request timeout.
  sendFailFast(fx, g.coordinator, 'groupHeartbeat', body, corr);
}

export function onHeartbeatReply(ctx: ConsumerContext, fx: Fx, event: GroupHeartbeatReplyEvent): void {
  const g = ctx.group;
  if (g === undefined || g.heartbeat?.corr !== event.corr) return;
  const sent = g.heartbeat;
  g.heartbeat = undefined;
  if (leaving(g)) return finishClose(ctx, fx);
  const body = event.body;
  if (body.code !== 'OK') return heartbeatFailed(ctx, fx, body.code, body.message ?? ERRORS[body.code].text);
  // An answer carries the member's epoch or a newer one: an epoch that went down would take back an assignment already handed on.
  assert(body.memberEpoch >= sent.epoch, `member ${body.memberId}: epoch ${body.memberEpoch} answered to a heartbeat of epoch ${sent.epoch}`);
  assert(sent.sentAtMs <= ctx.nowMs, 'a heartbeat is answered after it was sent');
  g.ackedAtMs = Math.max(g.ackedAtMs, sent.sentAtMs);
  g.heartbeatFailures = 0;
  if (g.memberId !== body.memberId || g.memberEpoch !== body.memberEpoch) logLine(fx, 'info', 'groupMemberEpoch', { groupId: g.groupId, memberId: body.memberId, memberEpoch: body.memberEpoch });
  g.memberId = body.memberId;
  g.memberEpoch = body.memberEpoch;
  g.heartbeatIntervalMs = body.heartbeatIntervalMs;
  g.sessionTimeoutMs = body.sessionTimeoutMs;
  g.heartbeatAtMs = ctx.nowMs + body.heartbeatIntervalMs;
  g.subscriptionSent = true;
  if (body.assignment !== undefined) {
    g.target = new Map(body.assignment.flatMap((tp) => tp.partitions.map((partition) => [partitionKey(tp.topic, partition), { topic: tp.topic, partition }])));
  }
}

function heartbeatFailed(ctx: ConsumerContext, fx: Fx, code: keyof typeof ERRORS, message: string): void {
  const g = member(ctx);
  assert(g.heartbeat === undefined, 'a failed heartbeat is no longer in flight');
  assert(!leaving(g), 'the answer to a leave closes, whatever it says');
  switch (code) {
    case 'FENCED_MEMBER_EPOCH': case 'UNKNOWN_MEMBER_ID':
      logLine(fx, 'warn', 'groupMemberFenced', { groupId: g.groupId, memberId: g.memberId, memberEpoch: g.memberEpoch, code });
      return rejoin(ctx, fx, code, message);
    case 'COORDINATOR_LOAD_IN_PROGRESS': return heartbeatBackoff(ctx);
    default:
      if (ERRORS[code].retriable) {
        if (code === 'UNKNOWN_ADDRESS') coordinatorGone(ctx);
        else coordinatorLost(ctx);
        return heartbeatBackoff(ctx);
      }
      // The coordinator refuses this member for good (an instance id in use, a full group, an unknown assignor):
      // the application hears it at its next poll and may subscribe again.
      logLine(fx, 'error', 'groupJoinRefused', { groupId: g.groupId, code, message });
      rejoin(ctx, fx, code, message);
      g.subscription = undefined;
      g.fatal = { code, message };
  }
}

function heartbeatBackoff(ctx: ConsumerContext): void {
  const g = member(ctx);
  assert(g.heartbeat === undefined, 'a heartbeat backs off only with none in flight');
  g.heartbeatFailures++;
  const [delayMs, prng] = backoffMs(coordinatorBackoff(ctx, g), g.heartbeatFailures, ctx.prng);
  assert(delayMs >= 0, `a backoff of ${delayMs} ms`);
  ctx.prng = prng;
  g.heartbeatAtMs = ctx.nowMs + delayMs;
  if (g.coordinator === undefined) g.findRetryAtMs = ctx.nowMs + delayMs;
}

/**
 * Drops every partition without committing (they may already be someone else's) and joins again
 * with epoch 0 under the same member id, as a KIP-848 member does. A coordinator that still has the
 * member takes it back with its assignment (no new group epoch); one that removed it adds it anew.
 * A fresh id would leave the old member behind, holding its partitions until its session ran out.
 */
function rejoin(ctx: ConsumerContext, fx: Fx, code: keyof typeof ERRORS, message: string): void {
  const g = member(ctx);
  dropAllOwned(ctx, fx, true);
  failWaitingCommits(ctx, fx, code, message);
  g.memberEpoch = JOIN_EPOCH;
  g.heartbeat = undefined;
  g.subscriptionSent = false;
  g.target = undefined;
  g.assigning = new Set();
  g.heartbeatAtMs = ctx.nowMs;
  // Fenced partitions may already be someone else's: nothing of them may stay, nor a commit the application waits on.
  assert(ctx.partitions.size === 0 && g.revoking === undefined, 'a rejoining member owns nothing');
  assert(!g.queued.some((e) => e.op.kind === 'commit' && e.op.purpose === 'explicit'), 'the commits the application waited on were failed');
}

// ---- ticks, close, and the step's tail ----

/** Tick: lookups and heartbeats without answers, the session, offset requests, auto-commit, close's deadline. */
export function groupTick(ctx: ConsumerContext, fx: Fx): void {
  const g = ctx.group;
  if (g === undefined || ctx.closed) return;
  assert(g.heartbeat === undefined || g.coordinator !== undefined, 'a heartbeat in flight has a coordinator');
  assert(g.find === undefined || g.coordinator === undefined, 'a lookup is out only while no coordinator is known');
  if (g.find !== undefined && ctx.nowMs >= g.find.deadlineMs) findFailed(ctx);
  if (g.heartbeat !== undefined && ctx.nowMs >= g.heartbeat.deadlineMs) {
    g.heartbeat = undefined;
    if (leaving(g)) return finishClose(ctx, fx);
    coordinatorLost(ctx);
    heartbeatBackoff(ctx);
  }
  if (g.closing !== undefined && ctx.nowMs >= g.closing.deadlineMs) return finishClose(ctx, fx);
  if (g.memberEpoch > 0 && g.closing === undefined && ctx.nowMs >= g.ackedAtMs + g.sessionTimeoutMs) {
    logLine(fx, 'warn', 'groupSessionLapsed', { groupId: g.groupId, memberId: g.memberId, memberEpoch: g.memberEpoch });
    rejoin(ctx, fx, 'UNKNOWN_MEMBER_ID', 'the session lapsed without acknowledged heartbeats');
  }
  expireGroupRequests(ctx, fx);
  autoCommit(ctx);
}

/**
 * Every autoCommitIntervalMs: the positions of delivered records that moved since the last commit.
 * Skipped while the previous auto-commit is still queued or in flight (as Kafka's consumer does):
 * the next interval commits newer positions anyway.
 */
function autoCommit(ctx: ConsumerContext): void {
  const g = member(ctx);
  if (!ctx.config.autoCommit || ctx.nowMs < g.autoCommitAtMs || g.closing !== undefined) return;
  g.autoCommitAtMs = ctx.nowMs + ctx.config.autoCommitIntervalMs;
  if (g.memberEpoch <= 0 || autoCommitPending(g)) return;
  const offsets = consumedOffsets(ctx, false);
  if (offsets.length === 0) return;
  assert(offsets.every((o) => o.offset >= 0 && ctx.partitions.has(partitionKey(o.topic, o.partition))), 'an auto-commit commits positions of fetched partitions');
  assert(g.memberEpoch > 0, 'only a member that joined commits as one');
  queueOp(ctx, { kind: 'commit', purpose: 'auto', requestId: undefined, offsets, deadlineMs: ctx.nowMs + ctx.config.autoCommitIntervalMs });
}

/** Positions of delivered records not yet committed: of fetched partitions, and of revoking ones too when `withRevoking`. */
function consumedOffsets(ctx: ConsumerContext, withRevoking: boolean): Array<{ topic: string; partition: number; offset: number }> {
  const g = member(ctx);
  return ownedPartitions(ctx).filter((o) => (withRevoking || !o.revoking) && o.consumed !== undefined
      && o.consumed !== g.committed.get(partitionKey(o.topic, o.partition)))
    .map((o) => ({ topic: o.topic, partition: o.partition, offset: o.consumed as number }));
}

/** close in group mode: stop fetching, commit (autoCommit), leave; the close answer waits for these steps or closeDeadline. */
export function closeGroup(ctx: ConsumerContext, fx: Fx, requestId: number): void {
  const g = member(ctx);
  assert(g.closing === undefined && !ctx.closed, 'a close starts once');
  const offsets = ctx.config.autoCommit && g.memberEpoch > 0 ? consumedOffsets(ctx, true) : [];
  for (const key of [...ctx.partitions.keys()]) removePartition(ctx, fx, key);
  assert(ctx.partitions.size === 0 && ctx.bufferedBytes === 0, 'a closing consumer fetches and buffers nothing');
  g.revoking = undefined;
  g.notices = [];
  g.closing = { requestId, stage: 'committing', deadlineMs: ctx.nowMs + ctx.config.requestTimeoutMs };
  if (offsets.length > 0) return queueOp(ctx, { kind: 'commit', purpose: 'close', requestId: undefined, offsets, deadlineMs: g.closing.deadlineMs });
  startLeave(ctx, fx);
}

function startLeave(ctx: ConsumerContext, fx: Fx): void {
  const g = member(ctx);
  if (g.closing === undefined) return;
  if (g.memberId === '' || g.subscription === undefined) return finishClose(ctx, fx);
  g.closing = { ...g.closing, stage: 'leaving' };
  g.heartbeat = undefined; // A heartbeat in flight is not waited for: the leave supersedes it.
}

function finishClose(ctx: ConsumerContext, fx: Fx): void {
  const g = member(ctx);
  if (g.closing === undefined) return;
  assert(!ctx.closed, 'a consumer closes once');
  failWaitingCommits(ctx, fx, 'CLIENT_CLOSED', 'the consumer is closed');
  assert(!g.queued.some((e) => e.op.kind === 'commit' && e.op.purpose === 'explicit'), 'no commit the application waits on outlives the close');
  for (const e of g.queued) if (e.op.kind === 'committed') deliver(fx, e.op.requestId, { ok: false, code: 'CLIENT_CLOSED', message: 'the consumer is closed' });
  for (const e of g.inFlight.values()) {
    if (e.op.kind === 'committed' || e.op.kind === 'commit' && e.op.purpose === 'explicit') deliver(fx, e.op.requestId as number, { ok: false, code: 'CLIENT_CLOSED', message: 'the consumer is closed' });
  }
  g.queued = [];
  g.inFlight = new Map();
  deliver(fx, g.closing.requestId, { ok: true } satisfies CommandResult);
  g.closing = undefined;
  g.subscription = undefined;
  ctx.closed = true;
}

/** A close committing its positions leaves once that commit settled (answered, failed or expired). */
function closeCommitSettled(g: GroupMember): boolean {
  const isClose = (op: GroupOp): boolean => op.kind === 'commit' && op.purpose === 'close';
  return g.closing?.stage === 'committing' && !g.queued.some((e) => isClose(e.op)) && ![...g.inFlight.values()].some((e) => isClose(e.op));
}

/** After every event: move a close on, look up the coordinator, reconcile the assignment, send what is due. */
export function pumpGroup(ctx: ConsumerContext, fx: Fx): void {
  const g = ctx.group;
  if (g === undefined || ctx.closed) return;
  if (closeCommitSettled(g)) startLeave(ctx, fx);
  if (ctx.closed) return;
  assert(g.closing?.stage !== 'leaving' || (g.subscription !== undefined && g.memberId !== ''), 'only a member that joined leaves');
  assert(g.heartbeat === undefined || g.coordinator !== undefined, 'a heartbeat in flight has a coordinator');
  findCoordinator(ctx, fx);
  if (g.closing === undefined) reconcile(ctx, fx);
  sendQueued(ctx, fx);
  sendHeartbeat(ctx, fx);
}
