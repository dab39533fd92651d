// Goal: the `brook` entry point answers help and bad usage with the documented exit codes and a
// single error line, without starting anything. Method: run the CLI (from its sources) as a child process.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { BROOK_BIN } from '../helpers/brook-processes.js';

function brook(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BROOK_BIN, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('--help after a command prints that command\'s usage and exits 0', (t) => {
  const r = brook('sim', '--help');
  t.is(r.status, 0);
  t.regex(r.stdout, /brook sim \[--seed S/);
  t.notRegex(r.stdout, /brook produce/);
});

test('an unknown command and a bad flag value are usage errors (exit 2, one error line)', (t) => {
  const unknown = brook('nosuch');
  t.is(unknown.status, 2);
  t.regex(unknown.stderr, /^brook: error: unknown command 'nosuch'/);
  const bad = brook('sim', '--seeds', 'many');
  t.is(bad.status, 2);
  t.is(bad.stderr.trim(), "brook: error: --seeds must be an integer, got 'many'");
});
