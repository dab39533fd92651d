/**
 * `brook dev [--nodes 3]`: a local cluster for trying Brook. With `nats-server` installed it starts
 * one on a free loopback port and runs every node as a separate `brook node join` process (data
 * under `./.brook/`); without it, the nodes run in this process on the in-memory transport (and
 * only this process can reach them). Every node serves HTTP on a free loopback port (metrics,
 * health, readiness and the web console); the addresses are printed. Ctrl-C stops everything cleanly.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MemoryNetwork } from '../../transport/memory.js';
import { realClock } from '../clock.js';
import { createLogger, envLogLevel, stderrSink } from '../log.js';
import { SeededRandom, osSeed } from '../random.js';
import { LevelStore } from '../storage/level-store.js';
import { BrookNode } from '../node/node.js';
import { NodeObservability } from '../http/observe.js';
import { commonFlags, intFlag, parse, UsageError } from './args.js';
import { DEV_STATE_FILE } from './client.js';

const BROOK_BIN = fileURLToPath(new URL('../../bin/brook.js', import.meta.url));

export function natsServerBinary(): string | undefined {
  const found = spawnSync('sh', ['-c', 'command -v nats-server'], { encoding: 'utf8' });
  const path = found.stdout.trim();
  return found.status === 0 && path ? path : undefined;
}

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}

export async function dev(argv: string[]): Promise<number> {
  const { values } = parse(argv, { nodes: { type: 'string' }, data: { type: 'string' }, fresh: { type: 'boolean', default: false } });
  const flags = commonFlags(values);
  const count = intFlag(values, 'nodes', 3);
  if (count < 1 || count > 9) throw new UsageError('--nodes must be between 1 and 9');
  const dataRoot = resolve((values['data'] as string | undefined) ?? '.brook');
  if (values['fresh'] === true) rmSync(dataRoot, { recursive: true, force: true });
  mkdirSync(dataRoot, { recursive: true });
  const voters = Array.from({ length: Math.min(count, 3) }, (_, i) => i + 1);
  const binary = natsServerBinary();
  return binary ? await devOverNats(binary, flags.cluster, count, voters, dataRoot) : await devInMemory(flags.cluster, count, voters, dataRoot);
}

async function devOverNats(binary: string, cluster: string, count: number, voters: number[], dataRoot: string): Promise<number> {
  const port = await freePort();
  const config = join(dataRoot, 'nats.conf');
  // Fetch replies and large batches need more than the server's 1 MiB default payload.
  writeFileSync(config, `listen: 127.0.0.1:${port}\nmax_payload: 8MB\n`);
  const children: ChildProcess[] = [];
  const nats = spawn(binary, ['-c', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(nats);
  await waitForPort(port);
  const url = `nats://127.0.0.1:${port}`;
  const http: string[] = [];
  for (let id = 1; id <= count; id++) {
    const httpPort = await freePort();
    http.push(`http://127.0.0.1:${httpPort}`);
    const args = [BROOK_BIN, 'node', 'join', '--id', String(id), '--data', join(dataRoot, `node-${id}`), '--controllers', voters.join(','), '--nats', url, '--cluster', cluster,
      '--http', `127.0.0.1:${httpPort}`];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, BROOK_LOG: process.env['BROOK_LOG'] ?? 'warn' } });
    children.push(child);
  }
  writeFileSync(DEV_STATE_FILE, JSON.stringify({ nats: url, cluster, pid: process.pid, nodes: count, http }));
  process.stdout.write([
    `Brook dev cluster '${cluster}': ${count} node processes over nats-server at ${url} (data in ${dataRoot}).`,
    `Controllers: ${voters.join(', ')}.`,
    ...httpLines(http),
    'Try, in another shell of this directory:',
    '  npx brook cluster status',
    '  npx brook topics create orders --partitions 6 --replication-factor 3',
    '  echo hello | npx brook produce orders',
    '  npx brook consume orders --from-beginning --max-messages 1',
    `Or from TypeScript: connect({ nats: '${url}', cluster: '${cluster}' }). Ctrl-C stops the cluster.`,
    '',
  ].join('\n'));
  return await new Promise<number>((resolveExit) => {
    let stopping = false;
    const stop = (): void => {
      if (stopping) return;
      stopping = true;
      process.stdout.write('stopping the nodes…\n');
      const nodes = children.slice(1);
      for (const child of nodes) child.kill('SIGTERM');
      const deadline = setTimeout(() => { for (const child of nodes) child.kill('SIGKILL'); }, 12_000);
      void Promise.all(nodes.map((c) => exited(c))).then(() => {
        clearTimeout(deadline);
        nats.kill('SIGTERM');
        rmSync(DEV_STATE_FILE, { force: true });
        void exited(nats).then(() => resolveExit(0));
      });
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    nats.once('exit', () => { if (!stopping) { process.stderr.write('brook: error: nats-server exited\n'); stop(); } });
  });
}

async function devInMemory(cluster: string, count: number, voters: number[], dataRoot: string): Promise<number> {
  process.stdout.write(`nats-server is not installed: running ${count} nodes in this process on the in-memory transport (install nats-server for separate processes).\n`);
  const network = new MemoryNetwork();
  const nodes: Array<{ node: BrookNode; store: LevelStore; observe: NodeObservability }> = [];
  const http: string[] = [];
  for (let id = 1; id <= count; id++) {
    const store = await LevelStore.open(join(dataRoot, `node-${id}`));
    const logger = createLogger(stderrSink, { level: envLogLevel() === 'info' ? 'warn' : envLogLevel(), bindings: { node: id } });
    const observe = new NodeObservability({ host: '127.0.0.1', port: 0 }, network.endpoint());
    const node = new BrookNode({ nodeId: id, cluster, voters }, {
      transport: observe.transport, store, clock: realClock, random: new SeededRandom(osSeed()), logger, onReport: observe.onReport,
      onFatal: (code, message) => process.stderr.write(`brook: error: node ${id}: ${code}: ${message}\n`),
    });
    http.push(await observe.start(node, join(dataRoot, `node-${id}`), logger));
    node.start();
    nodes.push({ node, store, observe });
  }
  writeFileSync(DEV_STATE_FILE, JSON.stringify({ nats: undefined, cluster, pid: process.pid, nodes: count, http }));
  process.stdout.write([`Brook dev cluster '${cluster}' is running in memory.`, ...httpLines(http), 'Ctrl-C stops it.', ''].join('\n'));
  return await new Promise<number>((resolveExit) => {
    process.once('SIGINT', () => {
      for (const { node } of nodes) node.stop();
      rmSync(DEV_STATE_FILE, { force: true });
      void Promise.all(nodes.map(async ({ store, observe }) => {
        await observe.close();
        await new Promise<void>((r) => store.close(() => r()));
      })).then(() => resolveExit(0));
    });
  });
}

/** The console and metrics addresses `brook dev` prints. */
function httpLines(http: string[]): string[] {
  return [
    `Web console: ${http[0] ?? ''}/  (every node serves it)`,
    `Metrics: ${http.map((u) => `${u}/metrics`).join('  ')}  (also /health, /ready)`,
  ];
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((r) => child.once('exit', () => r()));
}

async function waitForPort(port: number): Promise<void> {
  const { connect } = await import('node:net');
  for (let attempt = 0; attempt < 100; attempt++) {
    const ok = await new Promise<boolean>((r) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => { socket.destroy(); r(true); });
      socket.once('error', () => r(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nats-server did not listen on ${port}`);
}
