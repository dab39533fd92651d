/**
 * `brook groups list|describe|reset-offsets|delete|delete-offsets`, in the manner of Kafka's
 * `kafka-consumer-groups.sh` and `rpk group`: describe shows per partition the owner, the committed
 * offset, the log end offset and the lag; reset-offsets prints its plan and writes it only with
 * --execute (the group must have no members).
 */
import type { Admin, GroupDescription, ResetPlanEntry, ResetSpec } from '../sdk/admin.js';
import { commonFlags, joinNegativeValues, parse, UsageError, type CommonFlags } from './args.js';
import { withAdmin } from './client.js';
import { printJson, table } from './output.js';

export type GroupsCommand =
  | { action: 'list' }
  | { action: 'describe'; group: string }
  | { action: 'reset-offsets'; group: string; topic: string; spec: ResetSpec; execute: boolean }
  | { action: 'delete'; group: string }
  | { action: 'delete-offsets'; group: string; topic: string };

const options = {
  topic: { type: 'string' }, 'to-earliest': { type: 'boolean', default: false }, 'to-latest': { type: 'boolean', default: false },
  'to-offset': { type: 'string' }, 'to-datetime': { type: 'string' }, 'shift-by': { type: 'string' }, execute: { type: 'boolean', default: false },
} as const;

const ACTIONS = 'list, describe, reset-offsets, delete, delete-offsets';

function integer(raw: string, flag: string, min: number): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isSafeInteger(n) || n < min) throw new UsageError(`--${flag} must be an integer${min === 0 ? ' ≥ 0' : ''}, got '${raw}'`);
  return n;
}

/** The reset target: exactly one of --to-earliest, --to-latest, --to-offset, --to-datetime, --shift-by. */
export function resetSpec(values: Record<string, unknown>): ResetSpec {
  const given: ResetSpec[] = [];
  if (values['to-earliest'] === true) given.push('earliest');
  if (values['to-latest'] === true) given.push('latest');
  if (typeof values['to-offset'] === 'string') given.push({ offset: integer(values['to-offset'], 'to-offset', 0) });
  if (typeof values['shift-by'] === 'string') given.push({ shiftBy: integer(values['shift-by'], 'shift-by', -Number.MAX_SAFE_INTEGER) });
  if (typeof values['to-datetime'] === 'string') {
    const timestamp = Date.parse(values['to-datetime']);
    if (Number.isNaN(timestamp)) throw new UsageError(`--to-datetime takes an ISO 8601 time such as 2024-05-01T12:00:00Z, got '${values['to-datetime']}'`);
    given.push({ timestamp });
  }
  if (given.length !== 1) throw new UsageError('reset-offsets needs exactly one of --to-earliest, --to-latest, --to-offset N, --to-datetime ISO, --shift-by N');
  return given[0] as ResetSpec;
}

export function parseGroupsArgs(argv: string[]): { command: GroupsCommand; flags: CommonFlags } {
  const [action, ...rest] = argv;
  const { values, positionals } = parse(joinNegativeValues(rest, ['--shift-by']), options);
  const flags = commonFlags(values);
  const group = (): string => {
    const id = positionals[0];
    if (id === undefined || id.length === 0) throw new UsageError(`brook groups ${action ?? ''} needs a group id`);
    return id;
  };
  const topic = (): string => {
    const t = values['topic'];
    if (typeof t !== 'string' || t.length === 0) throw new UsageError(`brook groups ${action ?? ''} needs --topic T`);
    return t;
  };
  switch (action) {
    case 'list': return { command: { action }, flags };
    case 'describe': case 'delete': return { command: { action, group: group() }, flags };
    case 'delete-offsets': return { command: { action, group: group(), topic: topic() }, flags };
    case 'reset-offsets': return { command: { action, group: group(), topic: topic(), spec: resetSpec(values), execute: values['execute'] === true }, flags };
    default: throw new UsageError(`brook groups: unknown action '${action ?? ''}' (${ACTIONS})`);
  }
}

const dash = (v: string | number | null): string | number => v ?? '-';

export function describeText(d: GroupDescription): string {
  const head = table(['GROUP', 'STATE', 'GROUP-EPOCH', 'ASSIGNMENT-EPOCH', 'ASSIGNOR', 'MEMBERS'],
    [[d.groupId, d.state, d.groupEpoch, d.assignmentEpoch, d.assignor, d.members.length]]);
  const rows = d.partitions.map((p) => [p.topic, p.partition, dash(p.memberId), dash(p.clientId), dash(p.committedOffset), dash(p.logEndOffset), dash(p.lag)]);
  return `${head}\n\n${table(['TOPIC', 'PARTITION', 'MEMBER-ID', 'CLIENT-ID', 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG'], rows)}\n`;
}

function planText(plan: ResetPlanEntry[]): string {
  return table(['TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'NEW-OFFSET'], plan.map((e) => [e.topic, e.partition, dash(e.currentOffset), e.newOffset])) + '\n';
}

async function run(admin: Admin, command: GroupsCommand, json: boolean): Promise<void> {
  switch (command.action) {
    case 'list': {
      const groups = await admin.listGroups();
      if (json) return printJson(groups);
      process.stdout.write(table(['GROUP', 'STATE', 'MEMBERS'], groups.map((g) => [g.groupId, g.state, g.members])) + '\n');
      return;
    }
    case 'describe': {
      const description = await admin.describeGroup(command.group);
      if (json) return printJson(description);
      process.stdout.write(describeText(description));
      return;
    }
    case 'reset-offsets': {
      const plan = command.execute ? await admin.resetOffsets(command.group, command.topic, command.spec)
        : await admin.planOffsetReset(command.group, command.topic, command.spec);
      if (json) return printJson({ executed: command.execute, plan });
      process.stdout.write(planText(plan));
      if (!command.execute) process.stdout.write('dry run: nothing written; pass --execute to apply\n');
      return;
    }
    case 'delete':
      await admin.deleteGroup(command.group);
      process.stdout.write(`deleted group ${command.group}\n`);
      return;
    case 'delete-offsets':
      await admin.deleteGroupOffsets(command.group, command.topic);
      process.stdout.write(`deleted the offsets of group ${command.group} on topic ${command.topic}\n`);
      return;
  }
}

export async function groups(argv: string[]): Promise<number> {
  const { command, flags } = parseGroupsArgs(argv);
  await withAdmin(flags, (admin) => run(admin, command, flags.json));
  return 0;
}
