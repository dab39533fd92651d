// The moving parts of the group rounds: a steady acks=all producer over every partition, member
// processes (`brook consume --group`, test/helpers/group-consumers.ts), and waits for the group to
// settle as the coordinator describes it. Members are stopped with SIGINT (they commit and leave) or
// SIGKILL, and every one left is killed when the bench ends.
import type { BrookCluster } from '../brook/cluster.js';
import { sleep } from '../brook/cluster.js';
import { eventually, exited } from '../../test/helpers/brook-processes.js';
import { MemberProcess } from '../../test/helpers/group-consumers.js';

export interface Group {
  readonly cluster: BrookCluster;
  readonly topic: string;
  readonly groupId: string;
  readonly members: Map<string, MemberProcess>;
  autoCommitIntervalMs?: number;
}

let memberCount = 0;
const live = new Set<MemberProcess>();
// One exit hook for every member, so a failed bench leaves no member process behind.
process.on('exit', () => { for (const m of live) if (m.alive) m.child.kill('SIGKILL'); });

export function startMember(group: Group): MemberProcess {
  const name = `g${++memberCount}`;
  const options = { natsUrl: group.cluster.nats.url, cluster: group.cluster.processes.cluster, topic: group.topic, group: group.groupId };
  const member = new MemberProcess(name, group.autoCommitIntervalMs === undefined ? options : { ...options, autoCommitIntervalMs: group.autoCommitIntervalMs });
  group.members.set(name, member);
  live.add(member);
  member.child.once('exit', () => live.delete(member));
  return member;
}

export async function stopMember(group: Group, member: MemberProcess, signal: 'SIGINT' | 'SIGKILL'): Promise<void> {
  member.child.kill(signal);
  await Promise.race([exited(member.child), sleep(10_000)]);
  if (member.alive) await member.kill9();
  group.members.delete(member.name);
}

/** Until the coordinator describes a stable group of exactly the live members with every partition assigned. */
export async function waitSettled(group: Group, partitions: number, timeoutMs = 60_000): Promise<void> {
  const names = new Set([...group.members.keys()].map((n) => `${n}-1`));
  await eventually(async () => {
    const d = await group.cluster.admin.describeGroup(group.groupId);
    const assigned = d.partitions.filter((p) => p.memberId !== null).length;
    return d.state === 'stable' && d.members.length === names.size && d.members.every((m) => names.has(m.clientId)) && assigned === partitions ? true : undefined;
  }, timeoutMs, `group ${group.groupId} to settle on ${names.size} members`);
}

/** `perTick` records every `intervalMs`, keyed so that every partition gets some. */
export function steadyProducer(cluster: BrookCluster, topic: string, perTick = 24, intervalMs = 50): { stop: () => Promise<void> } {
  const producer = cluster.client.producer({ acks: 'all', lingerMs: 2, deliveryTimeoutMs: 60_000, requestTimeoutMs: 2_000 });
  const pending = new Set<Promise<unknown>>();
  let running = true;
  let next = 0;
  const loop = (async () => {
    while (running) {
      const sent = producer.send(topic, Array.from({ length: perTick }, () => ({ key: `k${next}`, value: `v${next++}` }))).catch(() => undefined);
      pending.add(sent);
      void sent.then(() => pending.delete(sent));
      await sleep(intervalMs);
    }
  })();
  return { stop: async () => { running = false; await loop; await Promise.all(pending); await producer.close(); } };
}
