// Goal: `brook dev` gives every node a Kafka listener and prints the bootstrap list; kcat pointed
// at that list sees every node as a broker, enables every librdkafka feature Brook needs
// (RecordBatch v2, consumer groups, idempotence, offsets by time, lz4 and zstd), and round-trips
// records.
// Method: `brook dev` run as a process in a scratch directory (a real nats-server and three node
// processes), kcat against what it printed; Ctrl-C (SIGINT) stops it.
import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BROOK_BIN, exited } from '../helpers/brook-processes.js';
import { run } from '../helpers/kafka-cluster.js';

test('brook dev prints a Kafka bootstrap list that kcat uses as is', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'brook-dev-kafka-'));
  const dev = spawn(process.execPath, [BROOK_BIN, 'dev', '--nodes', '3'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, BROOK_LOG: 'warn' } });
  // Kept for the failure message: a node that exits says why on this stream.
  let err = '';
  dev.stderr?.setEncoding('utf8').on('data', (chunk: string) => { err = (err + chunk).slice(-4000); });
  try {
    let out = '';
    const bootstrap = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no bootstrap list printed: ${out}\nstderr: ${err}`)), 30_000);
      dev.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
        out += chunk;
        const found = /Kafka bootstrap servers: (\S+)/.exec(out);
        if (found) { clearTimeout(timer); resolve(found[1] as string); }
      });
    });
    t.is(bootstrap.split(',').length, 3);
    let listed = { code: -1, stdout: '', stderr: '' };
    for (let attempt = 0; attempt < 60; attempt++) {
      listed = await run('kcat', ['-b', bootstrap, '-L', '-J', '-d', 'feature', '-m', '5']);
      if (listed.code === 0 && (JSON.parse(listed.stdout) as { brokers: unknown[] }).brokers.length === 3) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    t.is((JSON.parse(listed.stdout) as { brokers: unknown[] }).brokers.length, 3, 'every node is a broker');
    for (const feature of ['MsgVer2', 'BrokerBalancedConsumer', 'BrokerGroupCoordinator', 'IdempotentProducer', 'OffsetTime', 'LZ4', 'ZSTD']) {
      t.regex(listed.stderr, new RegExp(`Enabling feature ${feature}\\b`), `librdkafka enables ${feature}`);
    }
    const produced = await run('kcat', ['-b', bootstrap, '-P', '-t', 'dev-topic', '-K:'], 'a:1\nb:2\n');
    t.is(produced.code, 0, produced.stderr);
    const consumed = await run('kcat', ['-b', bootstrap, '-C', '-t', 'dev-topic', '-o', 'beginning', '-e', '-q', '-f', '%k=%s\n']);
    t.deepEqual(consumed.stdout.trim().split('\n'), ['a=1', 'b=2']);
  } finally {
    dev.kill('SIGINT');
    const timer = setTimeout(() => dev.kill('SIGKILL'), 20_000);
    await exited(dev);
    clearTimeout(timer);
    rmSync(dir, { recursive: true, force: true });
  }
});
