/**
 * SyncGroup, Heartbeat and LeaveGroup of the classic protocol, and the tick that ends join phases,
 * expires sessions and restarts a rebalance whose leader never synced (Kafka's timeouts).
 */
import { assert } from '../assert.js';
import { reply, logLine, type Fx } from '../kit/fx.js';
import { afterRemoval, maybeCompleteJoin, memberCheck, prepareRebalance, putClassic, removeClassicMember } from './classic.js';
import type { ClassicGroup, ClassicMember } from './classic-types.js';
import type { CoordinatorContext, RequestOf } from './types.js';

function head(r: RequestOf<'syncGroup'>): NonNullable<ClassicMember['sync']> {
  return { type: r.type, from: r.from, ...(r.corr !== undefined ? { corr: r.corr } : {}), ...(r.replyTo !== undefined ? { replyTo: r.replyTo } : {}) };
}

function syncReply(group: ClassicGroup, member: ClassicMember) {
  return { code: 'OK', protocolType: group.protocolType, protocolName: group.protocolName, assignment: member.assignment };
}

export function onSyncGroup(ctx: CoordinatorContext, fx: Fx, s: RequestOf<'syncGroup'>): void {
  if (s.refusal !== undefined) return reply(fx, s, s.refusal);
  const group = ctx.classic[s.groupId];
  const refused = memberCheck(group, s.memberId, s.generationId);
  if (refused !== undefined || group === undefined) return reply(fx, s, refused);
  if ((s.protocolType !== undefined && s.protocolType !== group.protocolType) || (s.protocolName !== undefined && s.protocolName !== group.protocolName)) {
    return reply(fx, s, { code: 'INCONSISTENT_GROUP_PROTOCOL', message: `the group speaks ${group.protocolType}/${group.protocolName}` });
  }
  assert(group.state !== 'empty', `${s.groupId}: an empty group with member ${s.memberId}`);
  const member = { ...group.members[s.memberId] as ClassicMember, lastHeardMs: ctx.nowMs };
  if (group.state === 'preparingRebalance') return reply(fx, s, { code: 'REBALANCE_IN_PROGRESS', message: 'the group is rebalancing: join again' });
  if (group.state === 'stable') {
    putClassic(ctx, { ...group, members: { ...group.members, [member.memberId]: member } });
    return reply(fx, s, syncReply(group, member));
  }
  assert(group.members[group.leaderId] !== undefined, `${s.groupId}: completing a rebalance without its leader`);
  if (member.sync !== undefined) reply(fx, member.sync, { code: 'REBALANCE_IN_PROGRESS', message: 'a newer SyncGroup of this member replaced this one' });
  let next: ClassicGroup = { ...group, members: { ...group.members, [member.memberId]: { ...member, sync: head(s) } } };
  if (s.memberId === group.leaderId) next = completeSync(fx, next, s.assignments);
  putClassic(ctx, next);
}

/** The leader's assignments: every waiting member gets its own; the group is stable. */
function completeSync(fx: Fx, group: ClassicGroup, assignments: ReadonlyArray<{ memberId: string; assignment: Uint8Array }>): ClassicGroup {
  assert(group.state === 'completingRebalance', `${group.groupId}: the leader's assignments outside CompletingRebalance`);
  assert(group.members[group.leaderId]?.sync !== undefined, `${group.groupId}: assignments without the leader's SyncGroup waiting`);
  const members: Record<string, ClassicMember> = {};
  for (const m of Object.values(group.members)) {
    const assignment = assignments.find((a) => a.memberId === m.memberId)?.assignment ?? new Uint8Array(0);
    const done = { ...m, assignment, sync: undefined };
    if (m.sync !== undefined) reply(fx, m.sync, syncReply(group, done));
    members[m.memberId] = done;
  }
  return { ...group, state: 'stable', members };
}

export function onClassicHeartbeat(ctx: CoordinatorContext, fx: Fx, h: RequestOf<'classicHeartbeat'>): void {
  if (h.refusal !== undefined) return reply(fx, h, h.refusal);
  const group = ctx.classic[h.groupId];
  const refused = memberCheck(group, h.memberId, h.generationId);
  if (refused !== undefined || group === undefined) return reply(fx, h, refused);
  const member = { ...group.members[h.memberId] as ClassicMember, lastHeardMs: ctx.nowMs };
  assert(group.state !== 'empty', `${h.groupId}: an empty group with member ${h.memberId}`);
  assert(member.join === undefined || group.state === 'preparingRebalance', `${h.groupId}: a JoinGroup waits outside PreparingRebalance`);
  putClassic(ctx, { ...group, members: { ...group.members, [member.memberId]: member } });
  if (group.state === 'preparingRebalance') return reply(fx, h, { code: 'REBALANCE_IN_PROGRESS', message: 'the group is rebalancing: join again' });
  reply(fx, h, { code: 'OK' });
}

export function onLeaveGroup(ctx: CoordinatorContext, fx: Fx, l: RequestOf<'leaveGroup'>): void {
  if (l.refusal !== undefined) return reply(fx, l, l.refusal);
  let group = ctx.classic[l.groupId];
  const results: Array<{ memberId: string; instanceId?: string; code: string }> = [];
  let removed = false;
  for (const who of l.members) {
    const member = group === undefined ? undefined
      : group.members[who.memberId] ?? (who.memberId === '' && who.instanceId !== undefined ? Object.values(group.members).find((m) => m.instanceId === who.instanceId) : undefined);
    const code = member === undefined ? 'UNKNOWN_MEMBER_ID' : who.instanceId !== undefined && member.instanceId !== who.instanceId ? 'FENCED_INSTANCE_ID' : 'OK';
    results.push({ memberId: who.memberId, ...(who.instanceId !== undefined ? { instanceId: who.instanceId } : {}), code });
    if (code !== 'OK' || group === undefined || member === undefined) continue;
    group = removeClassicMember(group, fx, member.memberId, 'UNKNOWN_MEMBER_ID');
    assert(group.members[member.memberId] === undefined, `${l.groupId}: member ${member.memberId} left but stays`);
    removed = true;
  }
  if (group !== undefined && removed) putClassic(ctx, afterRemoval(ctx, fx, group));
  // A departure starts a rebalance (or empties the group): the rest must learn of it.
  assert(!removed || ctx.classic[l.groupId]?.state !== 'stable', `${l.groupId}: stable after a member left`);
  reply(fx, l, { code: 'OK', members: results });
}

/** Tick: sessions, the end of join phases, and a leader that never synced. */
export function classicTick(ctx: CoordinatorContext, fx: Fx): void {
  assert(ctx.phase === 'serving', 'classic sessions expire only while serving');
  for (const before of Object.values(ctx.classic)) {
    let group = before;
    // A member waiting in a join is not expired: it is waiting for the others.
    const expired = Object.values(group.members).filter((m) => m.join === undefined && ctx.nowMs - m.lastHeardMs >= m.sessionTimeoutMs);
    for (const m of expired) {
      logLine(fx, 'info', 'classicMemberRemoved', { groupId: group.groupId, memberId: m.memberId, why: 'session expired' });
      group = removeClassicMember(group, fx, m.memberId, 'UNKNOWN_MEMBER_ID');
    }
    if (expired.length > 0) group = afterRemoval(ctx, fx, group);
    assert(expired.every((m) => group.members[m.memberId] === undefined), `${group.groupId}: expired members stay`);
    if (group.state === 'preparingRebalance') group = maybeCompleteJoin(ctx, fx, group, ctx.nowMs >= group.deadlineMs);
    if (group.state === 'completingRebalance' && ctx.nowMs >= group.deadlineMs) {
      // The leader never sent the assignments: the members that did not sync are out, the rest join again.
      for (const m of Object.values(group.members)) if (m.sync === undefined) group = removeClassicMember(group, fx, m.memberId, 'UNKNOWN_MEMBER_ID');
      group = Object.keys(group.members).length === 0 ? afterRemoval(ctx, fx, group) : maybeCompleteJoin(ctx, fx, prepareRebalance(ctx, fx, group));
    }
    if (group !== before) putClassic(ctx, group);
  }
}

/** Leadership of the partition is gone: every waiting reply learns NOT_COORDINATOR, and the classic groups go with it. */
export function fenceClassic(ctx: CoordinatorContext, fx: Fx): void {
  for (const group of Object.values(ctx.classic)) {
    for (const m of Object.values(group.members)) {
      // Each waiting request is answered once: a member waits in a join or a sync, never both.
      assert(m.join === undefined || m.sync === undefined, `member ${m.memberId} waits in a join and a sync`);
      assert(m.join === undefined || group.state === 'preparingRebalance', `${group.groupId}: a JoinGroup waits outside PreparingRebalance`);
      if (m.join !== undefined) reply(fx, m.join, { code: 'NOT_COORDINATOR', message: 'this coordinator no longer serves the group' });
      if (m.sync !== undefined) reply(fx, m.sync, { code: 'NOT_COORDINATOR', message: 'this coordinator no longer serves the group' });
    }
  }
  ctx.classic = {};
}
