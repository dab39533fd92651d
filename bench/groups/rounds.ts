// (a) a member joins: from spawning its process to its first record printed (and, inside that, from
// its assignment notice to its first record); (b) kill -9 of a member: until another member prints a
// record of every partition the killed one owned; (c) kill -9 of the node leading the group's
// `__consumer_offsets` partition: until the admin API reads, from the new coordinator, a committed
// offset above its first answer (members auto-commit every 100 ms; the admin starts a poll every
// 20 ms, each giving up after 250 ms).
import { groupPartition, OFFSETS_TOPIC } from '../../actors/coordinator/protocol.js';
import { restartNode, sleep, waitFullIsr, type BrookCluster } from '../brook/cluster.js';
import { eventually } from '../../test/helpers/brook-processes.js';
import { startMember, stopMember, waitSettled, type Group } from './group.js';
import { failoverTimeline } from './timeline.js';

export interface JoinRound { spawnToFirstRecordMs: number; spawnToAssignedMs: number; assignedToFirstRecordMs: number }

export async function joinRound(group: Group, partitions: number): Promise<JoinRound> {
  const spawnedAt = Date.now();
  const member = startMember(group);
  await eventually(async () => (member.printed.length > 0 && member.notices.length > 0 ? true : undefined), 60_000, 'the new member\'s first record');
  const first = member.printed[0]?.at as number;
  const assigned = member.notices.find((n) => n.event === 'assigned')?.at ?? first;
  await stopMember(group, member, 'SIGINT');
  await waitSettled(group, partitions);
  return { spawnToFirstRecordMs: first - spawnedAt, spawnToAssignedMs: assigned - spawnedAt, assignedToFirstRecordMs: first - assigned };
}

export interface InProcessJoinRound { subscribeToFirstRecordMs: number; subscribeToAssignedMs: number }

/**
 * (a) without process start-up: an SDK consumer in the bench's own process (already connected)
 * subscribes; timed until its first poll with records. It closes (leaving the group) afterwards.
 */
export async function joinInProcessRound(group: Group, partitions: number): Promise<InProcessJoinRound> {
  let assignedAt = 0;
  const consumer = group.cluster.client.consumer({ groupId: group.groupId, autoCommitIntervalMs: 100,
    onAssigned: () => { if (assignedAt === 0) assignedAt = Date.now(); } });
  const subscribedAt = Date.now();
  await consumer.subscribe([group.topic]);
  let firstAt = 0;
  while (firstAt === 0) {
    if (Date.now() - subscribedAt > 60_000) throw new Error('no record within 60 s of subscribing');
    if ((await consumer.poll({ timeoutMs: 100 })).length > 0) firstAt = Date.now();
  }
  await consumer.close();
  await waitSettled(group, partitions);
  return { subscribeToFirstRecordMs: firstAt - subscribedAt, subscribeToAssignedMs: (assignedAt || firstAt) - subscribedAt };
}

export interface KillMemberRound { partitionsMoved: number; firstMovedMs: number; allMovedMs: number }

export async function killMemberRound(group: Group, partitions: number): Promise<KillMemberRound> {
  // The member owning the most, once its own notices say so (the coordinator's description can run ahead of them).
  const victim = await eventually(async () => [...group.members.values()].filter((m) => m.owned().size > 0).sort((a, b) => b.owned().size - a.owned().size)[0], 30_000, 'a member owning partitions');
  const owned = [...victim.owned()];
  const killedAt = Date.now();
  await stopMember(group, victim, 'SIGKILL');
  const firstAt = new Map<number, number>();
  await eventually(async () => {
    for (const m of group.members.values()) for (const r of m.printed) if (r.at > killedAt && owned.includes(r.partition) && !firstAt.has(r.partition)) firstAt.set(r.partition, r.at);
    return firstAt.size === owned.length ? true : undefined;
  }, 60_000, 'the killed member\'s partitions read by the others');
  const times = [...firstAt.values()].map((at) => at - killedAt);
  startMember(group);
  await waitSettled(group, partitions);
  return { partitionsMoved: owned.length, firstMovedMs: Math.min(...times), allMovedMs: Math.max(...times) };
}

export interface CoordinatorRound { killedNode: number; firstReadMs: number; commitsAcceptedMs: number }

/**
 * The first read after the kill comes from the new coordinator, once loaded: it shows every commit
 * acknowledged before the kill (and maybe some after). A commit accepted again is one that raises
 * the committed offsets above that first read: an upper bound by up to one auto-commit interval
 * (100 ms), never an early one.
 */
export async function killCoordinatorRound(group: Group, partitions: number, trace = false): Promise<CoordinatorRound> {
  const { cluster } = group;
  const offsets = (await cluster.admin.metadata([OFFSETS_TOPIC])).topics.find((t) => t.name === OFFSETS_TOPIC);
  const gp = groupPartition(group.groupId, offsets?.partitions.length ?? 0);
  const node = offsets?.partitions.find((p) => p.partition === gp)?.leader ?? -1;
  if (node <= 0) throw new Error(`no leader for ${OFFSETS_TOPIC}/${gp}`);
  // Polls overlap, one started every 20 ms, each giving up after 250 ms: a poll stuck on the dead
  // coordinator's address (the admin's requests are not fail-fast) does not hold up the next one.
  const admin = cluster.client.admin({ timeoutMs: 250, requestTimeoutMs: 250 });
  const sum = async (): Promise<number> => (await admin.fetchOffsets(group.groupId, group.topic)).reduce((n, o) => n + o.offset, 0);
  const killedAt = Date.now();
  await cluster.processes.kill9(node);
  let first: { at: number; sum: number } | undefined;
  let acceptedAt = 0;
  const polls = new Set<Promise<void>>();
  while (acceptedAt === 0) {
    if (Date.now() - killedAt > 60_000) throw new Error('no commit accepted within 60 s of the coordinator node kill');
    const poll = sum().then((s) => {
      if (first === undefined) first = { at: Date.now(), sum: s };
      else if (s > first.sum && acceptedAt === 0) acceptedAt = Date.now();
    }, () => { /* the coordinator is moving */ });
    polls.add(poll);
    void poll.then(() => polls.delete(poll));
    await sleep(20);
  }
  await Promise.all(polls);
  admin.close();
  const firstReadMs = (first?.at ?? acceptedAt) - killedAt;
  console.error(`  c. node ${node} killed: the new coordinator read after ${firstReadMs} ms, a commit accepted after ${acceptedAt - killedAt} ms; restarting it`);
  if (trace) for (const line of failoverTimeline(cluster, node, killedAt, acceptedAt, `${OFFSETS_TOPIC}/${gp}`)) console.error(`     ${line}`);
  restartNode(cluster, node);
  await recovered(cluster, group.topic, partitions);
  await waitSettled(group, partitions);
  return { killedNode: node, firstReadMs, commitsAcceptedMs: acceptedAt - killedAt };
}

async function recovered(cluster: BrookCluster, topic: string, partitions: number): Promise<void> {
  await eventually(async () => ((await cluster.admin.metadata()).nodes.filter((n) => n.state === 'unfenced').length === cluster.voters.length ? true : undefined), 120_000, 'the node back');
  const info = await waitFullIsr(cluster, topic, 3, 120_000);
  if (info.partitions.length !== partitions) throw new Error('partition count changed');
  await eventually(async () => ((await cluster.admin.describeTopic(OFFSETS_TOPIC)).partitions.every((p) => p.leader > 0 && p.isr.length === p.replicas.length) ? true : undefined),
    120_000, `${OFFSETS_TOPIC} in sync`);
}
