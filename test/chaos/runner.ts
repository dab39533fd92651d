/**
 * One chaos run, used by the CI test and the long bench run: start the cluster (three NATS servers,
 * five nodes, controllers 1,2,3), create the topic, run the workload while the nemesis applies
 * faults, heal everything, let the sends in flight settle, read every partition back, and judge the
 * history with the simulator's checker (the same filter as the simulation's stream run).
 */
import { checkHistory, violations as historyViolations } from '../../runtime/sim/checks/history.js';
import { eventually } from '../helpers/brook-processes.js';
import { ChaosCluster } from './cluster.js';
import { Nemesis, settled, type FaultKind } from './nemesis.js';
import { acksPerSecond, countBy, gapsByKind, readNodeLogs, unexplained, type ChaosReport } from './report.js';
import { ChaosWorkload, finalReads } from './workload.js';

export interface ChaosOptions {
  seed: number;
  /** How long the nemesis applies faults. */
  faultPhaseMs: number;
  nodes?: number;
  voters?: number[];
  partitions?: number;
  producers?: number;
  sendsPerSecond?: number;
  liveConsumer?: boolean;
  downMs?: [number, number];
  pauseMs?: [number, number];
  settleMaxMs?: number;
  skip?: readonly FaultKind[];
  only?: readonly FaultKind[];
  /** Apply at least this many faults, even past `faultPhaseMs`. */
  faultsMin?: number;
  /** Delay each node's proxy adds each way (ms). */
  proxyLatencyMs?: number;
  /** Extra NODE_OPTIONS for the node processes. */
  nodeOptions?: string;
  keepDir?: boolean;
  log?: (line: string) => void;
}

const TOPIC = 'chaos';
const CLUSTER = 'chaos';
/** lost-write and unseen are judged by the final reads; without them the run fails on convergence instead. */
const NEEDS_FINAL_READS = new Set(['lost-write', 'unseen']);
/** A controller election this long after a fault started or was healed counts as explained by it. */
const ELECTION_WINDOW_MS = 10_000;

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const log = options.log ?? (() => {});
  const nodes = options.nodes ?? 5;
  const partitions = options.partitions ?? 6;
  log(`chaos seed ${options.seed}`);
  const cluster = await ChaosCluster.start({ nodes, voters: options.voters ?? [1, 2, 3], name: CLUSTER,
    ...(options.nodeOptions !== undefined ? { nodeOptions: options.nodeOptions } : {}),
    ...(options.proxyLatencyMs !== undefined ? { proxyLatencyMs: options.proxyLatencyMs } : {}), ...(options.keepDir !== undefined ? { keepDir: options.keepDir } : {}) });
  if (options.keepDir === true) log(`data and logs in ${cluster.root}`);
  let workload: ChaosWorkload | undefined;
  try {
    await eventually(async () => ((await cluster.admin.metadata()).nodes.filter((n) => n.state === 'unfenced').length === nodes ? true : undefined), 90_000, `${nodes} unfenced nodes`);
    await eventually(async () => {
      const topics = await cluster.admin.listTopics();
      if (!topics.includes(TOPIC)) await cluster.admin.createTopic(TOPIC, { partitions, replicationFactor: 3, configs: { 'min.insync.replicas': '2' } });
      return true;
    }, 30_000, `topic ${TOPIC}`);
    if (!await settled(cluster, TOPIC, 60_000)) throw new Error(`topic ${TOPIC} never had full ISRs`);
    log('cluster ready');

    const startMs = Date.now();
    workload = new ChaosWorkload({ natsUrls: cluster.nats.urls, cluster: CLUSTER, topic: TOPIC, partitions, producers: options.producers ?? 2,
      sendsPerSecond: options.sendsPerSecond ?? 25, liveConsumer: options.liveConsumer ?? true }, startMs);
    await workload.start();
    await new Promise((r) => setTimeout(r, 2_000)); // a steady rate before the first fault
    const nemesis = new Nemesis(cluster, { seed: options.seed, topic: TOPIC, downMs: options.downMs ?? [1_000, 3_000], pauseMs: options.pauseMs ?? [1_000, 3_000],
      settleMaxMs: options.settleMaxMs ?? 10_000, ...(options.skip ? { skip: options.skip } : {}), ...(options.only ? { only: options.only } : {}),
      ...(options.faultsMin !== undefined ? { faultsMin: options.faultsMin } : {}) }, startMs);
    const faultsLogged = { n: 0 };
    const progress = setInterval(() => {
      for (; faultsLogged.n < nemesis.faults.length; faultsLogged.n++) {
        const f = nemesis.faults[faultsLogged.n];
        if (f) log(`${(f.atMs / 1000).toFixed(1)} s ${f.kind} ${f.target}${f.note ? ` (${f.note})` : ''}; acks so far ${workload?.acked ?? 0}`);
      }
    }, 500);
    try {
      await nemesis.run(2_000 + options.faultPhaseMs);
    } finally {
      clearInterval(progress);
    }

    await healAll(cluster);
    await workload.stop();
    const endMs = Date.now() - startMs;
    log(`faults over after ${(endMs / 1000).toFixed(1)} s; healing and reading back`);
    const settledAfterHeal = await settled(cluster, TOPIC, 60_000);
    const unsettled = settledAfterHeal ? [] : await describeUnsettled(cluster);
    // Read back even when an ISR never refilled: every partition with a leader can still be judged.
    const reads = await finalReads(cluster.admin, cluster.nats.urls, CLUSTER, TOPIC, 60_000).catch(() => undefined);
    workload.recorder.closeOpen();
    const history = workload.recorder.history();
    const anomalies = checkHistory(history, reads ?? new Map());
    const complete = reads !== undefined;
    const bad = historyViolations(anomalies).filter((a) => complete || !NEEDS_FINAL_READS.has(a.name));
    const sends = history.filter((op) => op.f === 'send');
    const logs = readNodeLogs([...cluster.nodes.values()].map((n) => n.logPath), startMs);
    return {
      seed: options.seed,
      durationMs: endMs,
      faults: nemesis.faults,
      faultCounts: countBy(nemesis.faults, (f) => f.kind),
      acksPerSecond: acksPerSecond(workload.outcomes, endMs),
      gapsByKind: gapsByKind(workload.outcomes, nemesis.faults, endMs),
      sends: { invoked: sends.filter((o) => o.type === 'invoke').length, ok: sends.filter((o) => o.type === 'ok').length,
        fail: sends.filter((o) => o.type === 'fail').length, info: sends.filter((o) => o.type === 'info').length },
      failCodes: Object.fromEntries(workload.failCodes),
      infoCodes: Object.fromEntries(workload.infoCodes),
      skippedTicks: workload.skippedTicks,
      polled: workload.polled,
      finalRecords: [...(reads?.values() ?? [])].reduce((n, r) => n + r.length, 0),
      converged: complete,
      settledAfterHeal,
      unsettled,
      deaths: cluster.deaths().map((d) => ({ ...d, atMs: d.atMs - startMs })),
      leaderChanges: logs.leaderChanges,
      unexplainedLeaderChanges: unexplained(logs.leaderChanges, nemesis.faults, ELECTION_WINDOW_MS),
      stepDowns: logs.stepDowns,
      unexplainedStepDowns: unexplained(logs.stepDowns, nemesis.faults, ELECTION_WINDOW_MS),
      logLinesOffTimeBase: logs.offTimeBase,
      failedSends: workload.failedSends,
      anomalies,
      violations: bad,
      anomalyCounts: countBy(anomalies, (a) => a.name),
    };
  } finally {
    await workload?.close();
    await cluster.close();
  }
}

/** What keeps the cluster from settling: fenced nodes, partitions without a leader or a full ISR. */
async function describeUnsettled(cluster: ChaosCluster): Promise<string[]> {
  try {
    const meta = await cluster.admin.metadata([TOPIC]);
    const quorum = await cluster.admin.describeQuorum().then((q) => `controller leader ${q.leaderId} term ${q.term}`, (e: unknown) => `no controller answer (${String(e)})`);
    const nodes = meta.nodes.filter((n) => n.state !== 'unfenced').map((n) => `node ${n.nodeId} ${n.state} (epoch ${n.nodeEpoch})`);
    const missing = cluster.ids.filter((id) => !meta.nodes.some((n) => n.nodeId === id)).map((id) => `node ${id} not registered`);
    const parts = (meta.topics.find((t) => t.name === TOPIC)?.partitions ?? []).filter((p) => p.leader <= 0 || p.isr.length < p.replicas.length)
      .map((p) => `partition ${p.partition}: leader ${p.leader} epoch ${p.leaderEpoch}, isr [${p.isr.join(',')}] of [${p.replicas.join(',')}]`);
    return [quorum, ...missing, ...nodes, ...parts];
  } catch (error) {
    return [`metadata unavailable: ${String(error)}`];
  }
}

/** Every NATS server running, every proxy open, every node process running and not stopped. */
async function healAll(cluster: ChaosCluster): Promise<void> {
  for (const m of cluster.nats.members) if (!cluster.nats.alive(m.index)) await cluster.nats.restart(m.index);
  for (const id of cluster.ids) {
    const node = cluster.node(id);
    node.proxy.restore();
    if (cluster.alive(id)) node.process?.signal('SIGCONT');
    else cluster.startNode(id);
  }
}
