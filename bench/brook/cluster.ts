/**
 * The Brook bench cluster: one nats-server on loopback and `brook node join` processes (each with
 * its own temp LevelDB directory, BROOK_LOG=warn unless told), one SDK client and an admin. Every process is
 * SIGKILLed on `close()` and again on process exit, so a failed bench leaves nothing running.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { connect, type BrookClient } from '../../runtime/sdk/index.js';
import type { Admin, TopicInfo } from '../../runtime/sdk/admin.js';
import { nodeProcessEnv } from '../../runtime/node/memory-tunables.js';
import { BROOK_BIN, BrookProcesses, eventually } from '../../test/helpers/brook-processes.js';
import { startNatsServer, type NatsServer } from '../../test/helpers/nats-server.js';
import { forgetDir, removeDirOnExit } from '../lib/processes.js';
import { securitySetup, type SecurityMode, type SecuritySetup } from './security.js';
import { tuneGarbageCollector } from '../../runtime/gc-tuning.js';

export interface BrookCluster {
  nats: NatsServer;
  processes: BrookProcesses;
  client: BrookClient;
  admin: Admin;
  voters: number[];
  /** When set, node processes run under `node --cpu-prof` writing into this directory. */
  profileDir: string | undefined;
  /** The node processes' BROOK_LOG level ('warn' unless told: a breakdown of a failover wants 'info'). */
  nodeLog: string;
  security: SecuritySetup;
  /** Kills the node processes if the bench exits without stopping the cluster; removed by stopBrookCluster. */
  killOnExit: () => void;
}

/**
 * `nodeArgs`: more `brook node join` flags for node `id` (e.g. its `--http` address);
 * `security`: NATS permissions and/or TLS for every connection (bench/brook/security.ts), off by default.
 */
export interface ClusterOptions {
  voters: number[]; name?: string; profileDir?: string; nodeLog?: string; nodeArgs?: (id: number) => string[]; security?: SecurityMode;
  /** nats-server's monitoring endpoint on (`nats.monitorUrl`), for benches that count its messages. */
  natsMonitor?: boolean;
}

function killNodesNow(processes: BrookProcesses): void {
  for (const node of processes.nodes.values()) {
    if (node.child.exitCode === null && node.child.signalCode === null) node.child.kill('SIGKILL');
  }
}

export async function startBrookCluster(options: ClusterOptions): Promise<BrookCluster> {
  tuneGarbageCollector(); // the bench's clients as the README tells SDK users to run theirs
  const name = options.name ?? 'bench';
  const security = securitySetup(options.security ?? 'off', name);
  const nats = await startNatsServer({ config: security.natsConfig, monitor: options.natsMonitor === true });
  let processes: BrookProcesses | undefined;
  try {
    processes = new BrookProcesses(nats.url, name, options.voters);
    const owned = processes;
    removeDirOnExit(owned.root);
    const killOnExit = (): void => killNodesNow(owned);
    process.on('exit', killOnExit);
    const nodeLog = options.nodeLog ?? 'warn';
    for (const id of options.voters) startNode(owned, id, options.profileDir, { BROOK_LOG: nodeLog, ...security.nodeEnv }, options.nodeArgs?.(id));
    const client = await connect({ nats: nats.url, cluster: name, ...security.client });
    const admin = client.admin({ timeoutMs: 60_000, requestTimeoutMs: 5_000 });
    const cluster = { nats, processes: owned, client, admin, voters: options.voters, profileDir: options.profileDir, nodeLog, security, killOnExit };
    await eventually(async () => ((await admin.metadata()).nodes.filter((n) => n.state === 'unfenced').length === options.voters.length ? true : undefined),
      60_000, `${options.voters.length} unfenced nodes`);
    return cluster;
  } catch (error) {
    if (processes) { killNodesNow(processes); await processes.stopAll(); }
    await nats.stop();
    security.cleanup();
    throw error;
  }
}

export async function stopBrookCluster(cluster: BrookCluster): Promise<void> {
  cluster.admin.close();
  await cluster.client.close().catch(() => undefined);
  // A profiled node writes its profile only when it exits on its own: a controlled shutdown first.
  if (cluster.profileDir !== undefined) await stopNodesGracefully(cluster.processes);
  await cluster.processes.stopAll();
  process.removeListener('exit', cluster.killOnExit);
  forgetDir(cluster.processes.root);
  await cluster.nats.stop();
  cluster.security.cleanup();
}

async function stopNodesGracefully(processes: BrookProcesses): Promise<void> {
  await Promise.all([...processes.nodes.values()].map(async ({ child }) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(10_000)]);
  }));
}

/** Restarts a killed node with the same data directory and environment. */
export function restartNode(cluster: BrookCluster, id: number): void {
  startNode(cluster.processes, id, cluster.profileDir, { BROOK_LOG: cluster.nodeLog, ...cluster.security.nodeEnv });
}

/**
 * `brook node join` as BrookProcesses.startNode does it, but with BROOK_LOG=`log` (warn by default)
 * and, for a profile, `--cpu-prof` on the node command line (NODE_OPTIONS refuses that flag).
 */
function startNode(processes: BrookProcesses, id: number, profileDir: string | undefined, env: Record<string, string>, nodeArgs: string[] = []): void {
  if (profileDir === undefined) { processes.startNode(id, nodeArgs, env); return; }
  const dataDir = join(processes.root, `node-${id}`);
  const args = ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=node-${id}-${Date.now()}.cpuprofile`, BROOK_BIN, 'node', 'join',
    '--id', String(id), '--data', dataDir, '--controllers', processes.voters.join(','), '--nats', processes.natsUrl, '--cluster', processes.cluster, ...nodeArgs];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], env: nodeProcessEnv({ ...process.env, ...env }) });
  const stderr: string[] = [];
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => { stderr.push(chunk); if (stderr.length > 2000) stderr.shift(); });
  processes.nodes.set(id, { id, dataDir, child, stderr });
}

export interface TopicShape { partitions: number; replicationFactor: number; minInsync: number }

/** Creates `name` and waits until every partition has a leader and a full ISR. */
export async function createTopicReady(cluster: BrookCluster, name: string, shape: TopicShape, timeoutMs = 60_000): Promise<TopicInfo> {
  await cluster.admin.createTopic(name, { partitions: shape.partitions, replicationFactor: shape.replicationFactor,
    configs: { 'min.insync.replicas': String(shape.minInsync) } });
  return waitFullIsr(cluster, name, shape.replicationFactor, timeoutMs);
}

export function waitFullIsr(cluster: BrookCluster, name: string, isrSize: number, timeoutMs: number): Promise<TopicInfo> {
  return eventually(async () => {
    const info = await cluster.admin.describeTopic(name);
    return info.partitions.every((p) => p.leader > 0 && p.isr.length >= isrSize) ? info : undefined;
  }, timeoutMs, `${name}: leaders and ISR of ${isrSize}`);
}

/** Sum of the latest offsets of every partition (the number of records the topic holds). */
export async function storedRecords(cluster: BrookCluster, topic: string): Promise<number> {
  const ends = await cluster.admin.listOffsets(topic, 'latest');
  return ends.reduce((n, e) => n + e.offset, 0);
}

export function sleep(ms: number): Promise<void> { return new Promise((resolve) => setTimeout(resolve, ms)); }

export { makePayloads } from '../lib/payload.js';
