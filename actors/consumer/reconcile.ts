/**
 * Reconciling the member's partitions with the coordinator's assignment (KIP-848's client side),
 * one step at a time. Revocation first: partitions no longer assigned stop fetching and lose their
 * buffered records at once; with autoCommit the positions already delivered are committed; then
 * the application gets a `revoked` notice and the member keeps reporting the partitions owned
 * until the application acknowledges it (its callback may commit), so the coordinator hands them
 * on only after that. Then assignment: the committed offsets of new partitions are fetched, each
 * starts at its committed offset or by autoOffsetReset, and the application gets an `assigned`
 * notice.
 */
import { assert } from '../assert.js';
import { logLine, type Fx } from '../kit/fx.js';
import { wantTopic } from '../client/metadata.js';
import { member, queueOp } from './member.js';
import { addGroupPartition, partitionKey, removePartition } from './partitions.js';
import type { GroupOp } from './group-types.js';
import type { CommandResult, ConsumerContext, TopicPartition } from './types.js';

export interface OwnedPartition extends TopicPartition { consumed: number | undefined; revoking: boolean }

/** What the member owns: partitions it fetches, and revoked ones the application has not yet acknowledged. */
export function ownedPartitions(ctx: ConsumerContext): OwnedPartition[] {
  const out: OwnedPartition[] = [...ctx.partitions.values()].map((p) => ({ topic: p.topic, partition: p.partition, consumed: p.consumed, revoking: false }));
  for (const p of ctx.group?.revoking?.partitions ?? []) out.push({ ...p, revoking: true });
  return out;
}

/**
 * What the member's heartbeats report owning: what it owns, plus the partitions it is starting
 * (their committed offsets on the way). It may start fetching those on the assignment it was given,
 * so the coordinator must not take them for released: it would hand them on while this member
 * starts them — if the answer that revoked them is lost, nothing else would stop it.
 */
export function reportedOwned(ctx: ConsumerContext): TopicPartition[] {
  const g = member(ctx);
  const starting = [...g.assigning].map((key) => g.target?.get(key)).filter((tp): tp is TopicPartition => tp !== undefined);
  return [...ownedPartitions(ctx), ...starting];
}

/** Starts the next reconciliation step when none is under way. */
export function reconcile(ctx: ConsumerContext, fx: Fx): void {
  const g = member(ctx);
  const target = g.target;
  if (target === undefined || g.memberEpoch <= 0) return;
  const stillWanted = [...g.assigning].filter((key) => target.has(key));
  if (stillWanted.length !== g.assigning.size) {
    // No longer assigned before they started: released at once, and the next heartbeat says so.
    g.assigning = new Set(stillWanted);
    g.ownedChanged = true;
  }
  assert([...g.assigning].every((key) => target.has(key)), 'the partitions being started are all still assigned');
  if (g.revoking !== undefined) return;
  const revoked = [...ctx.partitions.keys()].filter((key) => !target.has(key));
  if (revoked.length > 0) return startRevocation(ctx, fx, revoked);
  const added = [...target].filter(([key]) => !ctx.partitions.has(key) && !g.assigning.has(key)).map(([, tp]) => tp);
  if (added.length === 0) return;
  assert(added.every((tp) => target.get(partitionKey(tp.topic, tp.partition)) === tp), 'a partition is started under its own key');
  g.assigning = new Set([...g.assigning, ...added.map((tp) => partitionKey(tp.topic, tp.partition))]);
  for (const tp of added) wantTopic(ctx.metadata, tp.topic);
  queueOp(ctx, { kind: 'fetchAssigned', partitions: added, deadlineMs: Infinity });
}

function startRevocation(ctx: ConsumerContext, fx: Fx, keys: string[]): void {
  const g = member(ctx);
  assert(g.revoking === undefined, 'one revocation at a time');
  assert(keys.length > 0, 'a revocation of partitions owned');
  const partitions = keys.map((key) => {
    const p = removePartition(ctx, fx, key);
    assert(p !== undefined, 'a revoked partition was fetched');
    return { topic: p.topic, partition: p.partition, consumed: p.consumed };
  });
  const noticeId = g.nextNoticeId++;
  const offsets = ctx.config.autoCommit
    ? partitions.filter((p) => p.consumed !== undefined && p.consumed !== g.committed.get(partitionKey(p.topic, p.partition)))
      .map((p) => ({ topic: p.topic, partition: p.partition, offset: p.consumed as number }))
    : [];
  logLine(fx, 'info', 'groupRevoking', { groupId: g.groupId, memberEpoch: g.memberEpoch, partitions: keys });
  g.revoking = { noticeId, partitions, stage: 'committing' };
  if (offsets.length > 0) {
    return queueOp(ctx, { kind: 'commit', purpose: 'revoke', requestId: noticeId, offsets, deadlineMs: ctx.nowMs + ctx.config.requestTimeoutMs });
  }
  notifyRevoked(ctx);
}

function notifyRevoked(ctx: ConsumerContext): void {
  const g = member(ctx);
  const revoking = g.revoking;
  assert(revoking !== undefined && revoking.stage === 'committing', 'a revocation notifies once');
  assert(!g.notices.some((n) => n.id === revoking.noticeId), `notice ${revoking.noticeId} given twice`);
  g.revoking = { ...revoking, stage: 'notified' };
  g.notices = [...g.notices, { id: revoking.noticeId, kind: 'revoked', lost: false,
    partitions: revoking.partitions.map((p) => ({ topic: p.topic, partition: p.partition })) }];
}

/** The commit before a revocation settled (either way): the application hears of it now. */
export function revokingNoticeDone(ctx: ConsumerContext, op: GroupOp & { kind: 'commit' }): void {
  const revoking = member(ctx).revoking;
  if (revoking === undefined || revoking.noticeId !== op.requestId || revoking.stage !== 'committing') return;
  notifyRevoked(ctx);
}

/** The application ran its revocation callback: the partitions are no longer owned, and the next heartbeat says so at once. */
export function onAckRevoked(ctx: ConsumerContext, noticeId: number): CommandResult {
  const g = ctx.group;
  assert(!ctx.closed, 'a closed consumer takes no acknowledgement');
  if (g === undefined) return { ok: true };
  if (g.revoking?.noticeId === noticeId && g.revoking.stage === 'notified') {
    assert(noticeId < g.nextNoticeId, `notice ${noticeId} acknowledged before it was issued`);
    g.revoking = undefined;
    g.ownedChanged = true;
  }
  return { ok: true };
}

/** Committed offsets of newly assigned partitions arrived: start those still assigned and tell the application. */
export function assignedOffsets(ctx: ConsumerContext, fx: Fx, partitions: TopicPartition[], committed: ReadonlyMap<string, { offset: number }>): void {
  const g = member(ctx);
  const started: TopicPartition[] = [];
  const assigning = new Set(g.assigning);
  for (const tp of partitions) {
    const key = partitionKey(tp.topic, tp.partition);
    if (!assigning.has(key) || g.target?.has(key) !== true || ctx.partitions.has(key)) continue;
    assigning.delete(key);
    const offset = committed.get(key)?.offset;
    assert(offset === undefined || offset >= 0, `${key}: committed offset ${offset}`);
    const reset = ctx.config.autoOffsetReset;
    const p = addGroupPartition(ctx, fx, tp.topic, tp.partition, offset ?? (reset === 'none' ? 0 : reset));
    if (offset === undefined && reset === 'none') {
      p.halted = true;
      p.error = { code: 'OFFSET_OUT_OF_RANGE', message: `${key}: no committed offset and autoOffsetReset is none` };
    }
    started.push({ topic: tp.topic, partition: tp.partition });
  }
  g.assigning = assigning;
  assert([...assigning].every((key) => !ctx.partitions.has(key)), 'a partition is started or being started, not both');
  if (started.length === 0) return;
  g.ownedChanged = true;
  logLine(fx, 'info', 'groupAssigned', { groupId: g.groupId, memberEpoch: g.memberEpoch, partitions: started.map((tp) => partitionKey(tp.topic, tp.partition)) });
  g.notices = [...g.notices, { id: g.nextNoticeId++, kind: 'assigned', lost: false, partitions: started }];
}

/** Fenced or lapsed: every partition goes at once, without a commit; the application hears they were lost. */
export function dropAllOwned(ctx: ConsumerContext, fx: Fx, lost: boolean): void {
  const g = member(ctx);
  const owned = ownedPartitions(ctx);
  for (const key of [...ctx.partitions.keys()]) removePartition(ctx, fx, key);
  assert(ctx.partitions.size === 0, 'every partition went');
  assert(ctx.corrs.size === 0 && ctx.bufferedBytes === 0, 'nothing asked or buffered for partitions gone');
  g.revoking = undefined;
  g.queued = g.queued.filter((e) => e.op.kind !== 'fetchAssigned' && !(e.op.kind === 'commit' && e.op.purpose !== 'explicit'));
  if (owned.length === 0) return;
  g.notices = [...g.notices, { id: g.nextNoticeId++, kind: 'revoked', lost, partitions: owned.map((o) => ({ topic: o.topic, partition: o.partition })) }];
}
