/**
 * One controller failover round: kill -9 the Raft leader's process at T0, then every `probeEveryMs`
 * ask both survivors for their view (`describeQuorum` to each voter address) and attempt a `createTopic`
 * through `c/admin/leader`, the address a client uses. T1 is the first reply naming a surviving leader in
 * a higher term; T2 is the first committed createTopic reply (the new leader has committed its
 * no-op and then a write). Both are reply arrival times at the bench process.
 */
import { askReplica, sleep, VOTERS, waitSteady, type BenchCluster } from './cluster.js';
import { CONTROLLER_FOR_ADMIN } from '../../actors/kit/addresses.js';

export interface RoundResult {
  round: number;
  killed: number;
  termBefore: number;
  newLeader: number;
  termAfter: number;
  leaderKnownMs: number;
  writeCommittedMs: number;
  rejoinMs: number;
}

export interface FailoverOptions { probeEveryMs: number; giveUpMs: number; settleMs: number }

interface Probe { leaderKnownMs?: number; newLeader?: number; termAfter?: number; writeCommittedMs?: number }

/** Fires one batch of probes; each answer lands in `probe` stamped relative to `t0`. */
function fireProbes(cluster: BenchCluster, probe: Probe, survivors: number[], termBefore: number, t0: number, name: string): void {
  if (probe.leaderKnownMs === undefined) {
    for (const id of survivors) {
      askReplica(cluster, id, 500, (view) => {
        if (view === undefined || probe.leaderKnownMs !== undefined) return;
        if (survivors.includes(view.leaderId) && view.term > termBefore) {
          probe.leaderKnownMs = performance.now() - t0;
          probe.newLeader = view.leaderId;
          probe.termAfter = view.term;
        }
      });
    }
  }
  if (probe.writeCommittedMs === undefined) {
    const body = { name, partitions: 1, replicationFactor: 1, configs: {} };
    cluster.probe.call(CONTROLLER_FOR_ADMIN, 'createTopic', body, { timeoutMs: 2_000 }, (result) => {
      if (!result.ok || probe.writeCommittedMs !== undefined) return;
      if ((result.envelope.body as Record<string, unknown>)['code'] === 'OK') probe.writeCommittedMs = performance.now() - t0;
    });
  }
}

export async function failoverRound(cluster: BenchCluster, round: number, options: FailoverOptions): Promise<RoundResult> {
  const before = await waitSteady(cluster, 60_000);
  const killed = before.leaderId;
  const epochBefore = before.metadata.nodes.find((n) => n.nodeId === killed)?.nodeEpoch ?? -1;
  const survivors = VOTERS.filter((id) => id !== killed);
  const probe: Probe = {};

  const t0 = performance.now();
  const exited = cluster.processes.kill9(killed);
  for (let attempt = 0; probe.leaderKnownMs === undefined || probe.writeCommittedMs === undefined; attempt++) {
    if (performance.now() - t0 > options.giveUpMs) throw new Error(`round ${round}: no new leader and committed write within ${options.giveUpMs} ms after killing node ${killed}`);
    fireProbes(cluster, probe, survivors, before.term, t0, `fo-${round}-${attempt}`);
    await sleep(options.probeEveryMs);
  }
  await exited;

  const restartMs = performance.now();
  cluster.processes.startNode(killed);
  await waitSteady(cluster, 60_000, (m) => (m.nodes.find((n) => n.nodeId === killed)?.nodeEpoch ?? -1) > epochBefore);
  const rejoinMs = performance.now() - restartMs;
  await sleep(options.settleMs); // steady heartbeats again before the next kill
  return {
    round, killed, termBefore: before.term, newLeader: probe.newLeader ?? -1, termAfter: probe.termAfter ?? -1,
    leaderKnownMs: probe.leaderKnownMs ?? Number.NaN, writeCommittedMs: probe.writeCommittedMs ?? Number.NaN, rejoinMs,
  };
}
