/**
 * The chaos report: what the nemesis did, how acknowledgements flowed through it, what the clients
 * were told, which processes died on their own, controller elections no fault explains, and the
 * history checker's anomalies. `formatReport` prints it as tables; the object is the `--json` form.
 */
import fs from 'node:fs';
import type { Anomaly } from '../../runtime/sim/checks/history.js';
import type { Exit } from '../helpers/process-group.js';
import type { Fault, FaultKind } from './nemesis.js';
import type { FailedSend, SendOutcome } from './workload.js';

export interface LeaderChange { atMs: number; nodeId: number; term: number }
export interface StepDown extends LeaderChange { reason: string }

export interface ChaosReport {
  seed: number;
  durationMs: number;
  faults: Fault[];
  faultCounts: Record<string, number>;
  acksPerSecond: number[];
  /** Per fault kind: the longest time one partition went without an ack around each fault. */
  gapsByKind: Record<string, { faults: number; p50Ms: number; maxMs: number }>;
  sends: { invoked: number; ok: number; fail: number; info: number };
  failCodes: Record<string, number>;
  infoCodes: Record<string, number>;
  skippedTicks: number;
  polled: number;
  finalRecords: number;
  /** The final reads covered every partition up to its high watermark. */
  converged: boolean;
  /** Every node unfenced and every ISR full within a minute of the final heal. */
  settledAfterHeal: boolean;
  /** When it did not settle: what was still wrong a minute after the heal. */
  unsettled: string[];
  deaths: Exit[];
  leaderChanges: LeaderChange[];
  unexplainedLeaderChanges: LeaderChange[];
  /** Controller leaders that stepped down, and those with no fault near them (an overloaded host, a timer bug). */
  stepDowns: StepDown[];
  unexplainedStepDowns: StepDown[];
  /** Node log lines not stamped in epoch ms (should be none). */
  logLinesOffTimeBase: number;
  /** Definite and indeterminate send failures with the partition the SDK's error named (the first 50). */
  failedSends: FailedSend[];
  anomalies: Anomaly[];
  violations: Anomaly[];
  anomalyCounts: Record<string, number>;
}

export function acksPerSecond(outcomes: readonly SendOutcome[], durationMs: number): number[] {
  const buckets = new Array<number>(Math.max(1, Math.ceil(durationMs / 1000))).fill(0);
  for (const o of outcomes) {
    if (!o.ok) continue;
    const b = Math.floor(o.atMs / 1000);
    if (b >= 0 && b < buckets.length) buckets[b] = (buckets[b] ?? 0) + 1;
  }
  return buckets;
}

/**
 * For a fault window (fault.atMs, next fault's atMs]: per partition, the longest interval between
 * two consecutive acks whose closing ack falls in the window; the largest over partitions. A stall
 * belongs to the fault it ends after: it starts just before that fault (the last ack before it)
 * and may outlast the fault's heal, but it does not reach into the next fault.
 */
export function gapAround(acksByPartition: ReadonlyMap<number, number[]>, startMs: number, endMs: number): number {
  let gap = 0;
  for (const times of acksByPartition.values()) {
    for (let i = 1; i < times.length; i++) {
      const a = times[i - 1] as number;
      const b = times[i] as number;
      if (b > startMs && b <= endMs) gap = Math.max(gap, b - a);
    }
  }
  return gap;
}

export function gapsByKind(outcomes: readonly SendOutcome[], faults: readonly Fault[], endMs: number): ChaosReport['gapsByKind'] {
  const acks = new Map<number, number[]>();
  for (const o of outcomes) {
    if (!o.ok) continue;
    const list = acks.get(o.partition) ?? [];
    list.push(o.atMs);
    acks.set(o.partition, list);
  }
  for (const list of acks.values()) list.sort((a, b) => a - b);
  const gaps = new Map<FaultKind, number[]>();
  faults.forEach((f, i) => {
    const end = faults[i + 1]?.atMs ?? endMs;
    const list = gaps.get(f.kind) ?? [];
    list.push(gapAround(acks, f.atMs, end));
    gaps.set(f.kind, list);
  });
  const out: ChaosReport['gapsByKind'] = {};
  for (const [kind, list] of gaps) {
    const sorted = [...list].sort((a, b) => a - b);
    out[kind] = { faults: sorted.length, p50Ms: Math.round(sorted[Math.floor((sorted.length - 1) / 2)] ?? 0), maxMs: Math.round(sorted[sorted.length - 1] ?? 0) };
  }
  return out;
}

/** What the report reads from the nodes' log files. */
export interface NodeLogFacts {
  leaderChanges: LeaderChange[];
  /** `raftStepDown` lines: a leader giving up leadership (check-quorum, a higher term, storage). */
  stepDowns: StepDown[];
  /** Lines whose `t` is not epoch ms: every line of a node must share that one time base. */
  offTimeBase: number;
}

/**
 * Reads the nodes' logs (every line stamped in epoch ms): controller leader changes from
 * `raftLeader` lines (a change is a leader for a term higher than any seen before) and step-downs
 * from `raftStepDown` lines. Times returned are ms since the run started.
 */
export function readNodeLogs(paths: readonly string[], runStartEpochMs: number): NodeLogFacts {
  const seen: LeaderChange[] = [];
  const stepDowns: StepDown[] = [];
  let offTimeBase = 0;
  for (const file of paths) {
    let text = '';
    try { text = fs.readFileSync(file, 'utf8'); } catch { continue; }
    for (const line of text.split('\n')) {
      if (!line.startsWith('{')) continue;
      let parsed: { t?: unknown; event?: string; nodeId?: number; term?: number; reason?: string };
      try { parsed = JSON.parse(line) as typeof parsed; } catch { continue; } // a line cut short by kill -9
      if (typeof parsed.t !== 'number' || parsed.t < EPOCH_MS_MIN) { offTimeBase++; continue; }
      const atMs = Math.round(parsed.t - runStartEpochMs);
      if (parsed.event === 'raftLeader' && typeof parsed.term === 'number') seen.push({ atMs, nodeId: parsed.nodeId ?? -1, term: parsed.term });
      if (parsed.event === 'raftStepDown') stepDowns.push({ atMs, nodeId: parsed.nodeId ?? -1, term: parsed.term ?? -1, reason: parsed.reason ?? '' });
    }
  }
  seen.sort((a, b) => a.term - b.term || a.atMs - b.atMs);
  const leaderChanges: LeaderChange[] = [];
  for (const s of seen) if (leaderChanges.length === 0 || s.term > (leaderChanges[leaderChanges.length - 1] as LeaderChange).term) leaderChanges.push(s);
  stepDowns.sort((a, b) => a.atMs - b.atMs);
  return { leaderChanges, stepDowns, offTimeBase };
}

/** Below this a log stamp is not epoch ms (2001 on): a second time base crept in. */
const EPOCH_MS_MIN = 1e12;

/**
 * Changes after the first fault with no fault applied or healed in the `windowMs` before them:
 * elections that the nemesis does not explain (a stalled heartbeat, a timer bug, an overloaded host).
 */
export function unexplained<T extends LeaderChange>(changes: readonly T[], faults: readonly Fault[], windowMs: number): T[] {
  const first = faults[0]?.atMs;
  if (first === undefined) return [];
  return changes.filter((c) => c.atMs > first && !faults.some((f) =>
    (c.atMs >= f.atMs && c.atMs <= f.atMs + windowMs) || (f.healedAtMs >= 0 && c.atMs >= f.healedAtMs && c.atMs <= f.healedAtMs + windowMs)
    || (c.atMs >= f.atMs && c.atMs <= f.healedAtMs)));
}

export function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) out[key(item)] = (out[key(item)] ?? 0) + 1;
  return out;
}

function table(head: string[], rows: Array<Array<string | number>>): string {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const widths = head.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells.map((r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n');
}

const seconds = (ms: number): string => (ms / 1000).toFixed(1);

export function formatReport(r: ChaosReport): string {
  const out: string[] = [];
  out.push(`chaos seed ${r.seed}: ${seconds(r.durationMs)} s, ${r.faults.length} faults, ${r.sends.ok} acks`);
  out.push('', 'faults');
  out.push(table(['t (s)', 'kind', 'target', 'healed (s)', 'settled (s)', 'note'],
    r.faults.map((f) => [seconds(f.atMs), f.kind, f.target, seconds(f.healedAtMs), f.settledAtMs === undefined ? 'no' : seconds(f.settledAtMs), f.note ?? ''])));
  out.push('', 'longest ack gap of a partition around each fault');
  out.push(table(['kind', 'faults', 'p50 (ms)', 'max (ms)'], Object.entries(r.gapsByKind).map(([k, g]) => [k, g.faults, g.p50Ms, g.maxMs])));
  out.push('', `acks per second (1 s buckets): ${r.acksPerSecond.join(' ')}`);
  out.push('', table(['sends', 'count'], [['invoked', r.sends.invoked], ['ok', r.sends.ok], ['fail (definite)', r.sends.fail], ['info (indeterminate)', r.sends.info],
    ['ticks skipped (too many in flight)', r.skippedTicks], ['records polled live', r.polled], ['records in final reads', r.finalRecords]]));
  if (Object.keys(r.failCodes).length > 0) out.push(`fail codes: ${JSON.stringify(r.failCodes)}`);
  if (Object.keys(r.infoCodes).length > 0) out.push(`info codes: ${JSON.stringify(r.infoCodes)}`);
  out.push(`final reads ${r.converged ? 'complete' : 'NOT complete (the cluster did not converge)'}; after the final heal the cluster ${r.settledAfterHeal ? 'settled' : 'did NOT settle (a node fenced or an ISR short)'}`);
  for (const line of r.unsettled) out.push(`  ${line}`);
  out.push(`processes that died on their own: ${r.deaths.length === 0 ? 'none' : r.deaths.map((d) => `${d.name} at ${seconds(d.atMs)} s (code ${d.code}, signal ${d.signal})`).join('; ')}`);
  out.push(`controller leader changes: ${r.leaderChanges.length}; without a fault near them: ${r.unexplainedLeaderChanges.length === 0 ? 'none'
    : r.unexplainedLeaderChanges.map((c) => `node ${c.nodeId} term ${c.term} at ${seconds(c.atMs)} s`).join('; ')}`);
  out.push(`controller step-downs: ${r.stepDowns.length}; without a fault near them: ${r.unexplainedStepDowns.length === 0 ? 'none'
    : r.unexplainedStepDowns.map((c) => `node ${c.nodeId} term ${c.term} at ${seconds(c.atMs)} s (${c.reason})`).join('; ')}`);
  out.push(`node log lines not stamped in epoch ms: ${r.logLinesOffTimeBase}`);
  for (const f of r.failedSends.slice(0, 10)) out.push(`  failed send at ${seconds(f.atMs)} s (${f.definite ? 'definite' : 'indeterminate'}) ${f.topic ?? '?'}-${f.partition ?? '?'} ${f.code}: ${f.message}`);
  out.push(`anomalies: ${r.anomalies.length === 0 ? 'none' : JSON.stringify(r.anomalyCounts)}; violations: ${r.violations.length}`);
  for (const a of r.violations.slice(0, 20)) out.push(`  ${a.name} ${a.topic}/${a.partition}: ${a.detail}`);
  if (r.violations.length > 20) out.push(`  … ${r.violations.length - 20} more`);
  return out.join('\n');
}
