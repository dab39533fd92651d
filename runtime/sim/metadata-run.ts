/**
 * A seeded run of the controller quorum and node lifecycle: a cluster drawn from the seed, a fault
 * plan, an admin workload that creates topics through the controller leader, the Raft checker swept every
 * 250 ms of simulated time, then the liveness phase (heal everything; the cluster must converge).
 */
import { SeededRandom } from '../random.js';
import { Rpc } from '../rpc.js';
import { clientAddress, CONTROLLER_FOR_ADMIN } from '../../actors/kit/addresses.js';
import { ClusterSim } from './cluster.js';
import { RaftChecker } from './checks/raft.js';
import { metadataConverged } from './checks/convergence.js';
import { describePlan, generatePlan, type FaultOp, type FaultPlanOptions } from './faults.js';

export interface MetadataRunOptions {
  seed: number;
  durationMs?: number;
  livenessMs?: number;
  plan?: FaultOp[];
  faults?: FaultPlanOptions['kinds'];
}

export interface MetadataRunResult {
  seed: number;
  nodes: number;
  voters: number[];
  plan: FaultOp[];
  violations: string[];
  converged: boolean;
  convergence: string;
  digest: string;
  commitIndexMax: number;
  leadersElected: number;
  topicsCreated: number;
  simulatedMs: number;
  steps: number;
  logTail: string[];
}

export function drawMetadataConfig(seed: number) {
  const random = new SeededRandom(seed).fork('config');
  const nodeCount = random.pick([3, 3, 4, 5]);
  const voterCount = nodeCount >= 5 && random.chance(0.5) ? 5 : 3;
  const voters = Array.from({ length: voterCount }, (_, i) => i + 1);
  const network = {
    lossProbability: random.pick([0, 0, 0.01, 0.05, 0.15]),
    duplicateProbability: random.pick([0, 0, 0.02, 0.1]),
    fifo: random.chance(0.5),
    delayMeanMs: random.pick([2, 3, 10]),
  };
  return { nodeCount, voters, network };
}

export function runMetadataSim(options: MetadataRunOptions): MetadataRunResult {
  const durationMs = options.durationMs ?? 8_000;
  const config = drawMetadataConfig(options.seed);
  const sim = new ClusterSim({ seed: options.seed, nodeCount: config.nodeCount, voters: config.voters, network: config.network });
  const checker = new RaftChecker(sim);
  const nodeIds = [...sim.nodes.keys()];
  const plan = options.plan ?? generatePlan(new SeededRandom(options.seed).fork('faults'), {
    nodeIds, durationMs, meanGapMs: 900, downMax: Math.floor((config.voters.length - 1) / 2),
    kinds: options.faults ?? ['crash', 'powerLoss', 'isolate', 'partition', 'pause', 'slowDisk'],
  });
  sim.start();
  sim.schedule(plan);
  const admin = sim.world.network.endpoint('admin');
  const rpc = new Rpc(admin, { nowMs: () => sim.world.scheduler.nowMs, wallMs: () => sim.world.scheduler.nowMs, setTimeout: (fn, ms) => sim.world.scheduler.at(ms, fn), clearTimeout: (h) => sim.world.scheduler.cancel(h as never) }, clientAddress('admin'), { timeoutMsDefault: 1000 });
  let topicsCreated = 0;
  let next = 0;
  const createTopic = (): void => {
    const name = `t${next++}`;
    rpc.call(CONTROLLER_FOR_ADMIN, 'createTopic', { name, partitions: 1 + (next % 3), replicationFactor: 1, configs: {} }, {}, (result) => {
      if (result.ok && (result.envelope.body as { code?: string }).code === 'OK') topicsCreated++;
    });
  };
  for (let t = 500; t < durationMs; t += 400) sim.world.scheduler.at(t, createTopic);
  for (let t = 250; t <= durationMs; t += 250) {
    sim.world.run(t);
    if (sim.world.failures.length > 0) break;
    checker.sweep();
  }
  sim.healAll();
  let convergence = { ok: false, reason: 'not checked' };
  const livenessEnd = sim.world.scheduler.nowMs + (options.livenessMs ?? 10_000);
  if (sim.world.failures.length === 0) {
    sim.world.runUntil(livenessEnd, () => {
      convergence = metadataConverged(sim, checker.commitIndexMax);
      return convergence.ok;
    });
    checker.sweep();
  }
  return {
    seed: options.seed, nodes: config.nodeCount, voters: config.voters, plan,
    violations: [...sim.world.failures], converged: convergence.ok, convergence: convergence.reason,
    digest: sim.world.digest(), commitIndexMax: checker.commitIndexMax, leadersElected: checker.leadersElected,
    topicsCreated, simulatedMs: sim.world.scheduler.nowMs, steps: sim.world.scheduler.steps,
    logTail: sim.world.logs.lines.slice(-30).map((l) => JSON.stringify(l)),
  };
}

export function replayHint(result: MetadataRunResult): string {
  return `replay: SEED=${result.seed} npx ava test/simulation/controller.test.ts  (plan: ${describePlan(result.plan)})`;
}
