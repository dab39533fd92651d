// Goal: the plan shrinker reduces a long failing fault plan to the steps that matter, never
// orphans an undo step, stays within its run budget and is deterministic. Method: a property that
// fails iff the plan holds `crash n2` followed later by `powerLoss n1`, hidden in a 40-step plan.
import test from 'ava';
import type { FaultKind, FaultOp } from '../../runtime/sim/faults.js';
import { planUnits, shrinkConfig, shrinkPlan } from '../../runtime/sim/shrink.js';

const FAULTS: Array<[FaultKind, FaultKind]> = [
  ['isolate', 'heal'], ['crash', 'restart'], ['pause', 'resume'], ['slowDisk', 'fastDisk'], ['powerLoss', 'restart'],
  ['partition', 'heal'], ['wipe', 'restart'], ['clockSkew', 'heal'],
];

/** 20 fault/undo pairs, 40 steps; crash n2 is pair 5 and powerLoss n1 is pair 14. */
function longPlan(): FaultOp[] {
  const plan: FaultOp[] = [];
  for (let i = 0; i < 20; i++) {
    let [fault, undo] = FAULTS[i % FAULTS.length] as [FaultKind, FaultKind];
    let nodes = [(i % 3) + 1];
    if (i === 5) { fault = 'crash'; undo = 'restart'; nodes = [2]; }
    if (i === 14) { fault = 'powerLoss'; undo = 'restart'; nodes = [1]; }
    if (fault === 'crash' && nodes[0] === 2 && i !== 5) nodes = [3]; // only one crash n2 in the plan
    if (fault === 'powerLoss' && nodes[0] === 1 && i !== 14) nodes = [2]; // only one powerLoss n1
    plan.push({ atMs: 1000 + i * 500, op: fault, nodes }, { atMs: 1000 + i * 500 + 300, op: undo, nodes });
  }
  return plan;
}

function failsWhenCrashThenPowerLoss(plan: FaultOp[]): boolean {
  const crash = plan.findIndex((op) => op.op === 'crash' && op.nodes.length === 1 && op.nodes[0] === 2);
  return crash >= 0 && plan.some((op, i) => i > crash && op.op === 'powerLoss' && op.nodes.length === 1 && op.nodes[0] === 1);
}

/** Every undo left in a plan has its fault earlier in the plan. */
function noOrphanUndos(plan: FaultOp[]): boolean {
  return planUnits(plan).every((unit) => unit.length === 2 || !['restart', 'resume', 'fastDisk'].includes((plan[unit[0] as number] as FaultOp).op));
}

test('a 40-step plan shrinks to crash n2 then powerLoss n1, moved to time 0, within budget', (t) => {
  const plan = longPlan();
  t.is(plan.length, 40);
  t.true(failsWhenCrashThenPowerLoss(plan));
  const calls: FaultOp[][] = [];
  const result = shrinkPlan(plan, (candidate) => { calls.push(candidate); return failsWhenCrashThenPowerLoss(candidate); }, { maxRuns: 150 });
  t.deepEqual(result.plan, [{ atMs: 0, op: 'crash', nodes: [2] }, { atMs: 0, op: 'powerLoss', nodes: [1] }]);
  t.is(result.runs, calls.length);
  t.true(result.runs <= 150, `${result.runs} runs`);
  t.true(calls.every(noOrphanUndos), 'no candidate ever holds an undo without its fault');
});

test('shrinking is deterministic', (t) => {
  const a = shrinkPlan(longPlan(), failsWhenCrashThenPowerLoss);
  const b = shrinkPlan(longPlan(), failsWhenCrashThenPowerLoss);
  t.deepEqual(a, b);
});

test('keeping undos leaves the two pairs; without moving, times stay', (t) => {
  const result = shrinkPlan(longPlan(), failsWhenCrashThenPowerLoss, { dropUndos: false, moveEarlier: false });
  t.deepEqual(result.plan, [
    { atMs: 3500, op: 'crash', nodes: [2] }, { atMs: 3800, op: 'restart', nodes: [2] },
    { atMs: 8000, op: 'powerLoss', nodes: [1] }, { atMs: 8300, op: 'restart', nodes: [1] },
  ]);
});

test('the run budget is a hard bound', (t) => {
  let calls = 0;
  const result = shrinkPlan(longPlan(), (plan) => { calls++; return failsWhenCrashThenPowerLoss(plan); }, { maxRuns: 5 });
  t.is(calls, 5);
  t.is(result.runs, 5);
  t.true(failsWhenCrashThenPowerLoss(result.plan), 'whatever it returns still fails');
});

test('planUnits pairs each fault with its first later undo on the same nodes', (t) => {
  const plan: FaultOp[] = [
    { atMs: 0, op: 'crash', nodes: [1] }, { atMs: 1, op: 'isolate', nodes: [2, 3] }, { atMs: 2, op: 'heal', nodes: [3, 2] },
    { atMs: 3, op: 'restart', nodes: [2] }, { atMs: 4, op: 'restart', nodes: [1] }, { atMs: 5, op: 'pause', nodes: [1] },
  ];
  t.deepEqual(planUnits(plan), [[0, 4], [1, 2], [3], [5]]);
});

test('shrinkConfig takes simplifications greedily while the property fails', (t) => {
  interface Config { nodes: number; partitions: number; faults: string[] }
  const simplify = (c: Config): Config[] => [
    ...(c.nodes > 1 ? [{ ...c, nodes: c.nodes - 1 }] : []),
    ...(c.partitions > 1 ? [{ ...c, partitions: c.partitions - 1 }] : []),
    ...c.faults.map((f) => ({ ...c, faults: c.faults.filter((x) => x !== f) })),
  ];
  const fails = (c: Config): boolean => c.nodes >= 3 && c.faults.includes('crash');
  const result = shrinkConfig({ nodes: 5, partitions: 4, faults: ['pause', 'crash', 'isolate'] }, simplify, fails);
  t.deepEqual(result.config, { nodes: 3, partitions: 1, faults: ['crash'] });
  t.true(result.runs <= 20, `${result.runs} runs`);
});
