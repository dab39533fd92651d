/**
 * Recovery after a start or a storage failure: read ctl/state {term, votedFor} and ctl/snapshot
 * {index, term, image}, then the metadata log from snapshot index + 1 to its end (read after read
 * until one comes back empty). The snapshot is the committed state; the log entries after it are
 * of unknown commitment until a leader says so. Then the replica is a follower.
 */
import { assert } from '../assert.js';
import type { LogEntryData } from '../effects.js';
import { emptyImage, fromPlain, isImage } from '../metadata/image.js';
import { parseRecord } from '../metadata/validate.js';
import type { ControllerContext, RaftEntry, Snapshot } from './types.js';
import { appended, lastIndex, lastTerm } from './log.js';
import { persistState, resetElectionDeadline } from './follow.js';
import { METADATA_LOG, SNAPSHOT_KEY, STATE_KEY } from './step.js';
import { logLine, type Fx } from '../kit/fx.js';
import { newToken } from '../kit/ops.js';

export const RECOVERY_READ_BYTES = 1_048_576;

/** Forget everything in memory and read it back from storage. */
export function startRecovery(ctx: ControllerContext, fx: Fx): void {
  assert(ctx.role !== 'leader', 'a leader steps down before recovering');
  Object.assign(ctx, {
    role: 'recovering', term: 0, votedFor: undefined, durableTerm: 0, leaderId: undefined,
    log: { snapshotIndex: 0, snapshotTerm: 0, entries: [] }, durableIndex: 0, commitIndex: 0, lastApplied: 0,
    image: emptyImage(), working: undefined, snapshot: undefined, snapshotWriting: false, votes: [], followers: {},
    sessions: {}, sessionsHeard: {}, producerIds: undefined, probes: {}, purgatory: [], appliedWaiters: [], nodesApplied: {}, pendingAcks: [], held: [], ops: new Map(), recovery: { stateRead: false, snapshotRead: false, retryAtMs: undefined },
  } satisfies Partial<ControllerContext>);
  fx.push({ type: 'getMeta', params: { token: newToken(ctx, { kind: 'readState' }), key: STATE_KEY } });
  fx.push({ type: 'getMeta', params: { token: newToken(ctx, { kind: 'readSnapshot' }), key: SNAPSHOT_KEY } });
  assert(ctx.ops.size === 2, 'recovery reads the state and the snapshot first');
}

/** A failed read: try again from the start on a later tick. */
export function recoveryFailed(ctx: ControllerContext, fx: Fx, error: string): void {
  logLine(fx, 'error', 'controllerRecoveryFailed', { nodeId: ctx.nodeId, error });
  ctx.ops = new Map();
  ctx.recovery = { stateRead: false, snapshotRead: false, retryAtMs: ctx.nowMs + ctx.knobs.electionTimeoutMs };
}

function isObject(v: unknown): v is Record<string, unknown> { return typeof v === 'object' && v !== null && !Array.isArray(v); }

export function onStateRead(ctx: ControllerContext, fx: Fx, value: unknown): void {
  if (value !== undefined && value !== null) {
    assert(isObject(value) && Number.isSafeInteger(value['term']), 'ctl/state holds {term, votedFor}');
    const votedFor = value['votedFor'];
    assert(votedFor === null || votedFor === undefined || Number.isSafeInteger(votedFor), 'votedFor is a node id');
    ctx.term = value['term'] as number;
    ctx.durableTerm = ctx.term;
    ctx.votedFor = typeof votedFor === 'number' ? votedFor : undefined;
  }
  ctx.recovery = { ...(ctx.recovery as NonNullable<typeof ctx.recovery>), stateRead: true };
  maybeReadLog(ctx, fx);
}

export function onSnapshotRead(ctx: ControllerContext, fx: Fx, value: unknown): void {
  if (value !== undefined && value !== null) {
    assert(isObject(value) && Number.isSafeInteger(value['index']) && Number.isSafeInteger(value['term']), 'ctl/snapshot holds {index, term, image}');
    assert(isImage(value['image']), 'the stored snapshot image has the image shape');
    const snapshot: Snapshot = { index: value['index'] as number, term: value['term'] as number, image: fromPlain(value['image']) };
    assert(snapshot.image.offset === snapshot.index, 'the snapshot image is at the snapshot index');
    ctx.snapshot = snapshot;
    ctx.log = { snapshotIndex: snapshot.index, snapshotTerm: snapshot.term, entries: [] };
    ctx.image = fromPlain(snapshot.image);
    ctx.commitIndex = snapshot.index;
    ctx.lastApplied = snapshot.index;
    ctx.durableIndex = snapshot.index;
  }
  ctx.recovery = { ...(ctx.recovery as NonNullable<typeof ctx.recovery>), snapshotRead: true };
  maybeReadLog(ctx, fx);
}

function maybeReadLog(ctx: ControllerContext, fx: Fx): void {
  const r = ctx.recovery;
  if (r === undefined || !r.stateRead || !r.snapshotRead) return;
  readFrom(ctx, fx, lastIndex(ctx.log) + 1);
}

function readFrom(ctx: ControllerContext, fx: Fx, fromOffset: number): void {
  fx.push({ type: 'read', params: { token: newToken(ctx, { kind: 'readLog' }), log: METADATA_LOG, fromOffset, bytesMax: RECOVERY_READ_BYTES } });
}

function storedEntry(value: unknown): RaftEntry {
  assert(isObject(value) && Number.isSafeInteger(value['term']), 'a log entry holds {term, record}');
  const record = parseRecord(value['record']);
  assert(record !== undefined, 'a log entry holds a valid record');
  return { term: value['term'] as number, record };
}

export function onLogRead(ctx: ControllerContext, fx: Fx, entries: LogEntryData[]): void {
  assert(ctx.role === 'recovering' && ctx.recovery !== undefined, 'the log is read during recovery');
  const before = lastIndex(ctx.log);
  const fresh: RaftEntry[] = [];
  let staleFrom: number | undefined;
  for (const e of [...entries].sort((a, b) => a.offset - b.offset)) {
    if (e.offset <= before + fresh.length) continue; // Below the snapshot: its deleteBefore had not run yet.
    assert(e.offset === before + fresh.length + 1, `the metadata log has a gap at ${e.offset}`);
    const entry = storedEntry(e.value);
    const previousTerm = fresh.length === 0 ? lastTerm(ctx.log) : (fresh[fresh.length - 1] as RaftEntry).term;
    if (entry.term < previousTerm) { staleFrom = e.offset; break; }
    fresh.push(entry);
  }
  if (fresh.length > 0) ctx.log = appended(ctx.log, fresh);
  if (staleFrom !== undefined) {
    // Terms never go down along a log. A lower one after an installed snapshot is the rest of a
    // branch that snapshot replaced, left when the process died between storing the snapshot and
    // deleting that branch; counting it as our log would understate our last term in elections.
    logLine(fx, 'warn', 'controllerStaleLogDropped', { nodeId: ctx.nodeId, fromIndex: staleFrom, snapshotIndex: ctx.log.snapshotIndex });
    fx.push({ type: 'truncateFrom', params: { token: newToken(ctx, { kind: 'truncate' }), log: METADATA_LOG, offset: staleFrom } });
  } else if (fresh.length > 0) {
    return readFrom(ctx, fx, lastIndex(ctx.log) + 1);
  }
  ctx.durableIndex = lastIndex(ctx.log);
  ctx.recovery = undefined;
  ctx.role = 'follower';
  resetElectionDeadline(ctx);
  if (lastTerm(ctx.log) > ctx.term) {
    // Entries of a newer term were stored but the term write was lost: adopt it (no vote was
    // given in it, since vote replies wait for their write).
    ctx.term = lastTerm(ctx.log);
    ctx.votedFor = undefined;
    persistState(ctx, fx);
  }
  logLine(fx, 'info', 'controllerRecovered', { nodeId: ctx.nodeId, term: ctx.term, snapshotIndex: ctx.log.snapshotIndex, lastIndex: ctx.durableIndex });
}
