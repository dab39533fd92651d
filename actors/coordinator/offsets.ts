/**
 * OffsetCommit, OffsetFetch and DeleteGroupOffsets. A member's commit is fenced by its epoch
 * (KIP-848: newer than the member's or a removed member → FENCED_MEMBER_EPOCH, older → STALE) and
 * per partition by its assigned set, so a zombie that lost a partition cannot move its offset. An
 * admin commit (member '' and epoch -1) is taken only while the group has no members.
 */
import { assert } from '../assert.js';
import { reply, report, type Effect, type Fx } from '../kit/fx.js';
import { groupExists, memberCount } from './group.js';
import type { CoordRecord } from './records.js';
import { tpKey, tpParse } from './tp.js';
import type { CommittedOffset, CoordinatorContext, RequestOf } from './types.js';
import { write, wallMs } from './writes.js';
import { classicCommitRefusal, isClassicActive } from './classic.js';

type Commit = RequestOf<'offsetCommit'>;

function memberRefusal(ctx: CoordinatorContext, c: Commit): { code: string; message: string } | undefined {
  if (isClassicActive(ctx, c.groupId)) return classicCommitRefusal(ctx.classic[c.groupId], c);
  const group = ctx.groups[c.groupId];
  if (c.memberId === '' && c.memberEpoch === -1) {
    return memberCount(group) > 0 ? { code: 'NON_EMPTY_GROUP', message: `${c.groupId} has members: commit as one of them` } : undefined;
  }
  const member = group?.members[c.memberId];
  if (member === undefined) {
    return group?.removed.includes(c.memberId) === true
      ? { code: 'FENCED_MEMBER_EPOCH', message: `member ${c.memberId} was removed` }
      : { code: 'UNKNOWN_MEMBER_ID', message: `no member ${c.memberId} in ${c.groupId}` };
  }
  if (c.memberEpoch > member.memberEpoch) return { code: 'FENCED_MEMBER_EPOCH', message: `epoch ${c.memberEpoch} > ${member.memberEpoch}` };
  if (c.memberEpoch < member.memberEpoch) return { code: 'STALE_MEMBER_EPOCH', message: `epoch ${c.memberEpoch} < ${member.memberEpoch}` };
  return undefined;
}

export function onOffsetCommit(ctx: CoordinatorContext, fx: Fx, c: Commit): void {
  if (c.refusal !== undefined) return reply(fx, c, c.refusal);
  const refused = memberRefusal(ctx, c);
  if (refused !== undefined) return reply(fx, c, refused);
  assert(c.memberId === '' || isClassicActive(ctx, c.groupId) || ctx.groups[c.groupId]?.members[c.memberId] !== undefined, 'a commit past the checks is a member\'s or an admin\'s');
  // Classic assignments are the members' own opaque bytes: Kafka checks only the member and its generation.
  const assigned = c.memberId === '' || isClassicActive(ctx, c.groupId) ? undefined : new Set(ctx.groups[c.groupId]?.members[c.memberId]?.assigned ?? []);
  const results: Array<{ topic: string; partition: number; code: string }> = [];
  const records: CoordRecord[] = [];
  const effects: Effect[] = [];
  const offsets = { ...ctx.offsets[c.groupId] };
  for (const e of c.offsets) {
    const key = tpKey(e.topic, e.partition);
    const code = e.offset < 0 ? 'INVALID_COMMIT_OFFSET' : assigned !== undefined && !assigned.has(key) ? 'FENCED_MEMBER_EPOCH' : 'OK';
    results.push({ topic: e.topic, partition: e.partition, code });
    if (code !== 'OK') continue;
    const value: CommittedOffset = { offset: e.offset, metadata: e.metadata ?? '', commitMs: wallMs(ctx) };
    offsets[key] = value;
    records.push({ kind: 'offset', groupId: c.groupId, topic: e.topic, partition: e.partition, value });
    report(effects, 'groupCommitted', { groupId: c.groupId, topic: e.topic, partition: e.partition, offset: e.offset });
  }
  assert(results.length === c.offsets.length, 'every partition of a commit is answered');
  if (records.length > 0) ctx.offsets = { ...ctx.offsets, [c.groupId]: offsets };
  write(ctx, fx, records, { replies: [{ head: c, body: { code: 'OK', results } }], effects });
}

export function onOffsetFetch(ctx: CoordinatorContext, fx: Fx, f: RequestOf<'offsetFetch'>): void {
  if (f.refusal !== undefined) return reply(fx, f, f.refusal);
  const committed = ctx.offsets[f.groupId] ?? {};
  const keys = f.partitions === undefined ? Object.keys(committed) : f.partitions.flatMap((t) => t.partitions.map((p) => tpKey(t.topic, p)));
  const offsets = keys.map((k) => {
    const { topic, partition } = tpParse(k);
    const c = committed[k];
    // Kafka answers -1 for a partition without a committed offset.
    return c === undefined ? { topic, partition, offset: -1 } : { topic, partition, offset: c.offset, metadata: c.metadata };
  });
  // Commits of negative offsets are refused, so one read here was never written.
  assert(offsets.every((o) => o.offset >= -1), `${f.groupId}: a negative committed offset`);
  assert(f.partitions !== undefined || offsets.length === Object.keys(committed).length, 'a fetch of all partitions answers every committed one');
  // Behind writes in flight, so a fetch never shows a commit that is not yet acknowledged.
  write(ctx, fx, [], { replies: [{ head: f, body: { code: 'OK', offsets } }], effects: [] });
}

export function onDeleteGroupOffsets(ctx: CoordinatorContext, fx: Fx, d: RequestOf<'deleteGroupOffsets'>): void {
  if (d.refusal !== undefined) return reply(fx, d, d.refusal);
  if (!groupExists(ctx, d.groupId)) return reply(fx, d, { code: 'GROUP_ID_NOT_FOUND', message: `no group ${d.groupId}` });
  const group = ctx.groups[d.groupId];
  const subscribed = Object.values(group?.members ?? {}).some((m) => (m.subscribedTopics ?? []).includes(d.topic)
    || Object.values(group?.target ?? {}).some((tps) => tps.some((k) => tpParse(k).topic === d.topic)));
  if (subscribed) return reply(fx, d, { code: 'NON_EMPTY_GROUP', message: `members of ${d.groupId} consume ${d.topic}` });
  const offsets = { ...ctx.offsets[d.groupId] };
  const records: CoordRecord[] = [];
  for (const key of Object.keys(offsets)) {
    const { topic, partition } = tpParse(key);
    if (topic !== d.topic) continue;
    delete offsets[key];
    records.push({ kind: 'offset', groupId: d.groupId, topic, partition, value: null });
  }
  assert(Object.keys(offsets).length + records.length === Object.keys(ctx.offsets[d.groupId] ?? {}).length, 'each offset deleted gets its tombstone');
  const all = { ...ctx.offsets };
  if (Object.keys(offsets).length === 0) delete all[d.groupId]; else all[d.groupId] = offsets;
  ctx.offsets = all;
  assert(Object.keys(ctx.offsets[d.groupId] ?? {}).every((k) => tpParse(k).topic !== d.topic), `${d.groupId}: offsets of ${d.topic} left after their deletion`);
  write(ctx, fx, records, { replies: [{ head: d, body: { code: 'OK' } }], effects: [] });
}
