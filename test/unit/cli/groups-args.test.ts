/**
 * Goal: the argument parsing of `brook groups …` and `brook consume --group` accepts what
 * kafka-consumer-groups.sh users type and refuses the rest with one clear usage error.
 * Method: the pure parsers, no cluster.
 */
import test from 'ava';
import { parseGroupsArgs } from '../../../runtime/cli/groups.js';
import { parseConsumeArgs } from '../../../runtime/cli/consume.js';
import { UsageError } from '../../../runtime/cli/args.js';

test('list and describe, with --json', (t) => {
  t.deepEqual(parseGroupsArgs(['list', '--json']).command, { action: 'list' });
  t.true(parseGroupsArgs(['list', '--json']).flags.json);
  t.deepEqual(parseGroupsArgs(['describe', 'billing']).command, { action: 'describe', group: 'billing' });
  t.deepEqual(parseGroupsArgs(['delete', 'billing']).command, { action: 'delete', group: 'billing' });
  t.deepEqual(parseGroupsArgs(['delete-offsets', 'billing', '--topic', 'orders']).command, { action: 'delete-offsets', group: 'billing', topic: 'orders' });
});

test('reset-offsets: each target, dry run unless --execute', (t) => {
  const reset = (...flags: string[]) => parseGroupsArgs(['reset-offsets', 'g', '--topic', 'orders', ...flags]).command;
  t.deepEqual(reset('--to-earliest'), { action: 'reset-offsets', group: 'g', topic: 'orders', spec: 'earliest', execute: false });
  t.like(reset('--to-latest', '--execute'), { spec: 'latest', execute: true });
  t.like(reset('--to-offset', '42'), { spec: { offset: 42 } });
  t.like(reset('--shift-by', '-5'), { spec: { shiftBy: -5 } });
  t.like(reset('--to-datetime', '2024-05-01T12:00:00Z'), { spec: { timestamp: Date.UTC(2024, 4, 1, 12) } });
});

test('reset-offsets refuses a missing or doubled target, a bad number or date, and a missing topic', (t) => {
  const bad = (...argv: string[]) => t.throws(() => parseGroupsArgs(argv), { instanceOf: UsageError });
  bad('reset-offsets', 'g', '--topic', 'orders');
  bad('reset-offsets', 'g', '--topic', 'orders', '--to-earliest', '--to-latest');
  bad('reset-offsets', 'g', '--topic', 'orders', '--to-offset', 'x');
  bad('reset-offsets', 'g', '--topic', 'orders', '--to-offset', '-1');
  bad('reset-offsets', 'g', '--topic', 'orders', '--to-datetime', 'yesterday');
  bad('reset-offsets', 'g', '--to-earliest');
  bad('reset-offsets', '--topic', 'orders', '--to-earliest');
});

test('unknown actions and flags, and a missing group id, are usage errors', (t) => {
  t.throws(() => parseGroupsArgs(['frobnicate']), { instanceOf: UsageError, message: /unknown action 'frobnicate'/ });
  t.throws(() => parseGroupsArgs([]), { instanceOf: UsageError });
  t.throws(() => parseGroupsArgs(['describe']), { instanceOf: UsageError, message: /needs a group id/ });
  t.throws(() => parseGroupsArgs(['list', '--bogus']), { instanceOf: UsageError });
});

test('consume --group subscribes; it excludes --partition', (t) => {
  t.like(parseConsumeArgs(['orders', '--group', 'billing', '--from-beginning']), { topic: 'orders', group: 'billing', start: 'earliest', partition: undefined, maxMessages: Infinity });
  t.like(parseConsumeArgs(['orders', '--partition', '2', '--max-messages', '10']), { group: undefined, partition: 2, maxMessages: 10 });
  t.throws(() => parseConsumeArgs(['orders', '--group', 'g', '--partition', '1']), { instanceOf: UsageError, message: /exclusive/ });
  t.throws(() => parseConsumeArgs(['orders', '--group', '']), { instanceOf: UsageError });
  t.throws(() => parseConsumeArgs(['--group', 'g']), { instanceOf: UsageError, message: /topic/ });
});
