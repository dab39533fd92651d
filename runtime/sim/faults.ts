/**
 * Fault plans: the nemesis of a simulation run, generated up front from the seed as plain data so
 * that a failing run can be replayed from (seed, plan) and shrunk by dropping steps. Every step is
 * undone by the liveness phase (ClusterSim.healAll), so a plan only has to say what goes wrong.
 */
import type { Random } from '../random.js';

export type FaultKind = 'crash' | 'powerLoss' | 'wipe' | 'restart' | 'isolate' | 'partition' | 'heal' | 'pause' | 'resume' | 'slowDisk' | 'fastDisk' | 'clockSkew';

export interface FaultOp { atMs: number; op: FaultKind; nodes: number[] }

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
  return plan.map((op) => `${op.op} n${op.nodes.join(',n')} @${op.atMs}`).join('; ');
}
