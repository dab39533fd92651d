/**
 * `brook dev [--nodes 3] [--data DIR] [--fresh]`: a local cluster for trying Brook. With
 * `nats-server` installed it starts one on 127.0.0.1:4222 (NATS's port, if free; else on a free
 * port) and runs every node as a separate
 * `brook node join` process (data under `./.brook/`); without it, the nodes run in this process on
 * the in-memory transport (and only this process can reach them). Every node serves HTTP on a free
 * loopback port (metrics, health, readiness and the web console) and a Kafka listener on another;
 * the addresses (and the Kafka bootstrap list, also kept in `.brook/dev.json`) are printed.
 *
 * One `brook dev` per directory (runtime/cli/dev-lock.ts). The banner is printed once every node
 * has registered, so commands run after it find the cluster ready. The children run in their own
 * process groups, so Ctrl-C reaches only this process, which then stops them in order: the nodes
 * first (a controlled shutdown, while NATS is still up), then nats-server. SIGTERM and SIGHUP do
 * the same, and so does the death of the parent (`npm run dev` ended by a signal); the nodes in
 * turn stop by themselves if this process is killed outright (BROOK_PARENT_PID, node-join.ts).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { natsServerEnv, nodeProcessEnv } from '../node/memory-tunables.js';
import { connect } from '../sdk/connect.js';
import { BrookError } from '../sdk/errors.js';
import { commonFlags, intFlag, parse, UsageError } from './args.js';
import { takeDevLock } from './dev-lock.js';
import { removeDevState, writeDevState, type DevCluster } from './dev-state.js';
import { stopRequests } from './stop-requests.js';

/**
 * The nodes' controlled shutdown is bounded by NODE_SHUTDOWN_MS: when the whole cluster stops, the
 * last voters lose their quorum and could not finish it anyway. A node still there after
 * NODE_STOP_MS is killed.
 */
const NODE_SHUTDOWN_MS = 1_000;
const NODE_STOP_MS = 3_000;
/** How long the nodes may take to start and register before `brook dev` gives up. */
const READY_TIMEOUT_MS = 60_000;

export function natsServerBinary(): string | undefined {
  const found = spawnSync('sh', ['-c', 'command -v nats-server'], { encoding: 'utf8' });
  const path = found.stdout.trim();
  return found.status === 0 && path ? path : undefined;
}

/** NATS's own port: the SDK's default too, so `connect()` finds a `brook dev` cluster with no URL given. */
export const NATS_PORT_DEFAULT = 4222;

/**
 * Ports for the nodes' listeners come from below the kernel's ephemeral range (32768 and up on
 * Linux): a port the kernel hands out for "any free port" is free only until the listener binds it,
 * and meanwhile any outgoing connection on the host may take it as its local port. A port below
 * that range is taken only by another listener that chose it.
 */
const LISTEN_PORTS = { first: 20_000, count: 12_000, tries: 50 };

/** Whether `port` can be listened on at the loopback address now (undefined: it cannot). */
function tryPort(port: number): Promise<number | undefined> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => (error.code === 'EADDRINUSE' || error.code === 'EACCES' ? resolvePort(undefined) : reject(error)));
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === 'object' && address ? address.port : undefined));
    });
  });
}

/** `wanted` if it is free on the loopback address, else a free port below the ephemeral range (any free port as a last resort). */
export async function freePort(wanted = 0): Promise<number> {
  if (wanted !== 0) {
    const port = await tryPort(wanted);
    if (port !== undefined) return port;
  }
  for (let i = 0; i < LISTEN_PORTS.tries; i++) {
    const port = await tryPort(LISTEN_PORTS.first + Math.floor(Math.random() * LISTEN_PORTS.count));
    if (port !== undefined) return port;
  }
  const port = await tryPort(0);
  if (port === undefined) throw new Error('no free port on 127.0.0.1');
  return port;
}

export async function dev(argv: string[]): Promise<number> {
  const { values } = parse(argv, { nodes: { type: 'string' }, data: { type: 'string' }, fresh: { type: 'boolean', default: false } });
  const flags = commonFlags(values);
  const count = intFlag(values, 'nodes', 3);
  if (count < 1 || count > 9) throw new UsageError('--nodes must be between 1 and 9');
  const dataRoot = resolve((values['data'] as string | undefined) ?? '.brook');
  mkdirSync('.brook', { recursive: true });
  const release = takeDevLock();
  try {
    if (values['fresh'] === true) rmSync(dataRoot, { recursive: true, force: true });
    mkdirSync(dataRoot, { recursive: true });
    const voters = Array.from({ length: Math.min(count, 3) }, (_, i) => i + 1);
    const binary = natsServerBinary();
    const cluster = { name: flags.cluster, count, voters, dataRoot };
    return binary ? await devOverNats(binary, cluster) : await (await import('./dev-memory.js')).devInMemory(cluster);
  } finally {
    removeDevState();
    release();
  }
}

async function devOverNats(binary: string, cluster: DevCluster): Promise<number> {
  const port = await freePort(NATS_PORT_DEFAULT);
  const config = join(cluster.dataRoot, 'nats.conf');
  // Fetch replies and large batches need more than the server's 1 MiB default payload.
  writeFileSync(config, `listen: 127.0.0.1:${port}\nmax_payload: 8MB\n`);
  const natsLog = openSync(join(cluster.dataRoot, 'nats.log'), 'a');
  const nats = spawn(binary, ['-c', config], { stdio: ['ignore', natsLog, natsLog], detached: true, env: natsServerEnv(process.env) });
  closeSync(natsLog);
  const url = `nats://127.0.0.1:${port}`;
  const nodes: ChildProcess[] = [];
  const stop = stopRequests(process.ppid);
  let stopping = false;
  void stop.asked.then(() => { stopping = true; });
  try {
    nats.once('exit', () => stop.request('nats-server exited', 1));
    await waitForPort(port);
    const http: string[] = [];
    const kafka: string[] = [];
    for (let id = 1; id <= cluster.count; id++) {
      http.push(`http://127.0.0.1:${await freePort()}`);
      kafka.push(`127.0.0.1:${await freePort()}`);
      nodes.push(startNode(id, cluster, url, { http: http[id - 1] as string, kafka: kafka[id - 1] as string }, (why) => stop.request(why, 1)));
    }
    writeDevState({ nats: url, cluster: cluster.name, pid: process.pid, nodes: cluster.count, http, kafka });
    const ready = await Promise.race([waitReady(url, cluster, () => stopping), stop.asked.then(() => false)]);
    if (ready) process.stdout.write(banner(url, cluster, http, kafka));
    else stop.request('the nodes did not all register', 1);
    const { reason, code } = await stop.asked;
    if (code !== 0) process.stderr.write(`brook: error: ${reason}\n`);
    await stopAll(nodes, nats, reason);
    return code;
  } catch (error) {
    await stopAll(nodes, nats, 'failed');
    throw error;
  } finally {
    stop.dispose();
  }
}

function startNode(id: number, cluster: DevCluster, url: string, listen: { http: string; kafka: string }, onUnexpectedExit: (why: string) => void): ChildProcess {
  // Run the node the way this command runs (the compiled CLI, or the sources through tsx's loader).
  const self = [...process.execArgv, process.argv[1] as string];
  const args = [...self, 'node', 'join', '--id', String(id), '--data', join(cluster.dataRoot, `node-${id}`), '--controllers', cluster.voters.join(','),
    '--nats', url, '--cluster', cluster.name, '--http', listen.http.replace('http://', ''), '--kafka', listen.kafka];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit'], detached: true,
    env: nodeProcessEnv({ ...process.env, BROOK_LOG: process.env['BROOK_LOG'] ?? 'warn', BROOK_PARENT_PID: String(process.pid), BROOK_SHUTDOWN_TIMEOUT_MS: String(NODE_SHUTDOWN_MS) }) });
  child.once('exit', (code, signal) => { if (!child.killed) onUnexpectedExit(`node ${id} exited (${signal ?? `code ${String(code)}`})`); });
  return child;
}

/** True once every node has registered and is unfenced; false if that takes longer than READY_TIMEOUT_MS or a stop comes first. */
async function waitReady(url: string, cluster: DevCluster, stopping: () => boolean): Promise<boolean> {
  const client = await connect({ nats: url, cluster: cluster.name, clientId: 'brook-dev' });
  const admin = client.admin({ timeoutMs: 2_000, noNodeGraceMs: READY_TIMEOUT_MS });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  try {
    while (Date.now() < deadline && !stopping()) {
      try {
        const metadata = await admin.metadata();
        if (metadata.controllerId >= 0 && metadata.nodes.filter((n) => n.state === 'unfenced').length >= cluster.count) return true;
      } catch (error) {
        if (!(error instanceof BrookError)) throw error;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    return false;
  } finally {
    admin.close();
    await client.close();
  }
}

async function stopAll(nodes: ChildProcess[], nats: ChildProcess, reason: string): Promise<void> {
  process.stdout.write(`stopping the cluster (${reason})…\n`);
  for (const child of nodes) child.kill('SIGTERM');
  const late = setTimeout(() => { for (const child of nodes) child.kill('SIGKILL'); }, NODE_STOP_MS);
  await Promise.all(nodes.map(exited));
  clearTimeout(late);
  nats.kill('SIGTERM');
  await exited(nats);
}

/** The console and metrics addresses `brook dev` prints. */
export function httpLines(http: string[]): string[] {
  return [
    `Web console: ${http[0] ?? ''}/  (every node serves it)`,
    `Metrics: ${http.map((u) => `${u}/metrics`).join('  ')}  (also /health, /ready)`,
  ];
}

function banner(url: string, cluster: DevCluster, http: string[], kafka: string[]): string {
  return [
    `Brook dev cluster '${cluster.name}' is ready: ${cluster.count} node processes over nats-server at ${url} (data in ${cluster.dataRoot}).`,
    `Controllers: ${cluster.voters.join(', ')}.`,
    ...httpLines(http),
    `Kafka bootstrap servers: ${kafka.join(',')}`,
    'Try, in another shell of this directory:',
    '  npx brook cluster status',
    '  npx brook topics create orders --partitions 6 --replication-factor 3',
    '  echo hello | npx brook produce orders',
    '  npx brook consume orders --offset earliest --exit',
    `Or from TypeScript: connect({ nats: '${url}', cluster: '${cluster.name}' })${url.endsWith(`:${NATS_PORT_DEFAULT}`) ? '' : ` (port ${NATS_PORT_DEFAULT} was taken)`}. Ctrl-C stops the cluster.`,
    '',
  ].join('\n');
}

export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((r) => child.once('exit', () => r()));
}

async function waitForPort(port: number): Promise<void> {
  const { connect: tcpConnect } = await import('node:net');
  for (let attempt = 0; attempt < 100; attempt++) {
    const ok = await new Promise<boolean>((r) => {
      const socket = tcpConnect(port, '127.0.0.1');
      socket.once('connect', () => { socket.destroy(); r(true); });
      socket.once('error', () => r(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new BrookError('NETWORK_EXCEPTION', `nats-server did not listen on ${port}`);
}
