/**
 * The chaos cluster: a three-server NATS cluster, one TCP proxy per node in front of it, and
 * `brook node join` processes (each its own process group, LevelDB directory and log file, the log
 * appended across restarts) reaching NATS only through their proxy. An SDK client and admin in this
 * process talk to all three servers directly. Exits nobody asked for are kept as deaths.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connect, type BrookClient } from '../../runtime/sdk/index.js';
import type { Admin } from '../../runtime/sdk/admin.js';
import { BROOK_BIN } from '../helpers/brook-processes.js';
import { NatsCluster } from '../helpers/nats-cluster.js';
import { NodeProxy } from '../helpers/tcp-proxy.js';
import { killGroup, spawnGroup, stopGroup, type Exit, type GroupProcess } from '../helpers/process-group.js';

export interface ChaosClusterOptions {
  nodes: number;
  voters: number[];
  name: string;
  /** Extra `NODE_OPTIONS` for node processes (a preload that plants a bug). */
  nodeOptions?: string;
  /** Delay added each way by every node's proxy (a slow network between nodes and NATS). */
  proxyLatencyMs?: number;
  /** Keep the temp directory (logs, data) after `close()`, for a look at a failed run. */
  keepDir?: boolean;
}

export interface ChaosNode {
  id: number; dataDir: string; logPath: string; proxy: NodeProxy; process: GroupProcess | undefined;
  /** Epoch ms at which each process (by pid) was spawned: the origin of its monotonic log times. */
}

export class ChaosCluster {
  readonly exits: Exit[] = [];
  readonly nodes = new Map<number, ChaosNode>();
  client!: BrookClient;
  admin!: Admin;
  nats!: NatsCluster;

  private constructor(readonly root: string, readonly options: ChaosClusterOptions) {}

  static async start(options: ChaosClusterOptions): Promise<ChaosCluster> {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-chaos-'));
    const cluster = new ChaosCluster(root, options);
    // Registered before anything starts, so an interrupted run still removes its directory.
    if (options.keepDir !== true) process.once('exit', () => fs.rmSync(root, { recursive: true, force: true }));
    try {
      const onExit = (exit: Exit): void => { cluster.exits.push(exit); };
      cluster.nats = await NatsCluster.start({ dir: path.join(root, 'nats'), onExit });
      for (let id = 1; id <= options.nodes; id++) {
        const proxy = await NodeProxy.start(`node-${id}`, cluster.nats.members.map((m) => m.clientPort), { latencyMs: options.proxyLatencyMs ?? 0 });
        cluster.nodes.set(id, { id, dataDir: path.join(root, `node-${id}`), logPath: path.join(root, `node-${id}.log`), proxy, process: undefined });
      }
      for (const id of cluster.nodes.keys()) cluster.startNode(id);
      cluster.client = await connect({ nats: cluster.nats.urls, cluster: options.name, clientId: 'chaos-admin' });
      cluster.admin = cluster.client.admin({ timeoutMs: 5_000, requestTimeoutMs: 1_000 });
      return cluster;
    } catch (error) {
      await cluster.close();
      throw error;
    }
  }

  get ids(): number[] { return [...this.nodes.keys()]; }

  node(id: number): ChaosNode {
    const node = this.nodes.get(id);
    if (node === undefined) throw new Error(`no node ${id}`);
    return node;
  }

  alive(id: number): boolean { return this.node(id).process?.alive() ?? false; }

  /** Starts node `id` (again) with the same data directory. */
  startNode(id: number): void {
    const node = this.node(id);
    if (node.process?.alive()) throw new Error(`node ${id} is running`);
    const env: NodeJS.ProcessEnv = { ...process.env, BROOK_LOG: 'info' };
    if (this.options.nodeOptions !== undefined) env['NODE_OPTIONS'] = `${process.env['NODE_OPTIONS'] ?? ''} ${this.options.nodeOptions}`.trim();
    node.process = spawnGroup(`node-${id}`, process.execPath, [BROOK_BIN, 'node', 'join', '--id', String(id), '--data', node.dataDir,
      '--controllers', this.options.voters.join(','), '--nats', node.proxy.urls, '--cluster', this.options.name], {
      logPath: node.logPath, env, onExit: (exit) => { this.exits.push(exit); },
    });
  }

  async kill9(id: number): Promise<void> {
    const p = this.node(id).process;
    if (p) await killGroup(p);
  }

  /** SIGTERM: the node's controlled shutdown; SIGKILL if it takes longer than `graceMs`. */
  async terminate(id: number, graceMs = 15_000): Promise<Exit | undefined> {
    const p = this.node(id).process;
    return p ? await stopGroup(p, graceMs) : undefined;
  }

  /** Exits that no signal of ours asked for. */
  deaths(): Exit[] { return this.exits.filter((e) => !e.expected); }

  async close(): Promise<void> {
    this.admin?.close();
    await this.client?.close().catch(() => undefined);
    await Promise.all([...this.nodes.values()].map(async (n) => { if (n.process) await killGroup(n.process); }));
    await Promise.all([...this.nodes.values()].map((n) => n.proxy.close()));
    await this.nats?.stop();
    if (this.options.keepDir !== true) fs.rmSync(this.root, { recursive: true, force: true });
  }
}
