/**
 * Fault plans: the nemesis of a simulation run, generated up front from the seed as plain data so
 * that a failing run can be replayed from (seed, plan) and shrunk by dropping steps. Every step is
 * undone by the liveness phase (ClusterSim.healAll), so a plan only has to say what goes wrong.
 */
import type { Random } from '../random.js';

export type FaultKind = 'crash' | 'powerLoss' | 'wipe' | 'restart' | 'isolate' | 'partition' | 'heal' | 'pause' | 'resume' | 'slowDisk' | 'fastDisk' | 'clockSkew'
  | 'shutdown' | 'diskError';

/**
 * Who a role-targeted fault hits, resolved when it is applied (the same every replay): the
 * controller leader of the highest term, the node leading the most partitions, or the first node
 * with a replica that a reassignment is adding and that is still catching up.
 */
export type FaultRole = 'controllerLeader' | 'partitionLeader' | 'addingReplica';

/**
 * `role`: the step targets whoever holds that role then; its undo (same `pair`) hits the same node.
 * `partition`: with role 'partitionLeader', the leader of that partition rather than the busiest.
 */
export interface FaultOp { atMs: number; op: FaultKind; nodes: number[]; role?: FaultRole; pair?: number; partition?: { topic: string; partition: number } }

export interface FaultPlanOptions {
  nodeIds: number[];
  durationMs: number;
  /** Mean time between fault steps. */
  meanGapMs: number;
  /** Which kinds may appear; restart/heal/resume/fastDisk follow their faults automatically. */
  kinds: Array<'crash' | 'powerLoss' | 'wipe' | 'isolate' | 'partition' | 'pause' | 'slowDisk' | 'clockSkew'>;
  /** At most this many nodes down or cut off at once (a majority must be able to survive). */
  downMax: number;
}

/** Draws a plan: each fault is followed by its undo after a drawn delay, never overlapping more than `downMax` nodes. */
export function generatePlan(random: Random, options: FaultPlanOptions): FaultOp[] {
  const plan: FaultOp[] = [];
  if (options.kinds.length === 0) return plan;
  let t = random.int(200, options.meanGapMs * 2);
  while (t < options.durationMs) {
    const kind = random.pick(options.kinds);
    const count = kind === 'partition' ? random.int(1, Math.max(1, options.downMax)) : 1;
    const nodes = shuffle(random, options.nodeIds).slice(0, Math.min(count, options.downMax)).sort((a, b) => a - b);
    const lengthMs = random.int(100, Math.max(200, options.meanGapMs * 2));
    const undoAt = Math.min(options.durationMs, t + lengthMs);
    plan.push({ atMs: t, op: kind, nodes });
    const undo = UNDO[kind];
    plan.push({ atMs: undoAt, op: undo, nodes });
    t = undoAt + random.int(50, options.meanGapMs);
  }
  return plan;
}

/**
 * Faults aimed at roles, drawn from their own fork so that the random-node plan of a seed stays
 * what it was: a graceful shutdown (SIGTERM: leadership moved away first, then the process ends),
 * a crash, or a pause (a zombie that wakes up believing it leads) of the controller leader or of
 * a busy partition leader — the controller leader usually leads partitions too.
 */
export function generateRolePlan(random: Random, durationMs: number, meanGapMs: number): FaultOp[] {
  const plan: FaultOp[] = [];
  let t = random.int(500, meanGapMs * 3);
  let pair = 1;
  while (t < durationMs) {
    const op = random.pick(['shutdown', 'crash', 'pause'] as const);
    const role = random.pick(['controllerLeader', 'partitionLeader'] as const);
    const undoAt = Math.min(durationMs, t + random.int(200, Math.max(300, meanGapMs * 2)));
    plan.push({ atMs: t, op, nodes: [], role, pair });
    plan.push({ atMs: undoAt, op: op === 'pause' ? 'resume' : 'restart', nodes: [], role, pair });
    pair++;
    t = undoAt + random.int(meanGapMs, meanGapMs * 3);
  }
  return plan;
}

/**
 * Failed writes, drawn from their own fork: each step makes the next append to one partition log
 * led by the busiest partition leader fail with an I/O error (a write error on the leader's disk,
 * which must cost it its leadership of that log's state, never an acknowledged write). One-shot:
 * the disk works again for the next write, so there is nothing to undo.
 */
export function generateDiskErrorPlan(random: Random, durationMs: number, meanGapMs: number): FaultOp[] {
  const plan: FaultOp[] = [];
  for (let t = random.int(300, meanGapMs * 2); t < durationMs; t += random.int(meanGapMs / 2, meanGapMs * 2)) {
    plan.push({ atMs: t, op: 'diskError', nodes: [], role: 'partitionLeader' });
  }
  return plan;
}

/** Two plans as one, in time order (a stable merge: equal times keep the first plan's step first). */
export function mergePlans(a: readonly FaultOp[], b: readonly FaultOp[]): FaultOp[] {
  return [...a, ...b].map((op, i) => ({ op, i })).sort((x, y) => x.op.atMs - y.op.atMs || x.i - y.i).map((x) => x.op);
}

const UNDO = {
  crash: 'restart', powerLoss: 'restart', wipe: 'restart', isolate: 'heal', partition: 'heal',
  pause: 'resume', slowDisk: 'fastDisk', clockSkew: 'heal',
} as const satisfies Record<FaultPlanOptions['kinds'][number], FaultKind>;

function shuffle<T>(random: Random, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

export function describePlan(plan: readonly FaultOp[]): string {
  const of = (op: FaultOp): string => (op.partition === undefined ? '' : `(${op.partition.topic}/${op.partition.partition})`);
  return plan.map((op) => `${op.op} ${op.role !== undefined ? `${op.role}${of(op)}#${op.pair ?? 0}` : `n${op.nodes.join(',n')}`} @${op.atMs}`).join('; ');
}
