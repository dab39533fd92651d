/** ListGroups, DescribeGroup and DeleteGroup (only an empty group; tombstones for all its keys). */
import { assert } from '../assert.js';
import { reply, type Fx } from '../kit/fx.js';
import { groupExists, groupState, memberCount, newGroup } from './group.js';
import type { MemberDescription } from './protocol.js';
import type { CoordRecord } from './records.js';
import { allowed } from './reconcile.js';
import { toTopicPartitions, tpParse } from './tp.js';
import type { CoordinatorContext, RequestOf } from './types.js';
import { write } from './writes.js';
import { classicListings } from './classic-describe.js';
import { isClassicActive } from './classic.js';

export function onListGroups(ctx: CoordinatorContext, fx: Fx, l: RequestOf<'listGroups'>): void {
  const classic = new Map(classicListings(ctx).map((g) => [g.groupId, g]));
  const ids = [...new Set([...Object.keys(ctx.groups), ...Object.keys(ctx.offsets), ...classic.keys()])].sort();
  const groups = ids.map((groupId) => classic.get(groupId) ?? { groupId, state: groupState(ctx.groups[groupId]), members: memberCount(ctx.groups[groupId]) })
    .filter((g) => l.states === undefined || l.states.includes(g.state));
  reply(fx, l, { code: 'OK', groups });
}

export function onDescribeGroup(ctx: CoordinatorContext, fx: Fx, d: RequestOf<'describeGroup'>): void {
  if (d.refusal !== undefined) return reply(fx, d, d.refusal);
  if (!groupExists(ctx, d.groupId)) return reply(fx, d, { code: 'GROUP_ID_NOT_FOUND', message: `no group ${d.groupId}` });
  const group = ctx.groups[d.groupId] ?? newGroup(d.groupId);
  assert(group.assignmentEpoch <= group.groupEpoch, `${d.groupId}: target epoch ${group.assignmentEpoch} ahead of group epoch ${group.groupEpoch}`);
  const members: MemberDescription[] = Object.values(group.members).sort((a, b) => (a.memberId < b.memberId ? -1 : 1)).map((m) => ({
    memberId: m.memberId, clientId: m.clientId, memberEpoch: m.memberEpoch,
    ...(m.instanceId !== undefined ? { instanceId: m.instanceId } : {}),
    ...(m.subscribedTopics !== undefined ? { subscribedTopics: m.subscribedTopics } : {}),
    ...(m.subscribedRegex !== undefined ? { subscribedRegex: m.subscribedRegex } : {}),
    assignment: toTopicPartitions(allowed(group, m)), targetAssignment: toTopicPartitions(group.target[m.memberId] ?? []),
  }));
  assert(members.every((m) => m.memberEpoch <= group.assignmentEpoch), `${d.groupId}: a member epoch ahead of the group's assignment`);
  reply(fx, d, { code: 'OK', groupId: d.groupId, state: groupState(group), groupEpoch: group.groupEpoch,
    assignmentEpoch: group.assignmentEpoch, assignor: group.assignor, members });
}

export function onDeleteGroup(ctx: CoordinatorContext, fx: Fx, d: RequestOf<'deleteGroup'>): void {
  if (d.refusal !== undefined) return reply(fx, d, d.refusal);
  if (!groupExists(ctx, d.groupId)) return reply(fx, d, { code: 'GROUP_ID_NOT_FOUND', message: `no group ${d.groupId}` });
  if (memberCount(ctx.groups[d.groupId]) > 0 || isClassicActive(ctx, d.groupId)) return reply(fx, d, { code: 'NON_EMPTY_GROUP', message: `${d.groupId} has members` });
  const records: CoordRecord[] = [];
  if (ctx.groups[d.groupId] !== undefined) {
    records.push({ kind: 'target', groupId: d.groupId, value: null }, { kind: 'group', groupId: d.groupId, value: null });
  }
  for (const key of Object.keys(ctx.offsets[d.groupId] ?? {})) {
    const { topic, partition } = tpParse(key);
    records.push({ kind: 'offset', groupId: d.groupId, topic, partition, value: null });
  }
  const groups = { ...ctx.groups };
  delete groups[d.groupId];
  const offsets = { ...ctx.offsets };
  delete offsets[d.groupId];
  ctx.groups = groups;
  ctx.offsets = offsets;
  assert(records.every((r) => r.kind !== 'barrier' && r.value === null && r.groupId === d.groupId), 'a group is deleted with tombstones of its own keys only');
  assert(!groupExists(ctx, d.groupId), `${d.groupId} still exists after its deletion`);
  write(ctx, fx, records, { replies: [{ head: d, body: { code: 'OK' } }], effects: [] });
}
