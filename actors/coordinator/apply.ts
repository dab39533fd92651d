/** Rebuilding the groups from the log: each record read replaces its key's value (tombstones delete). */
import { assert } from '../assert.js';
import { newGroup } from './group.js';
import type { CoordRecord } from './records.js';
import { compareTp, tpKey } from './tp.js';
import type { CoordinatorContext, Group, Member, TpKey } from './types.js';

function group(ctx: CoordinatorContext, groupId: string): Group { return ctx.groups[groupId] ?? newGroup(groupId); }

function put(ctx: CoordinatorContext, g: Group): void { ctx.groups = { ...ctx.groups, [g.groupId]: g }; }

export function applyRecord(ctx: CoordinatorContext, r: CoordRecord): void {
  assert(ctx.phase === 'loading', 'records are applied only while a load rebuilds the groups');
  switch (r.kind) {
    case 'barrier': return;
    case 'offset': {
      const offsets = { ...ctx.offsets[r.groupId] };
      if (r.value === null) delete offsets[tpKey(r.topic, r.partition)];
      else offsets[tpKey(r.topic, r.partition)] = r.value;
      const all = { ...ctx.offsets };
      if (Object.keys(offsets).length === 0) delete all[r.groupId]; else all[r.groupId] = offsets;
      ctx.offsets = all;
      return;
    }
    case 'group': {
      if (r.value === null) {
        const groups = { ...ctx.groups };
        delete groups[r.groupId];
        ctx.groups = groups;
        return;
      }
      const before = ctx.groups[r.groupId];
      assert(before === undefined || r.value.groupEpoch >= before.groupEpoch, `${r.groupId}: group epoch ${r.value.groupEpoch} read after ${before?.groupEpoch}`);
      return put(ctx, { ...group(ctx, r.groupId), groupEpoch: r.value.groupEpoch, assignor: r.value.assignor });
    }
    case 'target': {
      if (r.value === null) return;
      // bumpEpoch and the checkpoint write a group's record before its target's.
      assert(r.value.epoch <= group(ctx, r.groupId).groupEpoch, `${r.groupId}: a target of epoch ${r.value.epoch} read before its group epoch`);
      return put(ctx, { ...group(ctx, r.groupId), assignmentEpoch: r.value.epoch, target: r.value.members });
    }
    case 'member': {
      const g = group(ctx, r.groupId);
      const members = { ...g.members };
      if (r.value === null) delete members[r.memberId];
      else members[r.memberId] = memberFrom(r.memberId, r.value, ctx.nowMs);
      return put(ctx, { ...g, members });
    }
  }
}

/** A loaded member: heard now, credited at the next tick (its session starts again), no inbox known until it heartbeats. */
function memberFrom(memberId: string, v: NonNullable<Extract<CoordRecord, { kind: 'member' }>['value']>, nowMs: number): Member {
  assert(v.memberEpoch > v.previousEpoch, `member ${memberId}: epoch ${v.memberEpoch} read after ${v.previousEpoch}`);
  assert(v.assigned.every((k, i) => i === 0 || compareTp(v.assigned[i - 1] as TpKey, k) < 0), `member ${memberId}: an assigned set is written sorted, each partition once`);
  return {
    memberId, clientId: v.clientId, memberEpoch: v.memberEpoch, previousEpoch: v.previousEpoch, rebalanceTimeoutMs: v.rebalanceTimeoutMs,
    assigned: v.assigned, address: '', lastHeardMs: nowMs, heardSinceTick: true,
    ...(v.instanceId !== undefined ? { instanceId: v.instanceId } : {}),
    ...(v.subscribedTopics !== undefined ? { subscribedTopics: v.subscribedTopics } : {}),
    ...(v.subscribedRegex !== undefined ? { subscribedRegex: v.subscribedRegex } : {}),
  };
}
