/**
 * Three `nats-server` processes clustered with routes on loopback, each with its own client and
 * cluster port, `max_payload: 8MB`, and a config file in a temp directory. One server can be
 * killed and restarted on the same ports. `no_advertise` keeps the servers from telling clients
 * about each other's addresses: a client knows only the URLs it was given, so a node behind a
 * proxy cannot slip around the proxy when it reconnects.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { findNatsServer } from './nats-server.js';
import { freePorts } from '../../bench/lib/ports.js';
import { spawnGroup, killGroup, stopGroup, type Exit, type GroupProcess } from './process-group.js';

export interface NatsMember { index: number; clientPort: number; clusterPort: number; url: string; configPath: string; logPath: string; process: GroupProcess | undefined }

const STARTUP_TIMEOUT_MS = 15_000;

export class NatsCluster {
  readonly members: NatsMember[];
  private constructor(readonly dir: string, members: NatsMember[], private readonly onExit: (exit: Exit) => void) { this.members = members; }

  /** Every client URL, comma-separated, as `--nats` and `connect({ nats })` take them. */
  get urls(): string { return this.members.map((m) => m.url).join(','); }

  static async start(options: { size?: number; dir?: string; onExit?: (exit: Exit) => void } = {}): Promise<NatsCluster> {
    const size = options.size ?? 3;
    const dir = options.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'brook-nats-cluster-'));
    fs.mkdirSync(dir, { recursive: true });
    const ports = await freePorts(size * 2);
    const members: NatsMember[] = Array.from({ length: size }, (_, i) => ({
      index: i, clientPort: ports[2 * i] as number, clusterPort: ports[2 * i + 1] as number,
      url: `nats://127.0.0.1:${ports[2 * i] as number}`, configPath: path.join(dir, `nats-${i}.conf`), logPath: path.join(dir, `nats-${i}.log`), process: undefined,
    }));
    for (const m of members) fs.writeFileSync(m.configPath, config(m, members));
    const cluster = new NatsCluster(dir, members, options.onExit ?? (() => {}));
    try {
      await Promise.all(members.map((m) => cluster.restart(m.index)));
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  /** Starts member `index` (again) on its ports and waits until it accepts clients. */
  async restart(index: number): Promise<void> {
    const m = this.member(index);
    if (m.process?.alive()) throw new Error(`nats-${index} is running`);
    const logStart = fs.existsSync(m.logPath) ? fs.statSync(m.logPath).size : 0;
    m.process = spawnGroup(`nats-${index}`, findNatsServer(), ['-c', m.configPath], { logPath: m.logPath, onExit: this.onExit });
    await waitReady(m, logStart);
  }

  async kill9(index: number): Promise<void> {
    const p = this.member(index).process;
    if (p) await killGroup(p);
  }

  alive(index: number): boolean { return this.member(index).process?.alive() ?? false; }

  async stop(): Promise<void> {
    await Promise.all(this.members.map(async (m) => { if (m.process) await stopGroup(m.process, 2_000); }));
  }

  private member(index: number): NatsMember {
    const m = this.members[index];
    if (m === undefined) throw new Error(`no nats server ${index}`);
    return m;
  }
}

function config(m: NatsMember, all: NatsMember[]): string {
  const routes = all.filter((o) => o !== m).map((o) => `    nats-route://127.0.0.1:${o.clusterPort}`).join('\n');
  return [
    `server_name: brook-nats-${m.index}`,
    `listen: 127.0.0.1:${m.clientPort}`,
    'max_payload: 8MB',
    'cluster {',
    '  name: brook-nats',
    `  listen: 127.0.0.1:${m.clusterPort}`,
    '  no_advertise: true',
    '  routes: [',
    routes,
    '  ]',
    '}',
    '',
  ].join('\n');
}

/** "Server is ready" in the part of the log this start wrote, then one TCP connect to be sure. */
async function waitReady(m: NatsMember, logStart: number): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  for (;;) {
    if (!m.process?.alive()) throw new Error(`nats-${m.index} exited before it was ready:\n${tail(m.logPath)}`);
    if (readFrom(m.logPath, logStart).includes('Server is ready') && await accepting(m.clientPort)) return;
    if (Date.now() > deadline) throw new Error(`nats-${m.index} not ready within ${STARTUP_TIMEOUT_MS} ms:\n${tail(m.logPath)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function readFrom(file: string, offset: number): string {
  try { return fs.readFileSync(file).subarray(offset).toString('utf8'); } catch { return ''; }
}

function tail(file: string): string { return readFrom(file, 0).slice(-2_000); }

function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}
