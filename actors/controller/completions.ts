/**
 * Storage completions, matched to the operation that started them by token. A failed write means
 * this replica can no longer vouch for its log or vote: it drops everything in memory and recovers
 * from storage (a leader steps down first, failing its parked replies).
 */
import { assert } from '../assert.js';
import type { LogEntryData } from '../effects.js';
import type { ControllerContext } from './types.js';
import { onCandidacyStored } from './election.js';
import { stepDown } from './follow.js';
import { onAppendStored } from './replication.js';
import { onLogRead, onSnapshotRead, onStateRead, recoveryFailed, startRecovery } from './recovery.js';
import { onSnapshotStored } from './snapshot.js';
import { releaseHeld } from './step.js';
import { logLine, report, type Fx } from '../kit/fx.js';
import { takeOp } from '../kit/ops.js';

function storageFailed(ctx: ControllerContext, fx: Fx, what: string, error: string): void {
  logLine(fx, 'error', 'controllerStorageFailed', { nodeId: ctx.nodeId, what, error });
  if (ctx.role === 'recovering') return recoveryFailed(ctx, fx, error);
  if (ctx.role === 'leader') stepDown(ctx, fx, `storage failed: ${error}`);
  startRecovery(ctx, fx);
}

export function onStored(ctx: ControllerContext, fx: Fx, token: number, error: string | undefined): void {
  const op = takeOp(ctx, token);
  if (op === undefined) return; // From before a recovery restart.
  if (error !== undefined) return storageFailed(ctx, fx, op.kind, error);
  switch (op.kind) {
    case 'state':
      assert(op.term <= ctx.term, 'a stored term is one this replica has been in');
      if (op.term > ctx.durableTerm) report(fx, 'raftTerm', { nodeId: ctx.nodeId, term: op.term });
      ctx.durableTerm = Math.max(ctx.durableTerm, op.term);
      if (op.candidacy) onCandidacyStored(ctx, fx, op.term);
      releaseHeld(ctx, fx);
      return;
    case 'append': return onAppendStored(ctx, fx, op);
    case 'snapshot': return onSnapshotStored(ctx, fx, op.snapshot, op.installed);
    case 'truncate': case 'trim': return;
    case 'readState': case 'readSnapshot': case 'readLog':
      assert(false, `${op.kind} completes with a read event, not stored`);
  }
}

export function onMetaRead(ctx: ControllerContext, fx: Fx, token: number, value: unknown, error: string | undefined): void {
  assert(ctx.role === 'recovering', 'only recovery reads meta keys');
  const op = takeOp(ctx, token);
  if (op === undefined) return;
  assert(op.kind === 'readState' || op.kind === 'readSnapshot', 'metaRead answers a getMeta');
  if (error !== undefined) return storageFailed(ctx, fx, op.kind, error);
  if (op.kind === 'readState') onStateRead(ctx, fx, value);
  else onSnapshotRead(ctx, fx, value);
}

export function onReadDone(ctx: ControllerContext, fx: Fx, token: number, entries: LogEntryData[], error: string | undefined): void {
  const op = takeOp(ctx, token);
  if (op === undefined) return;
  assert(op.kind === 'readLog', 'readDone answers a read');
  if (error !== undefined) return storageFailed(ctx, fx, op.kind, error);
  onLogRead(ctx, fx, entries);
}
