/**
 * Removing members, and finding dead ones fast: a member silent for its session is removed; one
 * silent for two heartbeat intervals is probed (fail-fast) at its client inbox, and removed at once
 * when the transport answers UNKNOWN_ADDRESS (its process is gone). Removal is written before its
 * partitions are free for anyone else (later heartbeats of other members see them free only after
 * the removal's batch, which comes first in the log).
 */
import type { Effect, Fx } from '../kit/fx.js';
import { logLine } from '../kit/fx.js';
import { newCorr } from '../kit/ops.js';
import { assignedReport, bumpEpoch, putGroup } from './group.js';
import type { CoordRecord } from './records.js';
import type { CoordinatorContext, EventOf, Group } from './types.js';
import { newOutbox, write } from './writes.js';

const REMOVED_KEPT = 64;

/** The group without the member (tombstone written, report of its now empty set, new group epoch). */
export function removeMember(ctx: CoordinatorContext, group: Group, memberId: string, records: CoordRecord[], effects: Effect[]): Group {
  const member = group.members[memberId];
  if (member === undefined) return group;
  const members = { ...group.members };
  delete members[memberId];
  const target = { ...group.target };
  delete target[memberId];
  records.push({ kind: 'member', groupId: group.groupId, memberId, value: null });
  assignedReport(effects, group, member, []);
  const without: Group = { ...group, members, target, removed: [...group.removed.slice(-(REMOVED_KEPT - 1)), memberId] };
  return bumpEpoch(without, ctx.topics, records, effects);
}

function removeAndWrite(ctx: CoordinatorContext, fx: Fx, group: Group, memberIds: string[], why: string): void {
  const outbox = newOutbox();
  const records: CoordRecord[] = [];
  let next = group;
  for (const id of memberIds) {
    const m = group.members[id];
    logLine(outbox.effects, 'info', 'groupMemberRemoved', { groupId: group.groupId, memberId: id, why, lastHeardMs: m?.lastHeardMs, memberEpoch: m?.memberEpoch });
    next = removeMember(ctx, next, id, records, outbox.effects);
  }
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
      const credited = { ...m, lastHeardMs: Math.max(m.lastHeardMs, ctx.nowMs) };
      delete credited.heardSinceTick;
      members[m.memberId] = credited;
    }
    putGroup(ctx, { ...group, members });
  }
}

/** Tick: expire sessions (and the kept places of static members that left); probe the silent. */
export function checkMembers(ctx: CoordinatorContext, fx: Fx): void {
  creditHeard(ctx);
  const { sessionTimeoutMs, heartbeatIntervalMs } = ctx.knobs;
  for (const group of Object.values(ctx.groups)) {
    const expired: string[] = [];
    let probed: Group | undefined;
    for (const m of Object.values(group.members)) {
      const since = m.staticLeftAtMs ?? m.lastHeardMs;
      if (ctx.nowMs - since >= sessionTimeoutMs) { expired.push(m.memberId); continue; }
      if (m.staticLeftAtMs !== undefined || m.address === '' || ctx.nowMs - m.lastHeardMs < 2 * heartbeatIntervalMs) continue;
      if (m.probe !== undefined && ctx.nowMs - m.probe.atMs < heartbeatIntervalMs) continue;
      const corr = newCorr(ctx);
      fx.push({ type: 'send', params: { to: m.address, type: 'memberProbe', corr, body: { groupId: group.groupId, memberId: m.memberId }, failFast: true } });
      probed = { ...(probed ?? group), members: { ...(probed ?? group).members, [m.memberId]: { ...m, probe: { corr, atMs: ctx.nowMs } } } };
    }
    if (probed !== undefined) putGroup(ctx, probed);
    if (expired.length > 0) removeAndWrite(ctx, fx, ctx.groups[group.groupId] as Group, expired, 'session expired');
  }
}

/** UNKNOWN_ADDRESS for the latest probe of a member still silent since: it is gone. */
export function onProbeReply(ctx: CoordinatorContext, fx: Fx, event: EventOf<'memberProbeReply'>): void {
  if (event.code !== 'UNKNOWN_ADDRESS' || event.corr === undefined) return;
  for (const group of Object.values(ctx.groups)) {
    for (const m of Object.values(group.members)) {
      if (m.probe?.corr !== event.corr) continue;
      if (m.lastHeardMs > m.probe.atMs || m.staticLeftAtMs !== undefined) return;
      return removeAndWrite(ctx, fx, group, [m.memberId], 'inbox gone');
    }
  }
}

