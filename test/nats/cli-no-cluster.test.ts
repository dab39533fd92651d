// Goal: a command that needs the cluster ends, with one clear error line and exit code 1, when a
// NATS server answers but no Brook node does (every node gone, or a wrong --cluster).
// Method: a real nats-server with no nodes; `brook` run as child processes (bounded by a kill
// timeout, never by a timed assertion).
import test from 'ava';
import { spawn } from 'node:child_process';
import { startNatsServer, type NatsServer } from '../helpers/nats-server.js';
import { BROOK_BIN } from '../helpers/brook-processes.js';

let nats: NatsServer;
test.before(async () => { nats = await startNatsServer(); });
test.after.always(async () => { await nats?.stop(); });

function brook(args: string[]): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BROOK_BIN, ...args, '--nats', nats.url, '--cluster', 'nobody-here'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
    const kill = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.once('exit', (status) => { clearTimeout(kill); resolve({ status, stderr }); });
  });
}

for (const args of [['consume', 'orders', '--group', 'billing'], ['groups', 'list'], ['groups', 'describe', 'billing']]) {
  test(`brook ${args.join(' ')} with no node answering ends with one error line`, async (t) => {
    const r = await brook(args);
    t.is(r.status, 1, `exit code (stderr: ${r.stderr})`);
    const lines = r.stderr.trim().split('\n');
    t.is(lines.length, 1);
    t.regex(lines[0] ?? '', /^brook: error: BROKER_NOT_AVAILABLE: no node answers on cluster 'nobody-here' at nats:/);
  });
}
