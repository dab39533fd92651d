// Goal: no `brook` command hangs or answers wrongly on bad input: usage errors come before any
// connection, a missing topic or partition is UNKNOWN_TOPIC_OR_PARTITION at once, an unreachable
// NATS is NETWORK_EXCEPTION, --cluster beats .brook/dev.json, a second `brook dev` in one directory
// is refused without harming the first, a closed stdout ends a command quietly, and `brook dev`
// stops with everything it started on Ctrl-C and when `npm run dev` is ended with SIGTERM.
// Method: `brook dev` (real nats-server, real node processes) in a temporary directory; every
// command a child process bounded by a kill timer (a hang shows as a kill, never a timed assertion):
// FAST_MS for what must end at once (long enough for a slow start on a loaded machine, shorter than
// the 16-120 s these commands used to take), SLOW_MS for what waits on a network timeout.
import test, { type ExecutionContext } from 'ava';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BROOK_BIN } from '../helpers/brook-processes.js';

const dir = mkdtempSync(join(tmpdir(), 'brook-fail-fast-'));
const FAST_MS = 10_000;
const SLOW_MS = 15_000;
const HANG_MS = 20_000;
let dev: ChildProcess;

interface Result { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

function brook(args: string[], options: { cwd?: string; input?: string; env?: Record<string, string>; killMs?: number } = {}): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BROOK_BIN, ...args], { cwd: options.cwd ?? dir, env: { ...process.env, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => { stdout += c; });
    child.stderr.setEncoding('utf8').on('data', (c: string) => { stderr += c; });
    const kill = setTimeout(() => child.kill('SIGKILL'), options.killMs ?? FAST_MS);
    child.once('exit', (code, signal) => { clearTimeout(kill); resolve({ code, signal, stdout, stderr }); });
    child.stdin.end(options.input ?? '');
  });
}

/** Starts `brook dev` in `cwd` and resolves once it printed its banner. */
function startDev(cwd: string, args: string[] = []): Promise<ChildProcess> {
  const child = spawn(process.execPath, [BROOK_BIN, 'dev', '--nodes', '1', ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    child.stdout?.setEncoding('utf8').on('data', (c: string) => { out += c; if (out.includes('is ready')) resolve(child); });
    child.stderr?.setEncoding('utf8').on('data', (c: string) => { out += c; });
    child.once('exit', (code) => reject(new Error(`brook dev exited (${String(code)}): ${out}`)));
  });
}

/** The processes whose command line names `needle` (this test's own temporary directories). */
function processesOf(needle: string): string[] {
  return spawnSync('pgrep', ['-af', needle], { encoding: 'utf8' }).stdout.split('\n').filter((l) => l.trim() !== '' && !l.includes('pgrep'));
}

async function until(probe: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < HANG_MS / 100; i++) { if (probe()) return; await new Promise((r) => setTimeout(r, 100)); }
  throw new Error(`still not: ${what}`);
}

function oneErrorLine(t: ExecutionContext, r: Result, code: number, pattern: RegExp): void {
  t.is(r.code, code, `exit code (stderr: ${r.stderr})`);
  const lines = r.stderr.trim().split('\n');
  t.is(lines.length, 1, r.stderr);
  t.regex(lines[0] ?? '', pattern);
}

test.before(async () => {
  dev = await startDev(dir);
  const created = await brook(['topics', 'create', 'orders', '--partitions', '2']);
  if (created.code !== 0) throw new Error(created.stderr);
});

test.after.always(async () => {
  if (dev.exitCode === null) { dev.kill('SIGKILL'); await new Promise((r) => dev.once('exit', r)); }
  for (const line of processesOf(dir)) process.kill(Number(line.split(' ')[0]), 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

test('bad flags are usage errors before any connection (an unroutable NATS would take seconds)', async (t) => {
  const nowhere = ['--nats', 'nats://10.255.255.1:4222'];
  oneErrorLine(t, await brook(['produce', 'orders', '--acks', '2', ...nowhere]), 2, /^brook: error: --acks must be all, 1 or 0, got '2'$/);
  oneErrorLine(t, await brook(['consume', 'orders', '--offset', 'soon', ...nowhere]), 2, /^brook: error: --offset takes/);
  oneErrorLine(t, await brook(['topics', 'alter-configs', 'orders', ...nowhere]), 2, /needs --config k=v or --delete-config k/);
  oneErrorLine(t, await brook(['cluster', 'frobnicate', ...nowhere]), 2, /unknown action 'frobnicate'/);
  oneErrorLine(t, await brook(['consume', 'orders', '--format', '%q', ...nowhere]), 2, /unknown token '%q'/);
});

test('a missing topic or partition is UNKNOWN_TOPIC_OR_PARTITION at once', async (t) => {
  oneErrorLine(t, await brook(['consume', 'orders', '--partition', '99']), 1, /^brook: error: UNKNOWN_TOPIC_OR_PARTITION: topic 'orders' has 2 partitions/);
  oneErrorLine(t, await brook(['produce', 'orders', '--partition', '2'], { input: 'x\n' }), 1, /^brook: error: UNKNOWN_TOPIC_OR_PARTITION: /);
  oneErrorLine(t, await brook(['produce', 'nosuch'], { input: 'x\n' }), 1, /^brook: error: UNKNOWN_TOPIC_OR_PARTITION: topic 'nosuch' does not exist$/);
  oneErrorLine(t, await brook(['topics', 'delete', 'nosuch']), 1, /^brook: error: UNKNOWN_TOPIC_OR_PARTITION: /);
  oneErrorLine(t, await brook(['consume', 'nosuch', '--group', 'g']), 1, /^brook: error: UNKNOWN_TOPIC_OR_PARTITION: /);
});

test('an unreachable NATS is NETWORK_EXCEPTION', async (t) => {
  oneErrorLine(t, await brook(['cluster', 'status', '--nats', 'nats://10.255.255.1:4222'], { killMs: SLOW_MS }), 1, /^brook: error: NETWORK_EXCEPTION: cannot reach NATS at nats:\/\/10\.255\.255\.1:4222/);
  oneErrorLine(t, await brook(['topics', 'list', '--nats', 'nats://127.0.0.1:1']), 1, /^brook: error: NETWORK_EXCEPTION: /);
});

test('--cluster beats .brook/dev.json, and a cluster nobody runs is BROKER_NOT_AVAILABLE', async (t) => {
  const state = JSON.parse(readFileSync(join(dir, '.brook', 'dev.json'), 'utf8')) as { nats: string };
  oneErrorLine(t, await brook(['cluster', 'status', '--cluster', 'prod'], { killMs: SLOW_MS }), 1,
    new RegExp(`^brook: error: BROKER_NOT_AVAILABLE: no node answers on cluster 'prod' at ${state.nats.replaceAll('.', '\\.')}`));
  oneErrorLine(t, await brook(['produce', 'orders', '--cluster', 'prod'], { input: 'x\n', killMs: SLOW_MS }), 1, /BROKER_NOT_AVAILABLE/);
  t.is((await brook(['cluster', 'status'])).code, 0, 'without --cluster, dev.json names the cluster');
});

test('a second brook dev in the same directory is refused and leaves the first running', async (t) => {
  const before = readFileSync(join(dir, '.brook', 'dev.json'), 'utf8');
  oneErrorLine(t, await brook(['dev', '--nodes', '1']), 1, new RegExp(`^brook: error: DEV_ALREADY_RUNNING: a \`brook dev\` \\(pid ${String(dev.pid)}\\) already runs`));
  t.is(readFileSync(join(dir, '.brook', 'dev.json'), 'utf8'), before);
  t.regex((await brook(['topics', 'list'])).stdout, /^orders$/m);
});

test('kcat-like consume and produce: keys, headers, offsets, --exit, --format, binary-safe base64', async (t) => {
  await brook(['topics', 'create', 'kcat', '--partitions', '1']);
  const binary = Buffer.from([0, 10, 255, 13, 10]);
  const input = `k1:${Buffer.from('one').toString('base64')}\nk2:${binary.toString('base64')}\n`;
  t.is((await brook(['produce', 'kcat', '--key-separator', ':', '--value-format', 'base64', '--header', 'h=1', '--header', 'flag'], { input })).code, 0);
  const all = await brook(['consume', 'kcat', '--offset', 'earliest', '--exit', '--format', '%p/%o %k=%s [%h] %S\\n', '--value-format', 'base64']);
  t.is(all.stdout, `0/0 k1=${Buffer.from('one').toString('base64')} [h=1,flag=] 3\n0/1 k2=${binary.toString('base64')} [h=1,flag=] 5\n`);
  t.is((await brook(['consume', 'kcat', '--offset', '-1', '--exit', '--format', '%k\\n'])).stdout, 'k2\n');
  t.is((await brook(['consume', 'kcat', '--offset', '1', '--exit', '--value-format', 'hex'])).stdout, `${binary.toString('hex')}\n`);
  t.is((await brook(['consume', 'kcat', '--offset', `@${Date.now() + 60_000}`, '--exit'])).stdout, '', 'nothing at or after a future time');
  const offsets = await brook(['topics', 'get-offsets', 'kcat', '--json']);
  t.deepEqual(JSON.parse(offsets.stdout), [{ partition: 0, start: 0, end: 2 }]);
});

test('a closed stdout ends a command quietly', async (t) => {
  const child = spawn(process.execPath, [BROOK_BIN, 'topics', 'describe', 'orders', '--json'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.destroy(); // The reader is gone before anything is written (`| head -c 0`).
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (c: string) => { stderr += c; });
  const kill = setTimeout(() => child.kill('SIGKILL'), FAST_MS);
  const code = await new Promise<number | null>((r) => child.once('exit', (c) => { clearTimeout(kill); r(c); }));
  t.is(stderr, '');
  t.is(code, 0);
});

test('Ctrl-C on brook dev stops it and everything it started', async (t) => {
  const own = mkdtempSync(join(tmpdir(), 'brook-dev-sigint-'));
  try {
    const child = await startDev(own);
    t.is(processesOf(own).length, 2, 'nats-server and the node run');
    const exit = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    child.kill('SIGINT');
    // It stops in about a second; one that is still there after FAST_MS is killed, and fails here.
    const kill = setTimeout(() => child.kill('SIGKILL'), FAST_MS);
    t.is(await exit, 0);
    clearTimeout(kill);
    await until(() => processesOf(own).length === 0, 'every process of that brook dev gone');
    t.false(existsSync(join(own, '.brook', 'dev.json')));
    t.false(existsSync(join(own, '.brook', 'dev.lock')));
  } finally {
    rmSync(own, { recursive: true, force: true });
  }
});

test('SIGTERM to `npm run dev` stops the cluster too', async (t) => {
  const own = mkdtempSync(join(tmpdir(), 'brook-npm-dev-'));
  try {
    writeFileSync(join(own, 'package.json'), JSON.stringify({ name: 'x', private: true, scripts: { dev: `node ${BROOK_BIN} dev --nodes 1` } }));
    const npm = spawn('npm', ['run', 'dev'], { cwd: own, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    npm.stdout.setEncoding('utf8').on('data', (c: string) => { out += c; });
    await until(() => out.includes('is ready'), `brook dev under npm is ready: ${out}`);
    npm.kill('SIGTERM');
    await until(() => processesOf(own).length === 0, 'brook dev, its node and nats-server gone after npm');
    t.false(existsSync(join(own, '.brook', 'dev.lock')));
  } finally {
    for (const line of processesOf(own)) process.kill(Number(line.split(' ')[0]), 'SIGKILL');
    rmSync(own, { recursive: true, force: true });
  }
});
