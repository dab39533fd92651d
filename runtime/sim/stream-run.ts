/**
 * A seeded whole-cluster run with data: the cluster, topic shape, network and fault plan are drawn
 * from the seed; producers (idempotent and not, acks all and 1) and a consumer run through the
 * faults; then the liveness phase heals everything and a fresh consumer reads every partition back.
 * Checked: the Raft and partition online invariants, and the Jepsen-style history.
 */
import { drawPlacementPlan, placementPending, schedulePlacementSteps } from './placement-moves.js';
import { SeededRandom, type Random } from '../random.js';
import { Rpc } from '../rpc.js';
import type { Clock } from '../clock.js';
import type { ActorTap } from '../host.js';
import { ClusterSim } from './cluster.js';
import { RaftChecker } from './checks/raft.js';
import { PartitionChecker } from './checks/partitions.js';
import { checkHistory, violations as historyViolations, type Anomaly } from './checks/history.js';
import { metadataConverged } from './checks/convergence.js';
import { describePlan, generateDiskErrorPlan, generatePlan, generateRolePlan, mergePlans, type FaultOp, type FaultPlanOptions } from './faults.js';
import { Workload, type ProducerSpec } from './workload.js';
import { GroupWorkload, type GroupSpec } from './group-workload.js';
import { GroupChecker } from './checks/groups.js';
import { readGroupFinal } from './group-final.js';
import { sometimes } from './sometimes.js';
import { drawKnobs, type NodeKnobConfig } from './knobs.js';
import type { MetadataImage } from '../../actors/metadata/image.js';
import { clientAddress, CONTROLLER_FOR_ADMIN, replicaAddress } from '../../actors/kit/addresses.js';

export const SIM_TOPIC = 'events';

export interface StreamRunOptions {
  seed: number;
  durationMs?: number;
  livenessMs?: number;
  plan?: FaultOp[];
  /** Random-node fault kinds, plus 'roles' for faults aimed at leaders. */
  faults?: RunFaultKind[];
  /** Overrides the drawn node count (`brook sim --nodes`). */
  nodes?: number;
  /** A network at least 30 ms each way, slower than the controller's heartbeat interval (`brook sim --slow-network`). */
  slowNetwork?: boolean;
  /** How many of the last log lines the result keeps (40 unless told; debugging wants more). */
  logTailLines?: number;
  /** The nodes' log level in the simulation ('warn' unless told). */
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** Records every actor's input and events (runtime/host.ts ActorTap). */
  tap?: ActorTap;
}

export interface StreamRunResult {
  seed: number;
  config: StreamConfig;
  plan: FaultOp[];
  violations: string[];
  anomalies: Anomaly[];
  converged: boolean;
  livenessReason: string;
  digest: string;
  acked: number;
  sendsInvoked: number;
  finalRecords: number;
  simulatedMs: number;
  steps: number;
  faultsApplied: number;
  logTail: string[];
  /** Trace digests every 1000 lines, to locate the first divergence between two runs. */
  checkpoints: Array<{ line: number; digest: string }>;
  /** What the consumer group did, when the run had one. */
  group: { members: number; churns: number; delivered: number; commitsAcked: number; ownershipChanges: number } | undefined;
}

export interface StreamConfig {
  nodeCount: number;
  voters: number[];
  partitions: number;
  replicationFactor: number;
  minInsyncReplicas: number;
  producers: ProducerSpec[];
  network: { lossProbability: number; duplicateProbability: number; fifo: boolean; delayMeanMs: number; delayMinMs?: number };
  /** Node, controller and partition knobs pushed to extremes (empty in most runs; runtime/sim/knobs.ts). */
  knobs: NodeKnobConfig;
  /** A consumer group sharing the topic, in about half the runs (drawn from its own fork: other draws do not change). */
  group: GroupSpec | undefined;
}

export function drawStreamConfig(seed: number, nodes?: number, slowNetwork = false): StreamConfig {
  const random = new SeededRandom(seed).fork('config');
  const nodeCount = nodes ?? random.pick([3, 3, 3, 4, 5]);
  const replicationFactor = Math.min(3, nodeCount);
  return {
    nodeCount,
    voters: [1, 2, 3],
    partitions: random.int(1, 6),
    replicationFactor,
    minInsyncReplicas: random.pick([1, 2, 2]),
    producers: Array.from({ length: random.int(1, 3) }, (_, i) => ({
      idempotent: i === 0 || random.chance(0.5), acks: i === 0 || random.chance(0.7) ? 'all' as const : '1' as const,
      intervalMs: random.pick([10, 20, 50]), recordsMax: random.pick([1, 3, 10]),
    })).map((p) => (p.acks === '1' ? { ...p, idempotent: false } : p)),
    network: {
      lossProbability: random.pick([0, 0, 0.01, 0.05]),
      duplicateProbability: random.pick([0, 0, 0.02, 0.05]),
      fifo: random.chance(0.5),
      ...drawDelay(random, slowNetwork ? new SeededRandom(seed).fork('slow-network') : undefined),
    },
    knobs: drawKnobs(new SeededRandom(seed).fork('knobs')),
    group: drawGroup(new SeededRandom(seed).fork('groups')),
  };
}

/**
 * The network's delay: a mean of 1–5 ms, or on a slow network (`brook sim --slow-network`; drawn
 * from its own fork, after the usual draw, so the seed's other draws stay as they were) at least
 * 30 ms each way, like a link between regions, so that every controller reply arrives after the
 * next 50 ms heartbeat went out. The chaos suite's 20 ms proxies found a wedge of this kind (a
 * reply rule that ignored every overtaken reply) that no 1–5 ms network could.
 */
function drawDelay(random: Random, slow: Random | undefined): { delayMeanMs: number; delayMinMs?: number } {
  const delayMeanMs = random.pick([1, 2, 5]);
  return slow === undefined ? { delayMeanMs } : { delayMinMs: 30, delayMeanMs: slow.pick([35, 45, 60]) };
}

function drawGroup(random: Random): GroupSpec | undefined {
  if (!random.chance(0.5)) return undefined;
  return { groupId: 'sim-group', members: random.int(1, 4), churnMeanMs: random.pick([1500, 3000, 6000]), autoCommitIntervalMs: random.pick([100, 500, 2000]) };
}

/**
 * The durability contract promises no acknowledged acks=all write is lost to one failed node only
 * when min.insync.replicas ≥ 2: with 1, the single in-sync replica losing power takes the newest
 * page-cache writes with it (as in Kafka). Such runs keep every fault but power loss. With 2 or
 * more, overlapping faults (role faults join the plan on top of the random-node faults) can still
 * leave one replica in sync: the cluster applies a power loss as a process crash when the node
 * comes back still in an ISR, where it could be left alone (`sparePowerLossOfSoleInSync`,
 * runtime/sim/sole-in-sync.ts).
 */
export type RunFaultKind = FaultPlanOptions['kinds'][number] | 'roles' | 'diskError';

function faultKinds(kinds: FaultPlanOptions['kinds'], config: StreamConfig): FaultPlanOptions['kinds'] {
  return config.minInsyncReplicas >= 2 ? kinds : kinds.filter((k) => k !== 'powerLoss');
}

function schedulerClock(sim: ClusterSim): Clock {
  const s = sim.world.scheduler;
  return { nowMs: () => s.nowMs, wallMs: () => s.nowMs, setTimeout: (fn, ms) => s.at(ms, fn), clearTimeout: (h) => s.cancel(h as never) };
}

export function runStreamSim(options: StreamRunOptions): StreamRunResult {
  const durationMs = options.durationMs ?? 10_000;
  const config = drawStreamConfig(options.seed, options.nodes, options.slowNetwork === true);
  if (Object.keys(config.knobs).length > 0) sometimes('knobs-extreme');
  const sim = new ClusterSim({ seed: options.seed, nodeCount: config.nodeCount, voters: config.voters, network: config.network, node: config.knobs,
    sparePowerLossOfSoleInSync: true,
    ...(options.tap ? { tap: options.tap } : {}),
    ...(options.logLevel ? { logLevel: options.logLevel } : {}),
    // The world's ring buffer bounds what logTail can return: keep as many lines as were asked for.
    ...(options.logTailLines !== undefined && options.logTailLines > 2000 ? { logLines: options.logTailLines } : {}) });
  const raft = new RaftChecker(sim);
  const image = (): MetadataImage | undefined => sim.up()[0]?.brook?.metadata.image;
  const parts = new PartitionChecker(sim.world, (topic) => image()?.topics[topic]?.topicId);
  const workload = new Workload(sim.world, new SeededRandom(options.seed).fork('workload'), SIM_TOPIC);
  const nodeIds = [...sim.nodes.keys()];
  const kinds = options.faults ?? ['crash', 'powerLoss', 'isolate', 'partition', 'pause', 'slowDisk', 'roles', 'diskError'];
  const randomPlan = generatePlan(new SeededRandom(options.seed).fork('faults'), {
    nodeIds, durationMs: durationMs - 1000, meanGapMs: 1200, downMax: 1,
    kinds: faultKinds(kinds.filter((k): k is FaultPlanOptions['kinds'][number] => k !== 'roles' && k !== 'diskError'), config),
  });
  // Faults aimed at the controller leader and the busiest partition leader (graceful shutdowns,
  // crashes, pauses) join the plan in about half the runs by default, from their own fork; always
  // when asked for by name.
  const roles = new SeededRandom(options.seed).fork('role-faults');
  const withRoles = options.faults === undefined ? roles.chance(0.5) : kinds.includes('roles');
  const withRolePlan = withRoles ? mergePlans(randomPlan, generateRolePlan(roles, durationMs - 1000, 1500)) : randomPlan;
  // Placement steps (moves, a decommission, a balance plan, a throttle) and the faults aimed at them, from their own fork.
  const placement = drawPlacementPlan(new SeededRandom(options.seed).fork('placement'),
    { topic: SIM_TOPIC, nodeIds, partitions: config.partitions, replicationFactor: config.replicationFactor }, durationMs);
  const withPlacement = mergePlans(withRolePlan, placement.faults);
  // Failed writes on a partition leader's disk, in about a third of the runs by default, from their own fork.
  const disk = new SeededRandom(options.seed).fork('disk-faults');
  const withDisk = options.faults === undefined ? disk.chance(0.35) : kinds.includes('diskError');
  const plan = options.plan ?? (withDisk ? mergePlans(withPlacement, generateDiskErrorPlan(disk, durationMs - 1000, 2000)) : withPlacement);
  sim.start();
  const rpc = new Rpc(sim.world.network.endpoint('admin'), schedulerClock(sim), clientAddress('admin'), { timeoutMsDefault: 500 });
  let created = false;
  const create = (): void => {
    if (created) return;
    rpc.call(CONTROLLER_FOR_ADMIN, 'createTopic', { name: SIM_TOPIC, partitions: config.partitions, replicationFactor: config.replicationFactor,
      configs: { 'min.insync.replicas': String(config.minInsyncReplicas) } }, {}, (result) => {
      const code = result.ok ? (result.envelope.body as { code?: string }).code : undefined;
      if (code === 'OK' || code === 'TOPIC_ALREADY_EXISTS') created = true; else sim.world.scheduler.at(200, create);
    });
  };
  sim.world.scheduler.at(300, create);
  sim.world.runUntil(5_000, () => created);
  config.producers.forEach((spec, i) => workload.addProducer(i, spec));
  workload.addConsumer(0, config.partitions);
  const groupChecker = new GroupChecker((line) => sim.world.fail(line));
  sim.world.onReport((_node, _address, kind, data) => { if (kind.startsWith('group')) groupChecker.onReport(kind, data); });
  const group = config.group ? new GroupWorkload(sim.world, new SeededRandom(options.seed).fork('group-workload'), workload.recorder, groupChecker, SIM_TOPIC, config.group) : undefined;
  const members = group?.addMembers() ?? [];
  workload.startClients();
  sim.world.within(() => { for (const m of members) m.start(); });
  const start = sim.world.scheduler.nowMs;
  sim.schedule(plan.map((op) => ({ ...op, atMs: op.atMs + start })));
  schedulePlacementSteps(sim, rpc, SIM_TOPIC, placement.steps, start);
  for (let t = start + 250; t <= start + durationMs; t += 250) {
    sim.world.run(t);
    if (sim.world.failures.length > 0) break;
    raft.sweep();
    parts.sweep();
  }
  workload.stopped = true;
  group?.heal();
  sim.healAll();
  const throttle = placement.steps.find((step) => step.kind === 'throttle');
  const livenessMs = (options.livenessMs ?? 15_000) + (throttle?.kind === 'throttle' ? throttledCopyMs(sim, config.partitions, throttle.bytesPerSec) : 0);
  const liveness = finalRead(sim, workload, config, raft.commitIndexMax, livenessMs);
  if (group) {
    sometimes('group-run');
    sometimes('group-member-crashed', group.churns > 0);
    sometimes('group-commit-acked', groupChecker.commitsAcked > 0);
    sometimes('group-partition-moved', groupChecker.ownershipChanges > config.partitions);
  }
  if (group && liveness.ok) {
    // The group must settle with every partition assigned; then its commits and deliveries are judged.
    const read = readGroupFinal(sim.world, rpc, group.spec.groupId, config.partitions, sim.world.scheduler.nowMs + (options.livenessMs ?? 15_000),
      () => groupChecker.finalReadSent());
    if (read.final) groupChecker.checkFinal(group.spec.groupId, read.final, liveness.finalReads, Array.from({ length: config.partitions }, (_, partition) => ({ topic: SIM_TOPIC, partition })));
    else sim.world.fail(`group-unsettled: ${read.reason}`);
  }
  parts.sweep();
  const anomalies = checkHistory(workload.recorder.history(), liveness.finalReads, { logStartOffsets: new Map() });
  for (const a of anomalies) sometimes(`anomaly-${a.name}`);
  // lost-write and unseen are judged by the final reads, which a run that never converged did not
  // make: it fails on liveness instead of on a list of every acknowledged write.
  const bad = historyViolations(anomalies).filter((a) => liveness.ok || !NEEDS_FINAL_READS.has(a.name));
  const violations = [...sim.world.failures, ...bad.map((a) => `${a.name}: ${a.topic}/${a.partition} ${a.detail}`)];
  return {
    seed: options.seed, config, plan, violations, anomalies, converged: liveness.ok, livenessReason: liveness.reason,
    group: group ? { members: group.spec.members, churns: group.churns, delivered: group.polled, commitsAcked: groupChecker.commitsAcked, ownershipChanges: groupChecker.ownershipChanges } : undefined,
    digest: sim.world.digest(), acked: workload.acked, sendsInvoked: workload.sendsInvoked, finalRecords: liveness.records,
    simulatedMs: sim.world.scheduler.nowMs, steps: sim.world.scheduler.steps, faultsApplied: sim.faultsApplied,
    logTail: sim.world.logs.lines.slice(-(options.logTailLines ?? 40)).map((l) => JSON.stringify(l)),
    checkpoints: [...sim.world.trace.checkpoints],
  };
}

const NEEDS_FINAL_READS = new Set(['lost-write', 'unseen']);

interface FinalRead { ok: boolean; reason: string; finalReads: Map<string, Array<{ offset: number; value: string }>>; records: number }

/** Liveness: metadata converges, every partition has a leader, and a fresh consumer reads up to each leader's HW. */
function finalRead(sim: ClusterSim, workload: Workload, config: StreamConfig, commitIndexMin: number, livenessMs: number): FinalRead {
  const finalReads = new Map<string, Array<{ offset: number; value: string }>>();
  const deadline = sim.world.scheduler.nowMs + livenessMs;
  let reason = 'metadata did not converge';
  const settled = sim.world.runUntil(deadline, () => {
    // Sends still retrying after the workload stopped may yet be acknowledged: read back only once they settled.
    if (workload.recorder.inFlight > 0) { reason = `${workload.recorder.inFlight} operations still in flight`; return false; }
    const c = metadataConverged(sim, commitIndexMin);
    if (!c.ok) { reason = c.reason; return false; }
    const hws = leaderHws(sim, config.partitions);
    if (hws === undefined) { reason = 'a partition has no caught-up leader'; return false; }
    const moving = placementPending(sim.up()[0]?.brook?.metadata.image);
    if (moving !== undefined) { reason = moving; return false; }
    return true;
  });
  if (!settled) return { ok: false, reason, finalReads, records: 0 };
  const targets = leaderHws(sim, config.partitions) as number[];
  let records = 0;
  const reader = workload.addConsumer(99, config.partitions, (polled) => {
    for (const r of polled) {
      const key = `${r.topic}/${r.partition}`;
      const list = finalReads.get(key) ?? [];
      list.push({ offset: r.offset, value: r.value });
      finalReads.set(key, list);
      records++;
    }
  });
  sim.world.within(() => reader.start());
  const done = sim.world.runUntil(deadline + livenessMs, () => targets.every((hw, p) => {
    const list = finalReads.get(`${SIM_TOPIC}/${p}`);
    return hw === 0 || (list !== undefined && (list[list.length - 1]?.offset ?? -1) >= hw - 1);
  }));
  return { ok: done, reason: done ? 'converged' : `final read stopped short of ${targets.join(',')}`, finalReads, records };
}

/**
 * How long a node copying every partition's log under the move throttle may take (1.5 times the log
 * bytes over the rate): a throttled reassignment still in progress within that time is the throttle
 * at work, not a stuck move. The logs are measured at the longest replica of each partition.
 */
function throttledCopyMs(sim: ClusterSim, partitions: number, bytesPerSec: number): number {
  let bytes = 0;
  for (let p = 0; p < partitions; p++) {
    let longest = 0;
    for (const node of sim.up()) {
      const context = node.brook?.host.snapshot(replicaAddress(SIM_TOPIC, p, node.id))?.context as { index?: { bytes: number } } | undefined;
      longest = Math.max(longest, context?.index?.bytes ?? 0);
    }
    bytes += longest;
  }
  return Math.ceil((1.5 * bytes * 1000) / bytesPerSec);
}

/** Each partition's HW at its leader, once every partition's leader is up and leading; else undefined. */
function leaderHws(sim: ClusterSim, partitions: number): number[] | undefined {
  const image = sim.up()[0]?.brook?.metadata.image;
  const topic = image?.topics[SIM_TOPIC];
  if (!topic) return undefined;
  const hws: number[] = [];
  for (let p = 0; p < partitions; p++) {
    const state = topic.partitions[p];
    if (!state || state.leader < 0) return undefined;
    const snapshot = sim.nodes.get(state.leader)?.brook?.host.snapshot(replicaAddress(SIM_TOPIC, p, state.leader));
    const context = snapshot?.context as { hw?: number; leo?: number } | undefined;
    if (snapshot?.value !== 'leader' || context?.hw === undefined || context.hw !== context.leo) return undefined;
    hws.push(context.hw);
  }
  return hws;
}

export function streamReplayHint(result: StreamRunResult): string {
  return `replay: npx brook sim --seed ${result.seed}   test: SEED=${result.seed} npx ava test/simulation/stream.test.ts   plan: ${describePlan(result.plan)}`;
}
