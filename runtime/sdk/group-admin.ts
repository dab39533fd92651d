/**
 * Consumer-group administration (Kafka's Admin group APIs and `kafka-consumer-groups.sh`):
 * list, describe with committed offsets and lag, fetch, reset and delete offsets, delete groups.
 * A group's requests go to its coordinator, found with `findCoordinator` on the metadata address;
 * a coordinator that moved (NOT_COORDINATOR), is loading or cannot be reached is looked up again
 * until the admin timeout. Listing asks the coordinator of every `__consumer_offsets` partition.
 */
import { METADATA } from '../../actors/kit/addresses.js';
import { coordinatorAddress } from '../../actors/kit/addresses.js';
import { OFFSETS_TOPIC, type DescribeGroupReply, type GroupState, type ListGroupsReply, type MemberDescription,
  type OffsetCommitReply, type OffsetFetchReply } from '../../actors/coordinator/protocol.js';
import { BrookError, errorFromResult } from './errors.js';
import type { ClusterMetadata, OffsetSpec } from './admin-types.js';
import type { TopicInfo } from '../../actors/client/messages.js';

/** One request; `retry: false` gives up at the first failure instead of retrying retriable ones. */
/** The OK variant of a coordinator reply (the admin's call throws on every other). */
type Ok<R> = Extract<R, { code: 'OK' }>;

export type AdminCall = (to: string, type: string, body: unknown, retry?: boolean) => Promise<Record<string, unknown>>;

export interface GroupAdminDeps {
  call: AdminCall;
  metadata(topics?: string[]): Promise<ClusterMetadata>;
  describeTopic(name: string): Promise<TopicInfo>;
  listOffsets(topic: string, spec: OffsetSpec, partitions?: number[]): Promise<Array<{ partition: number; offset: number }>>;
  nowMs(): number;
  timeoutMs: number;
  /** Waits before retry number `attempt` (1 = the first), with the admin client's backoff. */
  pause(attempt: number): Promise<void>;
}

export interface GroupListing { groupId: string; state: GroupState; members: number }

export interface GroupPartitionDescription {
  topic: string; partition: number;
  memberId: string | null; clientId: string | null; instanceId: string | null;
  committedOffset: number | null; logEndOffset: number | null; lag: number | null;
}

export interface GroupDescription {
  groupId: string; state: GroupState; groupEpoch: number; assignmentEpoch: number; assignor: string;
  members: MemberDescription[];
  /** Every partition assigned or committed, sorted by topic and partition. */
  partitions: GroupPartitionDescription[];
}

export interface CommittedOffset { topic: string; partition: number; offset: number; metadata?: string }

/** Where to move a group's offsets: Kafka's --to-earliest, --to-latest, --to-datetime, --to-offset, --shift-by. */
export type ResetSpec = 'earliest' | 'latest' | { timestamp: number } | { offset: number } | { shiftBy: number };
export interface ResetPlanEntry { topic: string; partition: number; currentOffset: number | null; newOffset: number }

const COORDINATOR_MOVED = new Set(['NOT_COORDINATOR', 'COORDINATOR_NOT_AVAILABLE', 'COORDINATOR_LOAD_IN_PROGRESS', 'REQUEST_TIMED_OUT', 'UNKNOWN_ADDRESS']);

export function checkGroupId(groupId: string): void {
  if (typeof groupId !== 'string' || groupId.length === 0) throw new BrookError('INVALID_GROUP_ID', 'the group id is empty');
}

/** A request to the coordinator of `groupId`, looking it up again while it moves. */
export async function groupCall(deps: GroupAdminDeps, groupId: string, type: string, body: unknown): Promise<Record<string, unknown>> {
  checkGroupId(groupId);
  const deadline = deps.nowMs() + deps.timeoutMs;
  for (let attempt = 0; ; attempt++) {
    try {
      const found = await deps.call(METADATA, 'findCoordinator', { groupId });
      return await deps.call(String(found['address']), type, body, false);
    } catch (error) {
      if (!(error instanceof BrookError) || !COORDINATOR_MOVED.has(error.code) || deps.nowMs() >= deadline) throw error;
    }
    await deps.pause(attempt + 1);
  }
}

export async function listGroups(deps: GroupAdminDeps): Promise<GroupListing[]> {
  const offsets = (await deps.metadata([OFFSETS_TOPIC])).topics.find((t) => t.name === OFFSETS_TOPIC);
  if (offsets === undefined) return [];
  const groups = new Map<string, GroupListing>();
  await Promise.all(offsets.partitions.map(async (p) => {
    if (p.leader < 0) throw new BrookError('COORDINATOR_NOT_AVAILABLE', `${OFFSETS_TOPIC}/${p.partition} has no leader`);
    const reply = await deps.call(coordinatorAddress(p.partition, p.leader), 'listGroups', {}) as Ok<ListGroupsReply>;
    for (const g of reply.groups) groups.set(g.groupId, { groupId: g.groupId, state: g.state, members: g.members });
  }));
  return [...groups.values()].sort((a, b) => a.groupId.localeCompare(b.groupId));
}

export async function fetchOffsets(deps: GroupAdminDeps, groupId: string, topic?: string): Promise<CommittedOffset[]> {
  const body = topic === undefined ? { groupId } : { groupId, partitions: [{ topic, partitions: (await deps.describeTopic(topic)).partitions.map((p) => p.partition) }] };
  const reply = await groupCall(deps, groupId, 'offsetFetch', body) as Ok<OffsetFetchReply>;
  return reply.offsets.filter((o) => o.offset >= 0)
    .map((o) => (o.metadata === undefined ? { topic: o.topic, partition: o.partition, offset: o.offset } : { ...o }))
    .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
}

const key = (topic: string, partition: number): string => `${topic}/${partition}`;

export async function describeGroup(deps: GroupAdminDeps, groupId: string): Promise<GroupDescription> {
  const reply = await groupCall(deps, groupId, 'describeGroup', { groupId }) as Ok<DescribeGroupReply>;
  if (reply.state === 'dead') throw new BrookError('GROUP_ID_NOT_FOUND', `group '${groupId}' does not exist`);
  const committed = await fetchOffsets(deps, groupId);
  const rows = new Map<string, GroupPartitionDescription>();
  const row = (topic: string, partition: number): GroupPartitionDescription => {
    const k = key(topic, partition);
    const existing = rows.get(k);
    if (existing !== undefined) return existing;
    const fresh: GroupPartitionDescription = { topic, partition, memberId: null, clientId: null, instanceId: null, committedOffset: null, logEndOffset: null, lag: null };
    rows.set(k, fresh);
    return fresh;
  };
  for (const m of reply.members) {
    for (const tp of m.assignment) for (const p of tp.partitions) Object.assign(row(tp.topic, p), { memberId: m.memberId, clientId: m.clientId, instanceId: m.instanceId ?? null });
  }
  for (const o of committed) row(o.topic, o.partition).committedOffset = o.offset;
  await fillLag(deps, [...rows.values()]);
  const partitions = [...rows.values()].sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
  return { groupId: reply.groupId, state: reply.state, groupEpoch: reply.groupEpoch, assignmentEpoch: reply.assignmentEpoch,
    assignor: reply.assignor, members: reply.members, partitions };
}

/** Log end offsets by listOffsets latest; lag = log end − committed (unknown when either is). */
async function fillLag(deps: GroupAdminDeps, rows: GroupPartitionDescription[]): Promise<void> {
  const topics = [...new Set(rows.map((r) => r.topic))];
  await Promise.all(topics.map(async (topic) => {
    let ends: Array<{ partition: number; offset: number }>;
    try { ends = await deps.listOffsets(topic, 'latest', rows.filter((r) => r.topic === topic).map((r) => r.partition)); } catch { return; } // A deleted topic: lag unknown.
    for (const end of ends) {
      const r = rows.find((x) => x.topic === topic && x.partition === end.partition);
      if (r === undefined) continue;
      r.logEndOffset = end.offset;
      if (r.committedOffset !== null) r.lag = Math.max(0, end.offset - r.committedOffset);
    }
  }));
}

/** Where each partition of `topic` would move; nothing is written. */
export async function planOffsetReset(deps: GroupAdminDeps, groupId: string, topic: string, spec: ResetSpec): Promise<ResetPlanEntry[]> {
  checkGroupId(groupId);
  const current = new Map((await fetchOffsets(deps, groupId, topic)).map((o) => [o.partition, o.offset]));
  const earliest = new Map((await deps.listOffsets(topic, 'earliest')).map((o) => [o.partition, o.offset]));
  const latest = new Map((await deps.listOffsets(topic, 'latest')).map((o) => [o.partition, o.offset]));
  const byTime = typeof spec === 'object' && 'timestamp' in spec
    ? new Map((await deps.listOffsets(topic, { timestamp: spec.timestamp })).map((o) => [o.partition, o.offset])) : undefined;
  return [...latest.keys()].sort((a, b) => a - b).map((partition) => {
    const low = earliest.get(partition) ?? 0;
    const high = latest.get(partition) ?? 0;
    const clamp = (n: number): number => Math.min(high, Math.max(low, n));
    const currentOffset = current.get(partition) ?? null;
    let newOffset: number;
    if (spec === 'earliest') newOffset = low;
    else if (spec === 'latest') newOffset = high;
    else if ('timestamp' in spec) { const t = byTime?.get(partition) ?? -1; newOffset = t < 0 ? high : t; }
    else if ('offset' in spec) newOffset = clamp(spec.offset);
    else {
      if (currentOffset === null) throw new BrookError('INVALID_REQUEST', `cannot shift ${topic}/${partition}: the group has no committed offset there`);
      newOffset = clamp(currentOffset + spec.shiftBy);
    }
    return { topic, partition, currentOffset, newOffset };
  });
}

/** Commits a plan from outside the group protocol (member '' epoch -1): the coordinator refuses with NON_EMPTY_GROUP while the group has members. */
export async function applyOffsetReset(deps: GroupAdminDeps, groupId: string, plan: ResetPlanEntry[]): Promise<void> {
  const offsets = plan.map((e) => ({ topic: e.topic, partition: e.partition, offset: e.newOffset }));
  const reply = await groupCall(deps, groupId, 'offsetCommit', { groupId, memberId: '', memberEpoch: -1, offsets }) as Ok<OffsetCommitReply>;
  const failed = reply.results.find((r) => r.code !== 'OK');
  if (failed !== undefined) throw errorFromResult({ code: failed.code, message: `${failed.topic}/${failed.partition}: ${failed.code}` });
}
