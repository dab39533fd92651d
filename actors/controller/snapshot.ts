/**
 * Snapshots (Raft §7): once the committed log past the last snapshot holds snapshotEveryRecords
 * entries, the committed image is written to `ctl/snapshot` {index, term, image} and, once stored,
 * the log before it is deleted. A follower whose nextIndex fell below the leader's snapshot gets
 * installSnapshot: it stores the snapshot, drops the log it covers (all of it unless it agrees at
 * the snapshot index) and acks once the snapshot is stored.
 */
import { assert } from '../assert.js';
import { fromPlain } from '../metadata/image.js';
import type { ControllerContext, From, RaftMessage, Snapshot } from './types.js';
import { compacted, lastIndex, termAt } from './log.js';
import { adoptTerm, flushAcks, followLeader } from './follow.js';
import { METADATA_LOG, raftSend, SNAPSHOT_KEY } from './step.js';
import { logLine, report, type Fx } from '../kit/fx.js';
import { newToken } from '../kit/ops.js';

function writeSnapshot(ctx: ControllerContext, fx: Fx, snapshot: Snapshot, installed: boolean): void {
  ctx.snapshotWriting = true;
  const token = newToken(ctx, { kind: 'snapshot', snapshot, installed });
  fx.push({ type: 'putMeta', params: { token, entries: [[SNAPSHOT_KEY, snapshot]], sync: true } });
}

export function maybeSnapshot(ctx: ControllerContext, fx: Fx): void {
  const since = ctx.lastApplied - ctx.log.snapshotIndex;
  if (ctx.snapshotWriting || since < ctx.knobs.snapshotEveryRecords || ctx.role === 'recovering') return;
  const term = termAt(ctx.log, ctx.lastApplied);
  assert(term !== undefined, 'the applied entry is in memory');
  writeSnapshot(ctx, fx, { index: ctx.lastApplied, term, image: ctx.image }, false); // Images are values: no copy needed.
}

/** The snapshot is durable: it becomes the log start, and the log before it is deleted. */
export function onSnapshotStored(ctx: ControllerContext, fx: Fx, snapshot: Snapshot, installed: boolean): void {
  assert(ctx.snapshotWriting, 'a snapshot write was in flight');
  assert(snapshot.image.offset === snapshot.index, 'a snapshot image is at its index');
  ctx.snapshotWriting = false;
  if (snapshot.index <= ctx.log.snapshotIndex && !installed) return;
  if (ctx.snapshot !== undefined && ctx.snapshot.index > snapshot.index) return;
  ctx.snapshot = snapshot;
  if (!installed) ctx.log = compacted(ctx.log, snapshot.index, snapshot.term);
  if (ctx.log.snapshotIndex === snapshot.index) ctx.durableIndex = Math.max(ctx.durableIndex, snapshot.index);
  fx.push({ type: 'deleteBefore', params: { token: newToken(ctx, { kind: 'trim' }), log: METADATA_LOG, offset: snapshot.index + 1 } });
  report(fx, 'raftSnapshot', { nodeId: ctx.nodeId, index: snapshot.index, term: snapshot.term, installed });
  logLine(fx, 'info', 'raftSnapshot', { nodeId: ctx.nodeId, index: snapshot.index, installed });
  if (ctx.role !== 'leader') flushAcks(ctx, fx);
}

export function sendInstallSnapshot(ctx: ControllerContext, fx: Fx, id: number, seq: number): void {
  const snapshot = ctx.snapshot;
  assert(snapshot !== undefined && snapshot.index === ctx.log.snapshotIndex, 'the log start is a stored snapshot');
  raftSend(ctx, fx, id, 'installSnapshot', { term: ctx.term, leaderId: ctx.nodeId, seq, snapshotIndex: snapshot.index,
    snapshotTerm: snapshot.term, image: snapshot.image });
}

type InstallSnapshot = RaftMessage & From & { type: 'installSnapshot' };

export function onInstallSnapshot(ctx: ControllerContext, fx: Fx, m: InstallSnapshot): void {
  assert(m.leaderId !== ctx.nodeId, 'no snapshot to ourselves');
  if (m.term < ctx.term) {
    return raftSend(ctx, fx, m.leaderId, 'installSnapshotReply', { term: ctx.term, followerId: ctx.nodeId, seq: m.seq, success: false, matchIndex: 0 });
  }
  if (m.term > ctx.term) adoptTerm(ctx, fx, m.term, m.leaderId);
  followLeader(ctx, m.leaderId);
  ctx.pendingAcks = [...ctx.pendingAcks, { to: m.from, term: ctx.term, seq: m.seq, type: 'installSnapshotReply', matchIndex: m.snapshotIndex }];
  if (m.snapshotIndex <= ctx.lastApplied || ctx.snapshotWriting) return flushAcks(ctx, fx); // Already have it (or busy: the leader resends).
  const keepsTail = termAt(ctx.log, m.snapshotIndex) === m.snapshotTerm;
  const snapshot: Snapshot = { index: m.snapshotIndex, term: m.snapshotTerm, image: fromPlain(m.image) };
  assert(snapshot.image.offset === snapshot.index, 'a snapshot image is at its index');
  ctx.log = compacted(ctx.log, snapshot.index, snapshot.term);
  ctx.snapshot = snapshot; // Committed data: fine to serve before it is stored here.
  ctx.durableIndex = Math.min(ctx.durableIndex, keepsTail ? lastIndex(ctx.log) : snapshot.index - 1);
  ctx.image = snapshot.image;
  ctx.commitIndex = snapshot.index;
  ctx.lastApplied = snapshot.index;
  report(fx, 'raftCommit', { nodeId: ctx.nodeId, commitIndex: ctx.commitIndex, term: ctx.term, logStart: ctx.log.snapshotIndex });
  writeSnapshot(ctx, fx, snapshot, true);
  // After the snapshot is stored (the store applies writes in order): drop the log it replaces.
  if (!keepsTail) fx.push({ type: 'truncateFrom', params: { token: newToken(ctx, { kind: 'truncate' }), log: METADATA_LOG, offset: 0 } });
}
