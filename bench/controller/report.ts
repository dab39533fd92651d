/**
 * Tables for the controller bench, and the RESULTS.md section built from them. The section is
 * appended to the file, never rewritten over other sections.
 */
import fs from 'node:fs';
import { summarizeLatency } from '../lib/stats.js';
import { formatNumber, markdownTable } from '../lib/table.js';
import type { RoundResult } from './failover.js';
import type { CreatePhase } from './topics.js';

export const SECTION_TITLE = 'Controller: failover and topic creation (3 node processes over NATS)';

const ms = (value: number): string => formatNumber(value, 1);

export function createTable(phases: readonly CreatePhase[]): string {
  return markdownTable(
    ['createTopic workload', 'Topics', 'Phase s', 'Creates/s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms'],
    phases.map((p) => [p.label, p.topics, p.subset ? '' : formatNumber(p.seconds, 2), p.subset ? '' : formatNumber(p.createsPerSec, 1), ms(p.latency.p50Ms), ms(p.latency.p90Ms), ms(p.latency.p99Ms), ms(p.latency.maxMs)]),
  );
}

export function roundsTable(rounds: readonly RoundResult[]): string {
  return markdownTable(
    ['Round', 'Killed', 'Term before→after', 'New leader', 'T1−T0 leader known (ms)', 'T2−T0 write committed (ms)', 'Rejoin (ms)'],
    rounds.map((r) => [r.round, r.killed, `${r.termBefore}→${r.termAfter}`, r.newLeader, ms(r.leaderKnownMs), ms(r.writeCommittedMs), Math.round(r.rejoinMs)]),
  );
}

export function failoverSummaryTable(rounds: readonly RoundResult[]): string {
  const summary = (pick: (r: RoundResult) => number) => {
    const samples = Float64Array.from(rounds.map(pick));
    return summarizeLatency(samples, samples.length);
  };
  const rows = [['T1−T0: new leader known', summary((r) => r.leaderKnownMs)], ['T2−T0: new leader commits a createTopic', summary((r) => r.writeCommittedMs)]] as const;
  return markdownTable(
    ['Failover (kill -9 of the leader)', 'Rounds', 'min ms', 'p50 ms', 'p99 ms', 'max ms', 'mean ms'],
    rows.map(([label, s]) => {
      const min = Math.min(...rounds.map(label.startsWith('T1') ? (r) => r.leaderKnownMs : (r) => r.writeCommittedMs));
      return [label, s.count, ms(min), ms(s.p50Ms), ms(s.p99Ms), ms(s.maxMs), ms(s.meanMs)];
    }),
  );
}

export interface SectionInput {
  command: string;
  date: string;
  machine: string;
  setup: string;
  tables: string[];
  interpretation: string;
}

export function section(input: SectionInput): string {
  return [`## ${SECTION_TITLE}`, '', `- Command: \`${input.command}\``, `- Date: ${input.date}`, `- Machine: ${input.machine}`,
    `- Setup: ${input.setup}`, '', ...input.tables.flatMap((t) => [t, '']), input.interpretation, ''].join('\n');
}

export function appendSection(path: string, text: string): void {
  const existing = fs.existsSync(path) ? fs.readFileSync(path, 'utf8') : '';
  const separator = existing === '' || existing.endsWith('\n\n') ? '' : existing.endsWith('\n') ? '\n' : '\n\n';
  fs.appendFileSync(path, `${separator}${text}`);
}
