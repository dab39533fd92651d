// The group bench's figures as markdown tables (printed, and appended to bench/RESULTS.md with --record).
import { formatMachine, type MachineInfo } from '../lib/machine.js';
import { summarizeLatency } from '../lib/stats.js';
import { markdownTable } from '../lib/table.js';
import type { AssignFigures } from './assign.js';
import type { CoordinatorRound, InProcessJoinRound, JoinRound, KillMemberRound } from './rounds.js';
import type { ConsumeVariant } from './throughput.js';

export interface GroupFigures {
  startedAt: string; machine: MachineInfo; command: string; loadAverage1mAtEnd: number;
  join?: JoinRound[]; joinInProcess?: InProcessJoinRound[]; killMember?: KillMemberRound[]; coordinator?: CoordinatorRound[]; assign?: AssignFigures[]; consume?: ConsumeVariant[];
  errors: Record<string, string>;
}

function row(name: string, values: number[]): Array<string | number> {
  const s = summarizeLatency(Float64Array.from(values), values.length);
  return [name, values.length, s.p50Ms, s.p99Ms, s.maxMs];
}

export function groupReport(f: GroupFigures): string {
  const out: string[] = [`## Consumer groups (\`bench/groups.ts\`)`, '', `- Command: \`${f.command}\``, `- Date: ${f.startedAt}; load average at end ${f.loadAverage1mAtEnd}`,
    `- Machine: ${formatMachine(f.machine)}`,
    '- Setup: nats-server + 3 `brook node join` processes on loopback, a 12-partition RF 3 topic (min ISR 2), an acks=all producer writing 480 records/s throughout; members are `brook consume --group` processes.', ''];
  const latency: Array<Array<string | number>> = [];
  if (f.join?.length) {
    latency.push(row('a. member joins: spawn → first record', f.join.map((r) => r.spawnToFirstRecordMs)));
    latency.push(row('a. … of which spawn → assignment notice', f.join.map((r) => r.spawnToAssignedMs)));
    latency.push(row('a. … of which assignment → first record', f.join.map((r) => r.assignedToFirstRecordMs)));
  }
  if (f.joinInProcess?.length) {
    latency.push(row('a. member joins in a running process: subscribe → first record', f.joinInProcess.map((r) => r.subscribeToFirstRecordMs)));
    latency.push(row('a. … of which subscribe → assignment', f.joinInProcess.map((r) => r.subscribeToAssignedMs)));
  }
  if (f.killMember?.length) {
    latency.push(row('b. kill -9 member → first of its partitions read by another', f.killMember.map((r) => r.firstMovedMs)));
    latency.push(row('b. kill -9 member → all of its partitions read by others', f.killMember.map((r) => r.allMovedMs)));
  }
  if (f.coordinator?.length) {
    latency.push(row('c. kill -9 coordinator node → a commit accepted (admin read)', f.coordinator.map((r) => r.commitsAcceptedMs)));
    latency.push(row('c. … of which kill → the new coordinator\'s first answer', f.coordinator.map((r) => r.firstReadMs)));
  }
  if (latency.length > 0) out.push(markdownTable(['what', 'rounds', 'p50 ms', 'p99 ms', 'max ms'], latency), '');
  if (f.assign?.length) {
    const rows = f.assign.flatMap((a) => Object.entries(a.cases).map(([name, s]) => [`${a.assignor}`, `${a.members} × ${a.partitions}`, name, s.count, s.p50Ms, s.maxMs]));
    out.push('d. assignor, in-process (pure function):', '', markdownTable(['assignor', 'members × partitions', 'case', 'runs', 'p50 ms', 'max ms'], rows), '');
  }
  if (f.consume?.length) {
    out.push('e. one member process consuming a pre-filled topic (100 B values to stdout; first record → last):', '',
      markdownTable(['auto-commit', 'records', 'seconds', 'records/s', 'spawn → first record ms'], f.consume.map((c) => [c.autoCommit, c.records, c.seconds, c.recordsPerSec, c.joinMs])), '');
  }
  for (const [k, v] of Object.entries(f.errors)) out.push(`- ${k} FAILED: ${v}`);
  return out.join('\n') + '\n';
}
