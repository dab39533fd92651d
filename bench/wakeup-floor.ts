// What waking a process for one small message costs on this machine, by runtime: a sender paces
// messages to an echo process over a loopback TCP socket (no NATS, nothing of Brook's), and the echo
// process's CPU over the run is divided by the messages it answered. The echo is a native program
// (bench/wakeup/echo.c, compiled with `cc` when the machine has one) and a Node process doing the
// least Node can (`socket.on('data', (d) => socket.write(d))`). Every Brook message wakes a Node
// process (and nats-server) at that price: the floor under the per-message figures of
// bench/brook/message-floor.ts and bench/brook/rates.ts.
//   npx tsx bench/wakeup-floor.ts [--rates 100,300,1000,3000] [--seconds 5] [--bytes 200]
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseFloorArgs } from './lib/floor-args.js';
import { describeMachine, formatMachine } from './lib/machine.js';
import { paced } from './lib/paced.js';
import { processCpuNs } from './lib/process-cpu.js';
import { summarizeLatency, type LatencySummary } from './lib/stats.js';
import { markdownTable } from './lib/table.js';

export interface WakeupRow { runtime: string; rate: number; echoUsPerMessage: number; senderUsPerMessage: number; roundTrip: LatencySummary }

const NODE_ECHO = `const s = require('node:net').connect(Number(process.argv[1]), '127.0.0.1'); s.setNoDelay(true); s.on('data', (d) => s.write(d)); s.on('error', () => process.exit(0)); s.on('end', () => process.exit(0));`;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The native echo built into `dir`, or undefined (with the reason printed) when there is no C compiler. */
function buildNativeEcho(dir: string): string | undefined {
  const source = path.join(path.dirname(fileURLToPath(import.meta.url)), 'wakeup', 'echo.c');
  const binary = path.join(dir, 'echo');
  try {
    execFileSync('cc', ['-O2', '-o', binary, source], { stdio: 'pipe' });
    return binary;
  } catch (error) {
    console.log(`native echo skipped: cc failed (${(error as Error).message.split('\n')[0]})`);
    return undefined;
  }
}

/** Paces `bytes`-byte messages at each rate to one echo process; the echo's CPU and the round trips per rate. */
async function measureEcho(runtime: string, start: (port: number) => ChildProcess, rates: number[], seconds: number, bytes: number): Promise<WakeupRow[]> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const child = start((server.address() as net.AddressInfo).port);
  try {
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      server.once('connection', resolve);
      child.once('exit', (code) => reject(new Error(`${runtime} echo exited (${code})`)));
    });
    socket.setNoDelay(true);
    // Echoes come back in order; TCP may join them, so whole messages are counted by bytes.
    const sentTimes: number[] = [];
    let answered = 0;
    let pendingBytes = 0;
    let rtts: number[] = [];
    socket.on('data', (data: Buffer) => {
      pendingBytes += data.length;
      const now = performance.now();
      for (; pendingBytes >= bytes; pendingBytes -= bytes) rtts.push(now - sentTimes[answered++]!);
    });
    const body = Buffer.alloc(bytes, 5);
    const rows: WakeupRow[] = [];
    for (const rate of rates) {
      const run = (sec: number): Promise<number> => paced(Math.round(rate * sec), rate, () => { sentTimes.push(performance.now()); socket.write(body); });
      await run(1); // warm-up
      await sleep(200);
      rtts = [];
      const echoBefore = processCpuNs(child.pid!) ?? 0;
      const ownBefore = processCpuNs(process.pid) ?? 0;
      const answeredBefore = answered;
      await run(seconds);
      await sleep(100);
      const messages = answered - answeredBefore;
      const echoNs = (processCpuNs(child.pid!) ?? 0) - echoBefore;
      const ownNs = (processCpuNs(process.pid) ?? 0) - ownBefore;
      rows.push({ runtime, rate, echoUsPerMessage: echoNs / 1000 / messages, senderUsPerMessage: ownNs / 1000 / messages,
        roundTrip: summarizeLatency(Float64Array.from(rtts), rtts.length) });
    }
    socket.destroy();
    return rows;
  } finally {
    child.kill();
    server.close();
  }
}

export async function measureWakeupFloor(rates: number[], seconds: number, bytes: number): Promise<WakeupRow[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'brook-wakeup-'));
  try {
    const rows: WakeupRow[] = [];
    const native = buildNativeEcho(dir);
    if (native !== undefined) console.log(`one system call (getppid, hot loop): ${execFileSync(native, ['syscall'], { encoding: 'utf8' }).trim()} ns\n`);
    if (native !== undefined) rows.push(...await measureEcho('native (C)', (port) => spawn(native, [String(port)], { stdio: 'ignore' }), rates, seconds, bytes));
    rows.push(...await measureEcho(`node ${process.version}`, (port) => spawn(process.execPath, ['-e', NODE_ECHO, String(port)], { stdio: 'ignore' }), rates, seconds, bytes));
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function wakeupTable(rows: WakeupRow[]): string {
  return markdownTable(['echo process', 'messages/s', 'echo CPU per message', 'sender CPU per message (Node)', 'round trip p50 / p99 (ms)'],
    rows.map((r) => [r.runtime, r.rate, `${r.echoUsPerMessage.toFixed(1)} us`, `${r.senderUsPerMessage.toFixed(1)} us`,
      `${r.roundTrip.p50Ms.toFixed(3)} / ${r.roundTrip.p99Ms.toFixed(3)}`]));
}

async function cli(): Promise<void> {
  const { rates, seconds, bytes } = parseFloorArgs(5);
  console.log(`Machine: ${formatMachine(describeMachine())}\nDate: ${new Date().toISOString()}\n`);
  console.log(wakeupTable(await measureWakeupFloor(rates, seconds, bytes)));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  cli().then(() => process.exit(0), (error: unknown) => { console.error(error); process.exit(1); });
}
