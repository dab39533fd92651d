/**
 * Starts a real `nats-server` for a test file (or a bench) on a port the server picks itself
 * (`-p -1`; the port is read back from its log, so there is no race for a pre-picked port), with
 * `max_payload` raised to 8 MB so that Brook's largest envelopes fit. `config` adds to the config
 * file (an `authorization` or `tls` block), `env` to the server's environment (passwords the
 * config refers to), `monitor` the server's HTTP monitoring endpoint on a port it picks (benches read
 * its message counters). A missing binary is an error, never a silent skip: CI installs the Debian package.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { natsServerEnv } from '../../runtime/node/memory-tunables.js';

export interface NatsServer {
  url: string;
  port: number;
  /** The server's process id (to read what the kernel says about it). */
  pid: number;
  /** `http://127.0.0.1:<port>` of the monitoring endpoint, when started with `monitor`. */
  monitorUrl?: string;
  stop(): Promise<void>;
}

const CANDIDATES = ['/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server'];
const STARTUP_TIMEOUT_MS = 15_000;

export function findNatsServer(): string {
  for (const candidate of CANDIDATES) if (fs.existsSync(candidate)) return candidate;
  for (const dir of (process.env['PATH'] ?? '').split(path.delimiter)) {
    if (dir !== '' && fs.existsSync(path.join(dir, 'nats-server'))) return path.join(dir, 'nats-server');
  }
  throw new Error('nats-server not found (looked in /usr/sbin and on PATH): install it with `apt-get install -y nats-server`');
}

export interface NatsServerOptions { maxPayload?: string; config?: string; env?: Record<string, string>; monitor?: boolean }

export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServer> {
  const binary = findNatsServer();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-nats-'));
  const config = path.join(dir, 'nats.conf');
  const monitor = options.monitor === true ? 'http: "127.0.0.1:-1"\n' : '';
  fs.writeFileSync(config, `max_payload: ${options.maxPayload ?? '8MB'}\n${monitor}${options.config ?? ''}\n`);
  const child = spawn(binary, ['-c', config, '-a', '127.0.0.1', '-p', '-1'], { stdio: ['ignore', 'ignore', 'pipe'], env: natsServerEnv({ ...process.env, ...options.env }) });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const cleanup = (): void => { fs.rmSync(dir, { recursive: true, force: true }); };
  // If the test process dies without calling stop(), the server must not outlive it.
  const killOnExit = (): void => { child.kill('SIGKILL'); };
  process.once('exit', killOnExit);
  let port: number;
  let monitorPort: number | undefined;
  try {
    [port, monitorPort] = await readPorts(child, options.monitor === true);
    await waitAccepting(port);
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    process.removeListener('exit', killOnExit);
    cleanup();
    throw error;
  }
  child.stderr?.resume(); // keep draining the log so the server never blocks on a full pipe
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    pid: child.pid as number,
    ...(monitorPort === undefined ? {} : { monitorUrl: `http://127.0.0.1:${monitorPort}` }),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      process.removeListener('exit', killOnExit);
      cleanup();
    },
  };
}

function readPorts(child: ChildProcess, monitor: boolean): Promise<[number, number | undefined]> {
  return new Promise((resolve, reject) => {
    let log = '';
    const timer = setTimeout(() => finish(new Error(`nats-server did not start within ${STARTUP_TIMEOUT_MS} ms:\n${log}`)), STARTUP_TIMEOUT_MS);
    const onData = (chunk: Buffer): void => {
      log += chunk.toString('utf8');
      const port = /Listening for client connections on [^\s:]+:(\d+)/.exec(log)?.[1];
      const monitorPort = /Starting http monitor on [^\s:]+:(\d+)/.exec(log)?.[1];
      if (port !== undefined && (!monitor || monitorPort !== undefined) && log.includes('Server is ready')) {
        finish(undefined, [Number(port), monitorPort === undefined ? undefined : Number(monitorPort)]);
      }
    };
    const onExit = (code: number | null): void => finish(new Error(`nats-server exited (code ${code}) before it was ready:\n${log}`));
    const finish = (error: Error | undefined, ports?: [number, number | undefined]): void => {
      clearTimeout(timer);
      child.stderr?.removeListener('data', onData);
      child.removeListener('exit', onExit);
      if (error !== undefined) reject(error); else resolve(ports as [number, number | undefined]);
    };
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
    child.once('error', (error) => finish(error));
  });
}

/** "Server is ready" is logged once the listener is open; one TCP connect confirms it. */
function waitAccepting(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => { socket.destroy(); resolve(); });
    socket.once('error', reject);
  });
}
