/**
 * Removing members, and finding dead ones fast: a member silent for its session is removed; one
 * silent for two heartbeat intervals (and not waiting for a reply we hold behind a write) is probed
 * (fail-fast) at its client inbox, and removed at once when the transport answers UNKNOWN_ADDRESS
 * (its process is gone). Removal is written before its partitions are free for anyone else (later
 * heartbeats of other members see them free only after the removal's batch, which comes first in
 * the log).
 */
import { assert } from '../assert.js';
import type { Effect, Fx } from '../kit/fx.js';
import { logLine } from '../kit/fx.js';
import { newCorr } from '../kit/ops.js';
import { assignedReport, bumpEpoch, putGroup } from './group.js';
import type { CoordRecord } from './records.js';
import type { CoordinatorContext, EventOf, Group } from './types.js';
import { memberPending, newOutbox, write } from './writes.js';

const REMOVED_KEPT = 64;

/** The group without the member (tombstone written, report of its now empty set, new group epoch). */
export function removeMember(ctx: CoordinatorContext, group: Group, memberId: string, records: CoordRecord[], effects: Effect[]): Group {
  const member = group.members[memberId];
  if (member === undefined) return group;
  assert(member.memberId === memberId, `member ${memberId} is kept under another id`);
  const members = { ...group.members };
  delete members[memberId];
  const target = { ...group.target };
  delete target[memberId];
  records.push({ kind: 'member', groupId: group.groupId, memberId, value: null });
  assignedReport(effects, group, member, []);
  const without: Group = { ...group, members, target, removed: [...group.removed.slice(-(REMOVED_KEPT - 1)), memberId] };
  const next = bumpEpoch(without, ctx.topics, records, effects);
  assert(next.members[memberId] === undefined && next.target[memberId] === undefined, `${group.groupId}: removed member ${memberId} still has a target`);
  return next;
}

function removeAndWrite(ctx: CoordinatorContext, fx: Fx, group: Group, memberIds: string[], why: string): void {
  assert(memberIds.length > 0 && memberIds.every((id) => group.members[id] !== undefined), `${group.groupId}: only members are removed`);
  const outbox = newOutbox();
  const records: CoordRecord[] = [];
  let next = group;
  for (const id of memberIds) {
    const m = group.members[id];
    logLine(outbox.effects, 'info', 'groupMemberRemoved', { groupId: group.groupId, memberId: id, why, lastHeardMs: m?.lastHeardMs, memberEpoch: m?.memberEpoch });
    next = removeMember(ctx, next, id, records, outbox.effects);
  }
  // Each removal writes its tombstone: a member gone from memory but not from the log would come back on the next load.
  assert(memberIds.every((id) => records.some((r) => r.kind === 'member' && r.memberId === id && r.value === null)), 'every removal is written');
  putGroup(ctx, next);
  write(ctx, fx, records, outbox);
}

/** Tick: members heard since the last tick were heard now (types.ts, Member.heardSinceTick). */
function creditHeard(ctx: CoordinatorContext): void {
  for (const group of Object.values(ctx.groups)) {
    const heard = Object.values(group.members).filter((m) => m.heardSinceTick === true);
    if (heard.length === 0) continue;
    const members = { ...group.members };
    for (const m of heard) {
      assert(m.lastHeardMs <= ctx.nowMs, `member ${m.memberId} heard at ${m.lastHeardMs}, after now (${ctx.nowMs})`);
      const credited = { ...m, lastHeardMs: Math.max(m.lastHeardMs, ctx.nowMs) };
      delete credited.heardSinceTick;
      members[m.memberId] = credited;
    }
    putGroup(ctx, { ...group, members });
  }
  assert(Object.values(ctx.groups).every((g) => Object.values(g.members).every((m) => m.heardSinceTick !== true)), 'every member heard is credited');
}

/** Tick: expire sessions (and the kept places of static members that left); probe the silent. */
export function checkMembers(ctx: CoordinatorContext, fx: Fx): void {
  assert(ctx.phase === 'serving', 'sessions expire only while serving');
  creditHeard(ctx);
  const { sessionTimeoutMs, heartbeatIntervalMs } = ctx.knobs;
  for (const group of Object.values(ctx.groups)) {
    const expired: string[] = [];
    let probed: Group | undefined;
    for (const m of Object.values(group.members)) {
      const since = m.staticLeftAtMs ?? m.lastHeardMs;
      if (ctx.nowMs - since >= sessionTimeoutMs) { expired.push(m.memberId); continue; }
      if (m.staticLeftAtMs !== undefined || m.address === '' || ctx.nowMs - m.lastHeardMs < 2 * heartbeatIntervalMs) continue;
      // A member whose reply waits for our write cannot speak before it gets it: not silent (write-state.ts heardOnRelease).
      if (memberPending(ctx, group.groupId, m.memberId)) continue;
      if (m.probe !== undefined && ctx.nowMs - m.probe.atMs < heartbeatIntervalMs) continue;
      const corr = newCorr(ctx);
      fx.push({ type: 'send', params: { to: m.address, type: 'memberProbe', corr, body: { groupId: group.groupId, memberId: m.memberId }, failFast: true } });
      probed = { ...(probed ?? group), members: { ...(probed ?? group).members, [m.memberId]: { ...m, probe: { corr, atMs: ctx.nowMs } } } };
    }
    if (probed !== undefined) putGroup(ctx, probed);
    if (expired.length > 0) removeAndWrite(ctx, fx, ctx.groups[group.groupId] as Group, expired, 'session expired');
    assert(expired.every((id) => ctx.groups[group.groupId]?.members[id] === undefined), `${group.groupId}: expired members are gone`);
  }
}

/** UNKNOWN_ADDRESS for the latest probe of a member still silent since: it is gone. */
export function onProbeReply(ctx: CoordinatorContext, fx: Fx, event: EventOf<'memberProbeReply'>): void {
  assert(ctx.phase === 'serving', 'probes are answered only while serving');
  if (event.code !== 'UNKNOWN_ADDRESS' || event.corr === undefined) return;
  for (const group of Object.values(ctx.groups)) {
    for (const m of Object.values(group.members)) {
      if (m.probe?.corr !== event.corr) continue;
      assert(m.address !== '', `member ${m.memberId} probed with no inbox known`);
      if (m.lastHeardMs > m.probe.atMs || m.staticLeftAtMs !== undefined) return;
      return removeAndWrite(ctx, fx, group, [m.memberId], 'inbox gone');
    }
  }
}

