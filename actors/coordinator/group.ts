/**
 * Group values and their records: creating, replacing and deleting groups copy-on-write, the
 * target assignment (recomputed on every group epoch bump), and Kafka's group states.
 */
import { assert } from '../assert.js';
import { report, type Effect } from '../kit/fx.js';
import { ASSIGNORS, DEFAULT_ASSIGNOR, type AssignorMember } from './assignors.js';
import type { GroupState } from './protocol.js';
import type { CoordRecord } from './records.js';
import { compareTp, sameTps, tpPairs } from './tp.js';
import type { CoordinatorContext, Group, Member, TpKey } from './types.js';

export function newGroup(groupId: string): Group {
  return { groupId, groupEpoch: 0, assignor: DEFAULT_ASSIGNOR, assignmentEpoch: 0, target: {}, members: {}, removed: [] };
}

export function putGroup(ctx: CoordinatorContext, group: Group): void { ctx.groups = { ...ctx.groups, [group.groupId]: group }; }

export function groupExists(ctx: CoordinatorContext, groupId: string): boolean {
  return ctx.groups[groupId] !== undefined || ctx.offsets[groupId] !== undefined;
}

export function memberCount(group: Group | undefined): number { return group === undefined ? 0 : Object.keys(group.members).length; }

/** The topics a member's subscription names that exist now; a regex matches whole names of non-internal topics. */
export function resolveTopics(member: Member, topics: Readonly<Record<string, number>>): string[] {
  if (member.subscribedRegex !== undefined) {
    let regex: RegExp;
    try { regex = new RegExp(`^(?:${member.subscribedRegex})$`); } catch { return []; }
    return Object.keys(topics).filter((t) => !t.startsWith('__') && regex.test(t)).sort();
  }
  return (member.subscribedTopics ?? []).filter((t) => topics[t] !== undefined);
}

export function computeTarget(group: Group, topics: Readonly<Record<string, number>>): Record<string, TpKey[]> {
  const members: AssignorMember[] = Object.values(group.members).map((m) => ({
    memberId: m.memberId, topics: resolveTopics(m, topics), current: group.target[m.memberId] ?? [],
  }));
  return (ASSIGNORS[group.assignor] ?? (ASSIGNORS[DEFAULT_ASSIGNOR] as NonNullable<(typeof ASSIGNORS)[string]>))(members, topics);
}

export function sameTarget(a: Readonly<Record<string, readonly TpKey[]>>, b: Readonly<Record<string, readonly TpKey[]>>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => b[k] !== undefined && sameTps(a[k] as TpKey[], b[k] as TpKey[]));
}

export function groupRecord(group: Group): CoordRecord {
  return { kind: 'group', groupId: group.groupId, value: { groupEpoch: group.groupEpoch, assignor: group.assignor } };
}

export function targetRecord(group: Group): CoordRecord {
  return { kind: 'target', groupId: group.groupId, value: { epoch: group.assignmentEpoch, members: group.target as Record<string, TpKey[]> } };
}

export function memberRecord(groupId: string, m: Member): CoordRecord {
  // The load (apply.ts) checks the same of what it reads back.
  assert(m.memberEpoch > m.previousEpoch, `member ${m.memberId}: epoch ${m.memberEpoch} written after ${m.previousEpoch}`);
  assert(m.assigned.every((k, i) => i === 0 || compareTp(m.assigned[i - 1] as TpKey, k) < 0), `member ${m.memberId}: an assigned set is sorted, each partition once`);
  return { kind: 'member', groupId, memberId: m.memberId, value: {
    memberEpoch: m.memberEpoch, previousEpoch: m.previousEpoch, clientId: m.clientId, rebalanceTimeoutMs: m.rebalanceTimeoutMs, assigned: m.assigned,
    ...(m.instanceId !== undefined ? { instanceId: m.instanceId } : {}),
    ...(m.subscribedTopics !== undefined ? { subscribedTopics: m.subscribedTopics } : {}),
    ...(m.subscribedRegex !== undefined ? { subscribedRegex: m.subscribedRegex } : {}),
  } };
}

/**
 * A new group epoch (membership, subscription or topic metadata changed): the target is
 * recomputed at once, so assignmentEpoch = groupEpoch. Records and the report go on the lists given.
 */
export function bumpEpoch(group: Group, topics: Readonly<Record<string, number>>, records: CoordRecord[], effects: Effect[]): Group {
  assert(group.assignmentEpoch <= group.groupEpoch, `${group.groupId}: target epoch ${group.assignmentEpoch} ahead of group epoch ${group.groupEpoch}`);
  const epoch = group.groupEpoch + 1;
  const bumped: Group = { ...group, groupEpoch: epoch, assignmentEpoch: epoch };
  const next: Group = { ...bumped, target: computeTarget(bumped, topics) };
  assert(sameTps(Object.keys(next.target).sort(), Object.keys(next.members).sort()), `${group.groupId}: the target names every member and only members`);
  records.push(groupRecord(next), targetRecord(next));
  report(effects, 'groupEpoch', { groupId: group.groupId, groupEpoch: epoch });
  return next;
}

/** The simulator's `groupAssigned` fact: a member's assigned set as written. */
export function assignedReport(effects: Effect[], group: Group, m: Member, assigned: readonly TpKey[] = m.assigned): void {
  report(effects, 'groupAssigned', { groupId: group.groupId, memberId: m.memberId, memberEpoch: m.memberEpoch,
    groupEpoch: group.groupEpoch, assigned: tpPairs(assigned) });
}

export function groupState(group: Group | undefined): GroupState {
  if (group === undefined || memberCount(group) === 0) return 'empty';
  if (group.groupEpoch > group.assignmentEpoch) return 'assigning';
  const settled = Object.values(group.members).every((m) => m.memberEpoch === group.assignmentEpoch && sameTps(m.assigned, group.target[m.memberId] ?? []));
  return settled ? 'stable' : 'reconciling';
}
