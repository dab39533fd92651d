// A loopback JetStream cluster of real nats-server processes, for the JetStream side of the
// produce/consume bench. Each node gets a generated config file, its own store dir and log file
// under `dir`; start() returns only once a JetStream meta leader answers API requests.
import fs from 'node:fs/promises';
import path from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { freePorts } from '../lib/ports.js';
import { forgetDir, logTail, removeDirOnExit, spawnLogged, stopProcess } from '../lib/processes.js';
import type { Spawned } from '../lib/processes.js';
import { natsServerEnv } from '../../runtime/node/memory-tunables.js';
import { nodeConfigText } from './config.js';

export interface JetStreamCluster {
  /** Client URLs, one per node, in node order. */
  urls: string[];
  /** Kills every node and removes `dir`. Safe to call twice. */
  stop(): Promise<void>;
}

export interface ClusterOptions {
  nodes: number;
  /** Working directory; created if missing and removed by stop(). */
  dir: string;
  binary?: string;
  readyTimeoutMs?: number;
}

const clusterName = 'brook-bench';

export async function startJetStreamCluster(options: ClusterOptions): Promise<JetStreamCluster> {
  const { nodes, dir } = options;
  if (!(Number.isInteger(nodes) && nodes >= 1 && nodes <= 9)) throw new RangeError(`nodes ${nodes} not in 1..9`);
  await fs.mkdir(dir, { recursive: true });
  removeDirOnExit(dir);
  const ports = await freePorts(2 * nodes);
  const clientPorts = ports.slice(0, nodes);
  const clusterPorts = ports.slice(nodes);
  const urls = clientPorts.map((port) => `nats://127.0.0.1:${port}`);
  const spawned: Spawned[] = [];
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await Promise.all(spawned.map((node) => stopProcess(node)));
    await fs.rm(dir, { recursive: true, force: true });
    forgetDir(dir);
  };
  try {
    for (let i = 0; i < nodes; i++) {
      const configPath = path.join(dir, `n${i}.conf`);
      await fs.writeFile(configPath, nodeConfigText({
        serverName: `n${i}`, clientPort: clientPorts[i] ?? 0, clusterPort: clusterPorts[i] ?? 0, clusterName,
        storeDir: path.join(dir, `n${i}`), peerClusterPorts: clusterPorts.filter((_, peer) => peer !== i),
      }));
      spawned.push(spawnLogged(options.binary ?? 'nats-server', ['-js', '-c', configPath], path.join(dir, `n${i}.log`), natsServerEnv(process.env)));
    }
    await waitForMetaLeader(urls, spawned, dir, options.readyTimeoutMs ?? 30_000);
    return { urls, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Polls `$JS.API.INFO` until the meta leader answers; fails fast if a node dies meanwhile. */
async function waitForMetaLeader(urls: string[], spawned: Spawned[], dir: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown = undefined;
  for (let attempt = 0; Date.now() < deadline; attempt++) {
    const dead = spawned.findIndex((node) => node.child.exitCode !== null || node.child.signalCode !== null);
    if (dead >= 0) throw new Error(`nats-server n${dead} exited during start:\n${logTail(path.join(dir, `n${dead}.log`))}`);
    try {
      const nc = await connect({ servers: urls, timeout: 1_000, reconnect: false });
      try {
        const jsm = await jetstreamManager(nc, { timeout: 2_000 });
        await jsm.getAccountInfo();
        return;
      } finally {
        await nc.close();
      }
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(100 * (attempt + 1), 500)));
  }
  throw new Error(`JetStream meta leader not ready after ${timeoutMs} ms: ${String(lastError)}`);
}
