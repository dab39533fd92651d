/**
 * Log replication (Raft §5.3): the leader appends proposals locally, replays them into its working
 * image and sends appendEntries (one at a time per follower — a reply to the latest request, or one
 * with news, sends the next — and again every heartbeat interval, whatever is in flight); followers
 * check log matching, truncate conflicts, append, and ack only after their append is stored.
 * Entries of the current term commit on a majority of stored copies (§5.4.2); committed entries
 * are replayed into the committed image at once.
 */
import { assert } from '../assert.js';
import type { SendParams } from '../effects.js';
import { replay } from '../metadata/replay.js';
import { asOneEntry, type MetadataRecord } from '../metadata/records.js';
import { majority, type ControllerContext, type From, type RaftEntry, type RaftMessage } from './types.js';
import { appended, entryAt, firstIndexOfTerm, lastIndex, slice, termAt, truncatedFrom } from './log.js';
import { adoptTerm, flushAcks, followLeader } from './follow.js';
import { completeUpTo, park } from './purgatory.js';
import { maybeSnapshot, sendInstallSnapshot } from './snapshot.js';
import { METADATA_LOG, raftSend } from './step.js';
import { report, type Fx } from '../kit/fx.js';
import { newToken } from '../kit/ops.js';

/** Leader: append a decision's records as one entry, replay them into the working image, park the reply (until the nodes applied them too, with `untilApplied`). */
export function propose(ctx: ControllerContext, fx: Fx, records: MetadataRecord[], replyTo: SendParams | undefined, untilApplied = false): void {
  assert(ctx.role === 'leader' && ctx.working !== undefined, 'only the leader proposes');
  const first = lastIndex(ctx.log) + 1;
  assert(ctx.working.offset === first - 1, 'the working image is at the last index');
  if (records.length > 0) {
    // A decision is one entry, so a failover commits all of it or none (a batch when it has several records).
    const entry: RaftEntry = { term: ctx.term, record: asOneEntry(records) };
    ctx.working = replay(ctx.working, entry.record, first);
    ctx.log = appended(ctx.log, [entry]);
    writeEntries(ctx, fx, first, [entry]);
    for (const id of Object.keys(ctx.followers)) if (!ctx.followers[id]?.inFlight) sendAppend(ctx, fx, Number(id));
  }
  if (replyTo !== undefined) park(ctx, fx, lastIndex(ctx.log), withMetadataOffset(replyTo, lastIndex(ctx.log)), untilApplied);
}

/**
 * An OK reply says at which metadata offset its effect is committed, so the client can ask any
 * node for metadata at least that new (`minOffset`) and see what it just did.
 */
function withMetadataOffset(send: SendParams, offset: number): SendParams {
  const body = send.body as Record<string, unknown> | undefined;
  return body?.['code'] === 'OK' ? { ...send, body: { ...body, metadataOffset: offset } } : send;
}

function writeEntries(ctx: ControllerContext, fx: Fx, first: number, entries: RaftEntry[]): void {
  const last = first + entries.length - 1;
  const token = newToken(ctx, { kind: 'append', lastIndex: last, lastTerm: (entries[entries.length - 1] as RaftEntry).term });
  fx.push({ type: 'append', params: { token, log: METADATA_LOG, sync: true,
    entries: entries.map((e, i) => ({ offset: first + i, value: { term: e.term, record: e.record } })) } });
}

/** Leader: the next appendEntries (or installSnapshot) for one follower. */
export function sendAppend(ctx: ControllerContext, fx: Fx, id: number): void {
  const p = ctx.followers[String(id)];
  assert(p !== undefined, `progress for ${id}`);
  const seq = p.seqSent + 1;
  ctx.followers = { ...ctx.followers, [String(id)]: { ...p, inFlight: true, seqSent: seq } };
  if (p.nextIndex <= ctx.log.snapshotIndex) return sendInstallSnapshot(ctx, fx, id, seq);
  const prevLogIndex = p.nextIndex - 1;
  const prevLogTerm = termAt(ctx.log, prevLogIndex);
  assert(prevLogTerm !== undefined, 'the entry before nextIndex is known');
  const entries = slice(ctx.log, p.nextIndex, ctx.knobs.appendEntriesMax);
  raftSend(ctx, fx, id, 'appendEntries', { term: ctx.term, leaderId: ctx.nodeId, seq, prevLogIndex, prevLogTerm, entries, leaderCommit: ctx.commitIndex });
}

export function broadcastAppend(ctx: ControllerContext, fx: Fx): void {
  for (const id of Object.keys(ctx.followers)) sendAppend(ctx, fx, Number(id));
}

/**
 * Leader: success or failure of appendEntries / installSnapshot from one follower. A reply moves the
 * exchange on (clears `inFlight` and sends the next request) when it answers the latest request
 * (`seq`) or brings news: a success that raises matchIndex, a refusal that moves nextIndex back.
 * Anything else is a duplicate or was overtaken by a heartbeat, and sends nothing (FollowerProgress
 * says why). News must count even when overtaken: with a round trip longer than the heartbeat
 * interval every reply is overtaken, and a follower whose refusals were all ignored would never be
 * backed up to where its log matches.
 */
export function onAppendReply(ctx: ControllerContext, fx: Fx, m: { term: number; followerId: number; seq: number; success: boolean; matchIndex: number; nextIndexHint?: number }): void {
  if (m.term > ctx.term) return adoptTerm(ctx, fx, m.term);
  const p = ctx.followers[String(m.followerId)];
  if (ctx.role !== 'leader' || m.term !== ctx.term || p === undefined) return;
  const last = lastIndex(ctx.log);
  assert(p.matchIndex <= last && p.nextIndex <= last + 1, 'a follower\'s progress lies within our log');
  let next = { ...p, lastContactMs: ctx.nowMs };
  const latest = m.seq === p.seqSent;
  // Planted bug (ControllerKnobs.dropOvertakenRefusals; the simulator's tests only): the first form of this rule.
  if (!m.success && !latest && ctx.knobs.dropOvertakenRefusals) {
    ctx.followers = { ...ctx.followers, [String(m.followerId)]: next };
    return;
  }
  if (m.success) {
    assert(m.matchIndex <= last, 'a follower cannot have matched past our log');
    const matchIndex = Math.max(p.matchIndex, m.matchIndex);
    next = { ...next, matchIndex, nextIndex: Math.max(p.nextIndex, matchIndex + 1) };
  } else {
    // Never below what the follower is known to match; a stale hint only makes us resend entries it has.
    next = { ...next, nextIndex: Math.max(p.matchIndex + 1, Math.min(m.nextIndexHint ?? p.nextIndex - 1, last + 1, p.nextIndex)) };
  }
  const news = m.success ? next.matchIndex > p.matchIndex : next.nextIndex < p.nextIndex;
  const movesOn = latest || news;
  if (movesOn) next = { ...next, inFlight: false };
  ctx.followers = { ...ctx.followers, [String(m.followerId)]: next };
  if (m.success) advanceCommit(ctx, fx);
  if (movesOn && ctx.role === 'leader' && (next.nextIndex <= last || !m.success)) sendAppend(ctx, fx, m.followerId);
}

/** Leader: the highest index stored on a majority, if it is of our term (§5.4.2). */
export function advanceCommit(ctx: ControllerContext, fx: Fx): void {
  const matches = ctx.voters.map((id) => (id === ctx.nodeId ? ctx.durableIndex : ctx.followers[String(id)]?.matchIndex ?? 0)).sort((a, b) => b - a);
  const n = matches[majority(ctx.voters) - 1] as number;
  if (n > ctx.commitIndex && termAt(ctx.log, n) === ctx.term) commitTo(ctx, fx, n);
}

/** Commit and apply up to `index`; complete the replies it releases; maybe snapshot. */
export function commitTo(ctx: ControllerContext, fx: Fx, index: number): void {
  assert(index > ctx.commitIndex && index <= lastIndex(ctx.log), 'commit moves forward within the log');
  ctx.commitIndex = index;
  let image = ctx.image;
  for (let i = ctx.lastApplied + 1; i <= index; i++) image = replay(image, entryAt(ctx.log, i).record, i);
  ctx.image = image;
  ctx.lastApplied = index;
  assert(ctx.image.offset === index, 'the committed image is at the commit index');
  report(fx, 'raftCommit', { nodeId: ctx.nodeId, commitIndex: index, term: ctx.term, logStart: ctx.log.snapshotIndex });
  if (ctx.role === 'leader') completeUpTo(ctx, fx, index);
  maybeSnapshot(ctx, fx);
}

/** An append is stored: raise durableIndex if those entries are still ours, then ack or commit. */
export function onAppendStored(ctx: ControllerContext, fx: Fx, op: { lastIndex: number; lastTerm: number }): void {
  if (termAt(ctx.log, op.lastIndex) === op.lastTerm && op.lastIndex > ctx.durableIndex) ctx.durableIndex = op.lastIndex;
  if (ctx.role === 'leader') advanceCommit(ctx, fx);
  else flushAcks(ctx, fx);
}

type AppendEntries = RaftMessage & From & { type: 'appendEntries' };

/** Follower: Raft's AppendEntries receiver (§5.3), with the fast-backup hint on a mismatch. */
export function onAppendEntries(ctx: ControllerContext, fx: Fx, m: AppendEntries): void {
  const refuse = (nextIndexHint: number): void => raftSend(ctx, fx, m.leaderId, 'appendEntriesReply',
    { term: ctx.term, followerId: ctx.nodeId, seq: m.seq, success: false, matchIndex: 0, nextIndexHint });
  assert(m.leaderId !== ctx.nodeId, 'no appendEntries to ourselves');
  assert(m.entries.every((e) => e.term <= m.term), 'entries are of the leader\'s term or earlier');
  if (m.term < ctx.term) return refuse(lastIndex(ctx.log) + 1);
  if (m.term > ctx.term) adoptTerm(ctx, fx, m.term, m.leaderId);
  followLeader(ctx, m.leaderId);
  let prev = m.prevLogIndex;
  let entries = m.entries;
  if (prev < ctx.log.snapshotIndex) { // Entries our snapshot covers are committed and identical.
    entries = entries.slice(ctx.log.snapshotIndex - prev);
    prev = ctx.log.snapshotIndex;
  } else if (prev > lastIndex(ctx.log)) {
    return refuse(lastIndex(ctx.log) + 1);
  } else if (termAt(ctx.log, prev) !== m.prevLogTerm) {
    return refuse(firstIndexOfTerm(ctx.log, prev));
  }
  mergeEntries(ctx, fx, prev, entries);
  const matchIndex = Math.max(prev, prev + entries.length);
  ctx.pendingAcks = [...ctx.pendingAcks, { to: m.from, term: ctx.term, seq: m.seq, type: 'appendEntriesReply', matchIndex }];
  flushAcks(ctx, fx);
  const commit = Math.min(m.leaderCommit, matchIndex);
  if (commit > ctx.commitIndex) commitTo(ctx, fx, commit);
}

/** Append what we do not have; a conflicting suffix is truncated first (never a committed one). */
function mergeEntries(ctx: ControllerContext, fx: Fx, prev: number, entries: RaftEntry[]): void {
  let i = 0;
  while (i < entries.length && termAt(ctx.log, prev + 1 + i) === (entries[i] as RaftEntry).term) i++;
  if (i === entries.length) return;
  const from = prev + 1 + i;
  if (from <= lastIndex(ctx.log)) {
    assert(from > ctx.commitIndex, `a leader never asks to truncate committed entry ${from}`);
    ctx.log = truncatedFrom(ctx.log, from);
    ctx.durableIndex = Math.min(ctx.durableIndex, from - 1);
    fx.push({ type: 'truncateFrom', params: { token: newToken(ctx, { kind: 'truncate' }), log: METADATA_LOG, offset: from } });
  }
  const rest = entries.slice(i);
  assert(from > ctx.commitIndex, 'only uncommitted entries are written');
  ctx.log = appended(ctx.log, rest);
  writeEntries(ctx, fx, from, rest);
}
