/**
 * The classic group protocol in the coordinator (Kafka's GroupCoordinator before KIP-848): members
 * join, the coordinator picks a protocol every member speaks and a leader, hands the leader every
 * member's metadata, and the leader's SyncGroup hands each member its assignment. A group is
 * classic or Brook-native, never both: a join across kinds is INCONSISTENT_GROUP_PROTOCOL.
 *
 * Invariants: a pending JoinGroup exists only in PreparingRebalance, a pending SyncGroup only in
 * CompletingRebalance; the leader is a member whenever the group is not empty; every reply that
 * waits is answered exactly once (at completion, on leave or removal, or when a rebalance starts).
 */
import { assert } from '../assert.js';
import { reply, type Fx } from '../kit/fx.js';
import { nextRandom } from '../prng.js';
import { CLASSIC_SESSION_TIMEOUT_MAX_MS, CLASSIC_SESSION_TIMEOUT_MIN_MS, type JoinGroupReply } from './classic-protocol.js';
import type { ClassicGroup, ClassicMember } from './classic-types.js';
import { memberCount } from './group.js';
import type { CoordinatorContext, RequestOf } from './types.js';

export function newClassicGroup(groupId: string, nowMs: number): ClassicGroup {
  return { groupId, state: 'empty', protocolType: '', protocolName: '', generationId: 0, leaderId: '', members: {}, deadlineMs: nowMs,
    initialDelayUntilMs: nowMs, nextSeq: 0 };
}

/** Whether the group is classic with members (a Brook-native member may not join it). */
export function isClassicActive(ctx: CoordinatorContext, groupId: string): boolean {
  const g = ctx.classic[groupId];
  return g !== undefined && Object.keys(g.members).length > 0;
}

export function putClassic(ctx: CoordinatorContext, group: ClassicGroup): void {
  assert(group.state !== 'empty' || Object.keys(group.members).length === 0, `${group.groupId}: an empty group with members`);
  assert((group.state !== 'completingRebalance' && group.state !== 'stable') || group.members[group.leaderId] !== undefined,
    `${group.groupId}: ${group.state} with leader ${group.leaderId}, not a member`);
  if (Object.keys(group.members).length === 0 && group.state === 'empty') {
    const all = { ...ctx.classic };
    delete all[group.groupId];
    ctx.classic = all;
    return;
  }
  ctx.classic = { ...ctx.classic, [group.groupId]: group };
}

function withMember(group: ClassicGroup, member: ClassicMember): ClassicGroup {
  return { ...group, members: { ...group.members, [member.memberId]: member } };
}

function maxRebalanceTimeoutMs(group: ClassicGroup): number {
  return Math.max(0, ...Object.values(group.members).map((m) => m.rebalanceTimeoutMs));
}

/** Protocol names every member (and the joiner) speaks. */
function commonProtocols(members: Iterable<{ protocols: readonly { name: string }[] }>): string[] | undefined {
  let common: string[] | undefined;
  for (const m of members) {
    const names = m.protocols.map((p) => p.name);
    common = common === undefined ? names : common.filter((n) => names.includes(n));
  }
  return common;
}

function newMemberId(ctx: CoordinatorContext, clientId: string): string {
  const [a, s1] = nextRandom(ctx.prng);
  const [b, s2] = nextRandom(s1);
  ctx.prng = s2;
  const hex = (f: number): string => Math.floor(f * 2 ** 32).toString(16).padStart(8, '0');
  return `${clientId.slice(0, 64)}-${hex(a)}${hex(b)}`;
}

/** Starts a rebalance: waiting SyncGroups learn REBALANCE_IN_PROGRESS; members must join again. */
export function prepareRebalance(ctx: CoordinatorContext, fx: Fx, group: ClassicGroup): ClassicGroup {
  if (group.state === 'preparingRebalance') return group;
  assert(Object.keys(group.members).length > 0, `${group.groupId}: a rebalance with no member to join`);
  const members: Record<string, ClassicMember> = {};
  for (const m of Object.values(group.members)) {
    assert(m.sync === undefined || group.state === 'completingRebalance', `${group.groupId}: a SyncGroup waits outside CompletingRebalance`);
    if (m.sync !== undefined) reply(fx, m.sync, { code: 'REBALANCE_IN_PROGRESS', message: 'the group is rebalancing: join again' });
    members[m.memberId] = { ...m, sync: undefined };
  }
  const initial = group.state === 'empty';
  const deadlineMs = ctx.nowMs + (initial ? Math.min(ctx.knobs.classicInitialRebalanceDelayMs, maxRebalanceTimeoutMs(group)) : maxRebalanceTimeoutMs(group));
  return { ...group, state: 'preparingRebalance', members, deadlineMs,
    initialDelayUntilMs: initial ? ctx.nowMs + ctx.knobs.classicInitialRebalanceDelayMs : ctx.nowMs };
}

function joinRefusal(ctx: CoordinatorContext, j: RequestOf<'joinGroup'>, group: ClassicGroup): { code: string; message: string } | undefined {
  if (memberCount(ctx.groups[j.groupId]) > 0) return { code: 'INCONSISTENT_GROUP_PROTOCOL', message: `${j.groupId} is a Brook-native group with members` };
  if (j.sessionTimeoutMs < CLASSIC_SESSION_TIMEOUT_MIN_MS || j.sessionTimeoutMs > CLASSIC_SESSION_TIMEOUT_MAX_MS) {
    return { code: 'INVALID_SESSION_TIMEOUT', message: `session timeout ${j.sessionTimeoutMs} ms outside [${CLASSIC_SESSION_TIMEOUT_MIN_MS}, ${CLASSIC_SESSION_TIMEOUT_MAX_MS}]` };
  }
  if (j.protocolType === '' || j.protocols.length === 0) return { code: 'INCONSISTENT_GROUP_PROTOCOL', message: 'a join names a protocol type and protocols' };
  if (j.memberId !== '' && group.members[j.memberId] === undefined) return { code: 'UNKNOWN_MEMBER_ID', message: `no member ${j.memberId} in ${j.groupId}` };
  const others = Object.values(group.members).filter((m) => m.memberId !== j.memberId);
  if (others.length === 0) return undefined;
  if (group.protocolType !== j.protocolType) return { code: 'INCONSISTENT_GROUP_PROTOCOL', message: `the group's protocol type is ${group.protocolType}` };
  if ((commonProtocols([...others, j])?.length ?? 0) === 0) return { code: 'INCONSISTENT_GROUP_PROTOCOL', message: 'no protocol every member speaks' };
  if (Object.keys(group.members).length >= ctx.knobs.groupMaxSize && j.memberId === '') return { code: 'GROUP_MAX_SIZE_REACHED', message: `${ctx.knobs.groupMaxSize} members` };
  return undefined;
}

export function onJoinGroup(ctx: CoordinatorContext, fx: Fx, j: RequestOf<'joinGroup'>): void {
  if (j.refusal !== undefined) return reply(fx, j, j.refusal);
  let group = ctx.classic[j.groupId] ?? newClassicGroup(j.groupId, ctx.nowMs);
  const refused = joinRefusal(ctx, j, group);
  if (refused !== undefined) return reply(fx, j, { ...refused, memberId: j.memberId });
  // A static member that comes back under a new member id replaces its earlier incarnation.
  const previousHolder = j.instanceId === undefined ? undefined : Object.values(group.members).find((m) => m.instanceId === j.instanceId && m.memberId !== j.memberId);
  if (previousHolder !== undefined) group = removeClassicMember(group, fx, previousHolder.memberId, 'FENCED_INSTANCE_ID');
  const existing = j.memberId === '' ? undefined : group.members[j.memberId];
  if (existing?.join !== undefined) reply(fx, existing.join, { code: 'UNKNOWN_MEMBER_ID', message: 'a newer JoinGroup of this member replaced this one' });
  const memberId = existing?.memberId ?? newMemberId(ctx, j.clientId);
  const member: ClassicMember = {
    memberId, clientId: j.clientId, clientHost: j.clientHost, sessionTimeoutMs: j.sessionTimeoutMs, rebalanceTimeoutMs: j.rebalanceTimeoutMs,
    protocols: j.protocols, assignment: existing?.assignment ?? new Uint8Array(0), lastHeardMs: ctx.nowMs,
    joinedSeq: existing?.joinedSeq ?? group.nextSeq, join: { type: j.type, from: j.from, ...(j.corr !== undefined ? { corr: j.corr } : {}),
      ...(j.replyTo !== undefined ? { replyTo: j.replyTo } : {}) },
    ...(j.instanceId !== undefined ? { instanceId: j.instanceId } : {}),
  };
  group = withMember({ ...group, protocolType: j.protocolType, nextSeq: group.nextSeq + 1 }, member);
  group = prepareRebalance(ctx, fx, group);
  assert(group.state === 'preparingRebalance', 'a join starts or joins a rebalance');
  putClassic(ctx, maybeCompleteJoin(ctx, fx, group));
  assert(ctx.classic[j.groupId]?.members[memberId] !== undefined, `${j.groupId}: the joiner ${memberId} is not a member`);
}

/** Ends the join phase when every member has joined again (after an empty group's initial delay), or when forced. */
export function maybeCompleteJoin(ctx: CoordinatorContext, fx: Fx, group: ClassicGroup, force = false): ClassicGroup {
  if (group.state !== 'preparingRebalance') return group;
  const members = Object.values(group.members);
  const allJoined = members.every((m) => m.join !== undefined);
  if (!force && !(allJoined && ctx.nowMs >= group.initialDelayUntilMs)) return group;
  const joined = members.filter((m) => m.join !== undefined).sort((a, b) => a.joinedSeq - b.joinedSeq);
  if (joined.length === 0) return { ...group, state: 'empty', members: {}, leaderId: '', generationId: group.generationId + 1 };
  const protocolName = chooseProtocol(joined);
  assert(joined.every((m) => m.protocols.some((p) => p.name === protocolName)), `${group.groupId}: a member does not speak ${protocolName}`);
  const leaderId = joined.some((m) => m.memberId === group.leaderId) ? group.leaderId : (joined[0] as ClassicMember).memberId;
  const generationId = group.generationId + 1;
  const next: Record<string, ClassicMember> = {};
  for (const m of joined) {
    const isLeader = m.memberId === leaderId;
    const body: JoinGroupReply = { code: 'OK', generationId, protocolType: group.protocolType, protocolName, leader: leaderId, memberId: m.memberId,
      members: isLeader ? joined.map((x) => ({ memberId: x.memberId, ...(x.instanceId !== undefined ? { instanceId: x.instanceId } : {}),
        metadata: (x.protocols.find((p) => p.name === protocolName) as { metadata: Uint8Array }).metadata })) : [] };
    reply(fx, m.join as NonNullable<ClassicMember['join']>, body);
    next[m.memberId] = { ...m, join: undefined, assignment: new Uint8Array(0), lastHeardMs: ctx.nowMs };
  }
  // Members that did not join again in time are out of the new generation.
  assert(Object.keys(next).includes(leaderId), 'the leader is a member');
  return { ...group, state: 'completingRebalance', protocolName, leaderId, generationId, members: next,
    deadlineMs: ctx.nowMs + Math.max(...joined.map((m) => m.rebalanceTimeoutMs)) };
}

/** The protocol every member speaks that most members prefer (Kafka's vote); ties go to the earlier preference of the first member. */
function chooseProtocol(members: ClassicMember[]): string {
  const candidates = commonProtocols(members) ?? [];
  assert(candidates.length > 0, 'members that joined share a protocol');
  const votes = new Map<string, number>();
  for (const m of members) {
    const choice = m.protocols.find((p) => candidates.includes(p.name))?.name;
    assert(choice !== undefined, `member ${m.memberId} speaks none of the common protocols`);
    votes.set(choice, (votes.get(choice) ?? 0) + 1);
  }
  return [...candidates].sort((a, b) => (votes.get(b) ?? 0) - (votes.get(a) ?? 0))[0] as string;
}

/** Without the member; its waiting replies are answered with `code`. */
export function removeClassicMember(group: ClassicGroup, fx: Fx, memberId: string, code: string): ClassicGroup {
  const member = group.members[memberId];
  if (member === undefined) return group;
  assert(member.memberId === memberId, `member ${memberId} is kept under another id`);
  assert(member.join === undefined || group.state === 'preparingRebalance', `${group.groupId}: a JoinGroup waits outside PreparingRebalance`);
  if (member.join !== undefined) reply(fx, member.join, { code, message: `member ${memberId} was removed`, memberId });
  if (member.sync !== undefined) reply(fx, member.sync, { code, message: `member ${memberId} was removed` });
  const members = { ...group.members };
  delete members[memberId];
  return { ...group, members };
}

/** A member left or was removed: the rest rebalance, or the group is empty. */
export function afterRemoval(ctx: CoordinatorContext, fx: Fx, group: ClassicGroup): ClassicGroup {
  if (Object.keys(group.members).length === 0) return { ...group, state: 'empty', leaderId: '', generationId: group.generationId + 1 };
  return maybeCompleteJoin(ctx, fx, prepareRebalance(ctx, fx, group));
}

/** Common checks of SyncGroup, Heartbeat and commits: the member and its generation. */
export function memberCheck(group: ClassicGroup | undefined, memberId: string, generationId: number): { code: string; message: string } | undefined {
  if (group === undefined || group.members[memberId] === undefined) return { code: 'UNKNOWN_MEMBER_ID', message: `no member ${memberId}` };
  if (generationId !== group.generationId) return { code: 'ILLEGAL_GENERATION', message: `generation ${generationId}, current ${group.generationId}` };
  return undefined;
}

/** A commit to a classic group with members: from a member of the current generation, not while the leader assigns. */
export function classicCommitRefusal(group: ClassicGroup | undefined, c: { memberId: string; memberEpoch: number }): { code: string; message: string } | undefined {
  const refused = memberCheck(group, c.memberId, c.memberEpoch);
  if (refused !== undefined) return refused;
  if (group?.state === 'completingRebalance') return { code: 'REBALANCE_IN_PROGRESS', message: 'the leader is assigning: commit after SyncGroup' };
  return undefined;
}
