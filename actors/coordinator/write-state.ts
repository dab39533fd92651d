/**
 * The state of the coordinator's writes shared by writes.ts and pipeline.ts: outboxes, the count of
 * members' records awaiting acknowledgement, and what a failed write does.
 */
import { assert } from '../assert.js';
import { logLine, reply, type Effect, type Fx } from '../kit/fx.js';
import type { ProduceReply } from '../partition/types.js';
import type { CoordRecord } from './records.js';
import type { CoordinatorContext, Outbox, WriteBatch, Writes } from './types.js';

export function newOutbox(): Outbox { return { replies: [], effects: [] }; }

export function emptyWrites(nowMs: number): Writes {
  return { pipeline: [], queue: [], retryAtMs: nowMs, failures: 0, recordsSinceCheckpoint: 0, checkpointStart: undefined, pendingMembers: {} };
}

export function wallMs(ctx: CoordinatorContext): number { return ctx.nowMs + ctx.wallOffsetMs; }

export function mergeOutbox(a: Outbox, b: Outbox): Outbox {
  return { replies: [...a.replies, ...b.replies], effects: [...a.effects, ...b.effects] };
}

export function emit(fx: Fx, outbox: Outbox): void {
  for (const r of outbox.replies) reply(fx, r.head, r.body);
  for (const e of outbox.effects) fx.push(e);
}

// ---- members with records not yet acknowledged ----

export function memberKey(groupId: string, memberId: string): string { return JSON.stringify([groupId, memberId]); }

/** Adds `sign` per member record to the member's count of records written but not acknowledged. */
export function countPending(ctx: CoordinatorContext, records: readonly CoordRecord[], sign: 1 | -1): void {
  assert(records.length > 0, 'only batches with records are counted');
  const members = records.filter((r) => r.kind === 'member');
  if (members.length === 0) return;
  const pending = { ...ctx.writes.pendingMembers };
  for (const r of members) {
    const key = memberKey(r.groupId, r.memberId);
    const count = (pending[key] ?? 0) + sign;
    if (count < 0) assert(false, `member ${r.memberId}: more records acknowledged than were written`);
    if (count > 0) pending[key] = count;
    else if (pending[key] !== undefined) {
      delete pending[key];
      heardOnRelease(ctx, r.groupId, r.memberId);
    }
  }
  ctx.writes = { ...ctx.writes, pendingMembers: pending };
}

/**
 * A member's last records are acknowledged, so the reply they held goes out now. The member was
 * waiting for it (one heartbeat out at a time): its silence starts now, not when its heartbeat
 * came in. Counted from then, a write held up for longer than two heartbeat intervals made it look
 * silent, and a probe that found its inbox away for a moment removed it and handed its partitions
 * to others while the reply naming them was still on its way to it (members.ts checkMembers).
 */
function heardOnRelease(ctx: CoordinatorContext, groupId: string, memberId: string): void {
  const group = ctx.groups[groupId];
  const member = group?.members[memberId];
  if (group === undefined || member === undefined || member.heardSinceTick === true) return;
  ctx.groups = { ...ctx.groups, [groupId]: { ...group, members: { ...group.members, [memberId]: { ...member, heardSinceTick: true } } } };
}

/**
 * Whether a record of the member awaits acknowledgement. When none does, its state in memory is
 * the state in the log, and a heartbeat that changes nothing may be answered at once.
 */
export function memberPending(ctx: CoordinatorContext, groupId: string, memberId: string): boolean {
  return ctx.writes.pendingMembers[memberKey(groupId, memberId)] !== undefined;
}

// ---- failure ----

/** A refusal that proves another leader epoch took over: this coordinator is over. */
export function isFencing(body: ProduceReply | { code: string; leaderEpoch?: number }, leaderEpoch: number): boolean {
  return body.code === 'FENCED_LEADER_EPOCH' || (body.code === 'NOT_LEADER' && 'leaderEpoch' in body && (body.leaderEpoch ?? -1) > leaderEpoch);
}

/** Fails everything waiting on a write; then reload, or stop serving when fenced. */
export function writeFailed(ctx: CoordinatorContext, fx: Fx, code: string, fenced: boolean): void {
  logLine(fx, 'warn', 'groupWriteFailed', { partition: ctx.partition, code, fenced });
  failPending(ctx, fx, fenced ? 'NOT_COORDINATOR' : 'COORDINATOR_NOT_AVAILABLE');
  // The `loading` state's entry starts the reload.
  ctx.phase = fenced ? 'fenced' : 'loading';
}

/** Answers every reply waiting on a write with `code`; their reports are dropped (nothing was announced). */
export function failPending(ctx: CoordinatorContext, fx: Fx, code: string): void {
  const batches: WriteBatch[] = [...ctx.writes.pipeline.map((p) => p.batch), ...ctx.writes.queue];
  const effects: Effect[] = [];
  for (const b of batches) for (const r of b.outbox.replies) reply(effects, r.head, { code, message: `the write to __consumer_offsets failed` });
  fx.push(...effects);
  ctx.writes = emptyWrites(ctx.nowMs);
}
