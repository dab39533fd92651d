// The per-message floor of this machine: what one NATS message costs in CPU, between separate processes,
// at a given rate, with nothing of Brook's running. A sender process publishes one small message at a time,
// paced at --rates; an echo process (connected as Brook's nodes connect) publishes each one back; the CPU
// of the sender, the echo process and nats-server over each run is divided by the messages that crossed
// nats-server (two per round trip). An acks=all acknowledgement is six such crossings, and a node at a low
// rate handles every message from idle: this is the cost that `bench/brook/rates.ts` sets Brook's own
// CPU per message beside (its nats-server counts are read the same way).
//   npx tsx bench/brook/message-floor.ts [--rates 100,300,1000,3000] [--seconds 6] [--bytes 200]
import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startNatsServer } from '../../test/helpers/nats-server.js';
import { connectNats } from '../../transport/nats-connect.js';
import { cpuByRole, processCpuMs } from '../lib/process-cpu.js';
import { parseFloorArgs } from '../lib/floor-args.js';
import { describeMachine, formatMachine } from '../lib/machine.js';
import { markdownTable } from '../lib/table.js';
import { summarizeLatency, type LatencySummary } from '../lib/stats.js';
import { natsMessageCounts } from '../lib/nats-varz.js';
import { paced } from '../lib/paced.js';

export interface MessageFloorRow {
  rate: number; roundTripsPerSec: number; crossingsPerSec: number; cpuPercent: Record<string, number>; cpuUsPerCrossing: number; echoUsPerMessage: number;
  /** Send to echo received: two crossings, each waking nats-server and then the receiver. */
  roundTrip: LatencySummary;
}

const ownCpuMs = (): number => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The echo process: every message on `floor.echo` goes back on `floor.back`. */
async function echo(url: string): Promise<void> {
  const nc = await connectNats({ servers: url, name: 'floor-echo' });
  nc.subscribe('floor.echo', { callback: (_error, msg) => { nc.publish('floor.back', msg.data); } });
  await nc.flush();
  process.send?.('ready');
  process.on('disconnect', () => { void nc.close().then(() => process.exit(0)); });
}

export async function measureMessageFloor(rates: number[], seconds: number, bytes: number): Promise<MessageFloorRow[]> {
  const server = await startNatsServer({ monitor: true });
  const child = fork(fileURLToPath(import.meta.url), ['--echo', server.url], { execArgv: ['--import', 'tsx'] });
  try {
    await new Promise<void>((resolve, reject) => { child.once('message', () => resolve()); child.once('exit', (code) => reject(new Error(`echo process exited (${code})`))); });
    const nc = await connectNats({ servers: server.url, name: 'floor-sender' });
    // Echoes come back in the order sent (one publisher, one subscriber each way): a FIFO of send times.
    let back = 0;
    let sentTimes: number[] = [];
    let rtts = new Float64Array(0);
    let rttCount = 0;
    nc.subscribe('floor.back', { callback: () => {
      const sentAt = sentTimes[back++];
      if (sentAt !== undefined && rttCount < rtts.length) rtts[rttCount++] = performance.now() - sentAt;
    } });
    await nc.flush();
    const body = new Uint8Array(bytes).fill(5);
    const rows: MessageFloorRow[] = [];
    for (const rate of rates) {
      // Each message sent when it is due (bench/lib/paced.ts): at a low rate every one wakes the echo
      // process from idle, as a request at that rate wakes a node.
      const run = (sec: number): Promise<number> => paced(Math.round(rate * sec), rate, () => { sentTimes.push(performance.now()); nc.publish('floor.echo', body); });
      await run(1); // warm-up: compiled code and settled connections
      await sleep(200);
      sentTimes = new Array<number>(back).fill(Number.NaN); // sends before the measured run are not timed
      rtts = new Float64Array(Math.round(rate * seconds) + 16);
      rttCount = 0;
      const counts = await natsMessageCounts(server.monitorUrl!);
      const before = cpuByRole();
      const echoBefore = processCpuMs(child.pid!) ?? 0;
      const ownBefore = ownCpuMs();
      const backBefore = back;
      const started = performance.now();
      await run(seconds);
      await sleep(100);
      const wallMs = performance.now() - started;
      const after = cpuByRole();
      const own = ownCpuMs() - ownBefore;
      const countsAfter = await natsMessageCounts(server.monitorUrl!);
      const echoMs = (processCpuMs(child.pid!) ?? 0) - echoBefore;
      const natsMs = (after.get('nats') ?? 0) - (before.get('nats') ?? 0);
      const crossings = countsAfter.inMsgs - counts.inMsgs;
      const roundTrips = back - backBefore;
      const timed = rtts.subarray(0, rttCount).filter((v) => !Number.isNaN(v)); // only the slots this run filled
      rows.push({
        rate, roundTripsPerSec: roundTrips / (wallMs / 1000), crossingsPerSec: crossings / (wallMs / 1000),
        cpuPercent: { sender: (own / wallMs) * 100, echo: (echoMs / wallMs) * 100, 'nats-server': (natsMs / wallMs) * 100 },
        cpuUsPerCrossing: ((own + echoMs + natsMs) * 1000) / crossings, echoUsPerMessage: (echoMs * 1000) / roundTrips,
        roundTrip: summarizeLatency(timed, timed.length),
      });
    }
    await nc.close();
    return rows;
  } finally {
    child.disconnect();
    await new Promise((resolve) => { if (child.exitCode !== null) resolve(undefined); else child.once('exit', resolve); });
    await server.stop();
  }
}

export function messageFloorTable(rows: MessageFloorRow[]): string {
  return markdownTable(['offered round trips/s', 'round trips/s', 'messages through nats-server/s', 'CPU: sender / echo / nats-server', 'CPU per message crossing (all three)', 'echo process per message in + out', 'round trip p50 / p99 (ms)'],
    rows.map((r) => [r.rate, Math.round(r.roundTripsPerSec), Math.round(r.crossingsPerSec),
      Object.values(r.cpuPercent).map((p) => `${p.toFixed(1)} %`).join(' / '), `${r.cpuUsPerCrossing.toFixed(0)} us`, `${r.echoUsPerMessage.toFixed(0)} us`,
      `${r.roundTrip.p50Ms.toFixed(2)} / ${r.roundTrip.p99Ms.toFixed(2)}`]));
}

async function cli(): Promise<void> {
  const { rates, seconds, bytes } = parseFloorArgs(6);
  console.log(`Machine: ${formatMachine(describeMachine())}\nDate: ${new Date().toISOString()}\n`);
  console.log(messageFloorTable(await measureMessageFloor(rates, seconds, bytes)));
}

if (process.argv[2] === '--echo') {
  void echo(process.argv[3]!);
} else if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  cli().then(() => process.exit(0), (error: unknown) => { console.error(error); process.exit(1); });
}
