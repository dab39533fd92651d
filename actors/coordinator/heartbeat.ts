/**
 * ConsumerGroupHeartbeat (KIP-848): join (epoch 0), leave (-1; -2 keeps a static member's place),
 * and the regular heartbeat that reports what the member owns and gets back what it may own.
 * Every change of a member's assigned set or epochs is written before the reply announces it.
 */
import { assert } from '../assert.js';
import { reply, type Effect, type Fx } from '../kit/fx.js';
import { nextRandom } from '../prng.js';
import { assignedReport, bumpEpoch, groupRecord, memberCount, memberRecord, newGroup, putGroup } from './group.js';
import { removeMember } from './members.js';
import { JOIN_EPOCH, STATIC_LEAVE_EPOCH, type GroupHeartbeatReply } from './protocol.js';
import type { CoordRecord } from './records.js';
import { allowed, reconcileMember } from './reconcile.js';
import { fromTopicPartitions, sameTps, toTopicPartitions } from './tp.js';
import type { CoordinatorContext, Group, Member, Outbox, RequestOf } from './types.js';
import { emit, memberPending, write } from './writes.js';

type Heartbeat = RequestOf<'groupHeartbeat'>;

export function onHeartbeat(ctx: CoordinatorContext, fx: Fx, hb: Heartbeat): void {
  if (hb.refusal !== undefined) return reply(fx, hb, hb.refusal);
  const group = ctx.groups[hb.groupId] ?? newGroup(hb.groupId);
  assert(group.groupId === hb.groupId, `group ${hb.groupId} is kept under another id`);
  if (hb.memberEpoch === JOIN_EPOCH) return join(ctx, fx, group, hb);
  const member = group.members[hb.memberId];
  if (member === undefined) return reply(fx, hb, { code: 'UNKNOWN_MEMBER_ID', message: `no member ${hb.memberId} in ${hb.groupId}` });
  assert(member.memberId === hb.memberId, `member ${hb.memberId} is kept under another id`);
  if (hb.memberEpoch < 0) return leave(ctx, fx, group, member, hb);
  const owned = fromTopicPartitions(hb.ownedPartitions);
  // A heartbeat with the epoch before the last bump is one whose reply was lost, if it owns nothing more than it may.
  const lostReply = hb.memberEpoch === member.previousEpoch && owned.every((k) => member.assigned.includes(k));
  if (member.staticLeftAtMs !== undefined || (hb.memberEpoch !== member.memberEpoch && !lostReply)) {
    return reply(fx, hb, { code: 'FENCED_MEMBER_EPOCH', message: `member epoch ${hb.memberEpoch}, current ${member.memberEpoch}` });
  }
  proceed(ctx, fx, group, member, hb, false);
}

function join(ctx: CoordinatorContext, fx: Fx, group: Group, hb: Heartbeat): void {
  assert(hb.memberEpoch === JOIN_EPOCH, 'a join carries the join epoch');
  if (hb.subscribedTopics === undefined && hb.subscribedRegex === undefined) {
    return reply(fx, hb, { code: 'INVALID_REQUEST', message: 'a joining member must send subscribedTopics or subscribedRegex' });
  }
  if (hb.instanceId !== undefined) {
    const holder = Object.values(group.members).find((m) => m.instanceId === hb.instanceId);
    if (holder !== undefined && holder.staticLeftAtMs === undefined && holder.memberId !== hb.memberId) {
      return reply(fx, hb, { code: 'UNRELEASED_INSTANCE_ID', message: `instance ${hb.instanceId} is held by member ${holder.memberId}` });
    }
    // A static member back within its session takes its place, epoch and assignment back: no rebalance.
    if (holder !== undefined) return proceed(ctx, fx, group, { ...holder, staticLeftAtMs: undefined }, hb, false);
  }
  const existing = hb.memberId === '' ? undefined : group.members[hb.memberId];
  if (existing !== undefined) return proceed(ctx, fx, group, existing, hb, false);
  if (memberCount(group) >= ctx.knobs.groupMaxSize) return reply(fx, hb, { code: 'GROUP_MAX_SIZE_REACHED', message: `${ctx.knobs.groupMaxSize} members` });
  const memberId = hb.memberId !== '' ? hb.memberId : newMemberId(ctx);
  assert(group.members[memberId] === undefined, `a new member takes member id ${memberId}, which is taken`);
  const member: Member = { memberId, clientId: hb.clientId, memberEpoch: 0, previousEpoch: -1, rebalanceTimeoutMs: hb.rebalanceTimeoutMs,
    assigned: [], address: hb.replyTo ?? hb.from, lastHeardMs: ctx.nowMs, heardSinceTick: true };
  proceed(ctx, fx, group, member, hb, true);
}

function newMemberId(ctx: CoordinatorContext): string {
  const [a, s1] = nextRandom(ctx.prng);
  const [b, s2] = nextRandom(s1);
  ctx.prng = s2;
  const hex = (f: number): string => Math.floor(f * 2 ** 32).toString(16).padStart(8, '0');
  return hex(a) + hex(b);
}

function leave(ctx: CoordinatorContext, fx: Fx, group: Group, member: Member, hb: Heartbeat): void {
  assert(hb.memberEpoch < 0 && hb.memberEpoch !== JOIN_EPOCH, 'a leave carries a leave epoch');
  const body = { code: 'OK', memberId: member.memberId, memberEpoch: hb.memberEpoch, ...intervals(ctx) };
  if (hb.memberEpoch === STATIC_LEAVE_EPOCH && member.instanceId !== undefined) {
    putGroup(ctx, { ...group, members: { ...group.members, [member.memberId]: { ...member, staticLeftAtMs: ctx.nowMs, probe: undefined } } });
    return write(ctx, fx, [], { replies: [{ head: hb, body }], effects: [] });
  }
  const records: CoordRecord[] = [];
  const effects: Effect[] = [];
  putGroup(ctx, removeMember(ctx, group, member.memberId, records, effects));
  assert(records.length > 0, `the leave of ${member.memberId} is written`);
  write(ctx, fx, records, { replies: [{ head: hb, body }], effects });
}

function intervals(ctx: CoordinatorContext) {
  return { heartbeatIntervalMs: ctx.knobs.heartbeatIntervalMs, sessionTimeoutMs: ctx.knobs.sessionTimeoutMs };
}

/** Applies what the heartbeat says (subscription, assignor, owned partitions), reconciles, writes, replies. */
function proceed(ctx: CoordinatorContext, fx: Fx, before: Group, previous: Member, hb: Heartbeat, joined: boolean): void {
  const records: CoordRecord[] = [];
  const effects: Effect[] = [];
  let member: Member = { ...previous, address: hb.replyTo ?? hb.from, lastHeardMs: ctx.nowMs, heardSinceTick: true, probe: undefined, clientId: hb.clientId,
    rebalanceTimeoutMs: hb.rebalanceTimeoutMs, ...(hb.instanceId !== undefined ? { instanceId: hb.instanceId } : {}) };
  let changed = joined;
  if (hb.subscribedTopics !== undefined) {
    const topics = [...new Set(hb.subscribedTopics)].sort();
    if (previous.subscribedRegex !== undefined || !sameTps(topics, previous.subscribedTopics ?? [])) changed = true;
    member = { ...member, subscribedTopics: topics, subscribedRegex: undefined };
    delete member.subscribedRegex;
  } else if (hb.subscribedRegex !== undefined) {
    if (hb.subscribedRegex !== previous.subscribedRegex) changed = true;
    member = { ...member, subscribedRegex: hb.subscribedRegex };
    delete member.subscribedTopics;
  }
  let group: Group = { ...before, members: { ...before.members, [member.memberId]: member } };
  if (hb.assignor !== undefined && hb.assignor !== group.assignor) { group = { ...group, assignor: hb.assignor }; changed = true; }
  if (changed) group = bumpEpoch(group, ctx.topics, records, effects);
  else if (ctx.groups[group.groupId] === undefined) records.push(groupRecord(group));
  const reconciled = reconcileMember(group, member, new Set(fromTopicPartitions(hb.ownedPartitions)));
  assert(reconciled.memberEpoch >= previous.memberEpoch, `member ${member.memberId}: epoch ${previous.memberEpoch} went down to ${reconciled.memberEpoch}`);
  assert(reconciled.memberEpoch <= group.assignmentEpoch, `member ${member.memberId}: epoch ${reconciled.memberEpoch} ahead of its group's assignment`);
  group = { ...group, members: { ...group.members, [member.memberId]: reconciled } };
  if (joined || JSON.stringify(memberRecord(group.groupId, previous).value) !== JSON.stringify(memberRecord(group.groupId, reconciled).value)) {
    records.push(memberRecord(group.groupId, reconciled));
  }
  if (joined || !sameTps(previous.assigned, reconciled.assigned) || previous.memberEpoch !== reconciled.memberEpoch) assignedReport(effects, group, reconciled);
  putGroup(ctx, group);
  const body: GroupHeartbeatReply = { code: 'OK', memberId: reconciled.memberId, memberEpoch: reconciled.memberEpoch, ...intervals(ctx),
    assignment: toTopicPartitions(allowed(group, reconciled)) };
  const outbox = { replies: [{ head: hb, body }], effects };
  if (records.length === 0) return answerAtOnce(ctx, fx, hb, reconciled, outbox);
  write(ctx, fx, records, outbox);
}

/**
 * A heartbeat that writes nothing is answered now, not behind the partition's writes: a slow
 * acks=all write (a follower's lost fetch costs the replica its long-poll wait) would otherwise hold
 * every member's heartbeats, and a member whose heartbeats go unanswered for its session drops its
 * partitions. When none of the member's records awaits acknowledgement, its epoch and assigned set
 * in memory are the log's and the full answer goes (what it may own is a subset of that set: at
 * most a revocation said early, which is safe). Otherwise its state in memory is not yet the log's,
 * and the answer only says the coordinator heard it: its own epoch back and no assignment, which
 * means "unchanged" — the member keeps what an earlier, acknowledged answer gave it.
 */
function answerAtOnce(ctx: CoordinatorContext, fx: Fx, hb: Heartbeat, member: Member, outbox: Outbox): void {
  assert(outbox.effects.length === 0, 'a heartbeat that writes nothing reports nothing');
  if (!memberPending(ctx, hb.groupId, member.memberId)) return emit(fx, outbox);
  const heard: GroupHeartbeatReply = { code: 'OK', memberId: member.memberId, memberEpoch: hb.memberEpoch, ...intervals(ctx) };
  reply(fx, hb, heard);
}
