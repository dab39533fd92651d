// The floor under Brook's produce and consume on this machine: what the parts Brook is built on
// cost per payload byte, measured alone, and the throughput those costs allow at most when
// nothing else runs. No actors, no records, no Brook protocol: only the bytes.
//   - NATS: one connection publishes messages of --message-bytes to a subject another connection
//     of the same process subscribes to, through one nats-server; CPU of nats-server and of the
//     two connections (opened as Brook opens them, so reads are regrouped as in Brook; raw bytes,
//     no envelope).
//   - LevelDB (bench/brook/floor-leveldb.ts, in a child process started as a node is): Brook's
//     LevelStore appends values of --message-bytes to six logs of one database
//     (one node's share of a 6-partition topic at RF 3), several appends waiting at a time so
//     group commit applies; then reads them back as a consumer's fetches do.
// The produce ceiling at RF 3 (acks=all) counts each payload byte crossing NATS three times
// (producer → leader, leader → each follower) and stored three times; consume, one crossing and
// one read. CPU per byte includes every thread of the process (LevelDB's included).
//   npx tsx bench/brook/floor.ts [--mib 512] [--message-bytes 131072]
// bench/compare.ts runs it too, so every compare run says what its host allowed at all.
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { startNatsServer } from '../../test/helpers/nats-server.js';
import { nodeProcessEnv } from '../../runtime/node/memory-tunables.js';
import { connectNats } from '../../transport/nats-connect.js';
import { cpuByRole } from '../lib/process-cpu.js';
import { describeMachine, formatMachine } from '../lib/machine.js';
import { markdownTable } from '../lib/table.js';
import { ownCpuMs, type Cost } from './floor-leveldb.js';

export type { Cost } from './floor-leveldb.js';

const LEVELDB_CHILD = fileURLToPath(new URL('./floor-leveldb.ts', import.meta.url));
const WARMUP_MESSAGES = 256;


export interface FloorOptions { mib: number; messageBytes: number }

export interface FloorFigures {
  options: FloorOptions;
  costs: Cost[];
  cores: number;
  /** CPU per payload byte of RF 3 produce: three NATS crossings and three stored copies. */
  produceNsPerByte: number;
  /** One crossing and one read. */
  consumeNsPerByte: number;
}

const nsPerByte = (cpuMs: number, bytes: number): number => (cpuMs * 1e6) / bytes;

async function natsRelay(messages: number, messageBytes: number): Promise<Cost> {
  const server = await startNatsServer();
  const sender = await connectNats({ servers: server.url, name: 'floor-sender' });
  const receiver = await connectNats({ servers: server.url, name: 'floor-receiver' });
  try {
    const body = new Uint8Array(messageBytes).fill(7);
    let received = 0;
    let wake: (() => void) | undefined;
    receiver.subscribe('floor', { callback: () => { received++; wake?.(); } });
    await receiver.flush();
    // At most 32 messages ahead of the receiver, so the server never holds a backlog.
    const relay = async (count: number): Promise<void> => {
      const target = received + count;
      for (let sent = received; sent < target; sent++) {
        sender.publish('floor', body);
        while (sent + 1 - received >= 32 || (sent + 1 === target && received < target)) await new Promise<void>((resolve) => { wake = resolve; });
      }
    };
    await relay(Math.min(messages, WARMUP_MESSAGES)); // Compiled code, not the first calls, is what a node runs.
    const before = cpuByRole();
    const ownBefore = ownCpuMs();
    const started = performance.now();
    await relay(messages);
    const wallMs = performance.now() - started;
    const after = cpuByRole();
    return { label: 'NATS, one crossing', wallMs, bytes: messages * messageBytes,
      cpuMs: { 'nats-server': (after.get('nats') ?? 0) - (before.get('nats') ?? 0), 'both connections': ownCpuMs() - ownBefore } };
  } finally {
    await sender.close();
    await receiver.close();
    await server.stop();
  }
}

/**
 * The LevelDB half runs in a child process started as a node is (runtime/node/memory-tunables.ts):
 * its cost per byte is the store's as a node pays it, not the bench process's.
 */
function levelWriteRead(messages: number, messageBytes: number): [Cost, Cost] {
  const out = execFileSync(process.execPath, [...process.execArgv, LEVELDB_CHILD, String(messages), String(messageBytes)],
    { encoding: 'utf8', env: nodeProcessEnv(process.env), timeout: 600_000 });
  return JSON.parse(out.trim().split('\n').pop() as string) as [Cost, Cost];
}

const perByte = (cost: Cost): number => nsPerByte(Object.values(cost.cpuMs).reduce((a, b) => a + b, 0), cost.bytes);

export async function measureFloor(options: FloorOptions = { mib: 512, messageBytes: 131_072 }): Promise<FloorFigures> {
  const { mib, messageBytes } = options;
  if (!(mib > 0) || !Number.isInteger(messageBytes) || messageBytes < 1024) throw new Error('mib > 0, messageBytes an integer ≥ 1024');
  const messages = Math.ceil((mib * 1_048_576) / messageBytes);
  const relay = await natsRelay(messages, messageBytes);
  const [write, read] = levelWriteRead(messages, messageBytes);
  return { options, costs: [relay, write, read], cores: os.availableParallelism(),
    produceNsPerByte: 3 * perByte(relay) + 3 * perByte(write), consumeNsPerByte: perByte(relay) + perByte(read) };
}

/** Records of `size` bytes per second that `nsPerByte` allows on every core with nothing else running. */
export function ceilingRecordsPerSec(figures: FloorFigures, nsPerByte: number, size: number): number {
  return (figures.cores * 1e9) / nsPerByte / size;
}

export function floorTable(figures: FloorFigures): string {
  return markdownTable(['part', 'MB/s alone', 'CPU per payload byte', 'split'], figures.costs.map((c) => [
    c.label, (c.bytes / 1e6 / (c.wallMs / 1000)).toFixed(0), `${perByte(c).toFixed(2)} ns`,
    Object.entries(c.cpuMs).map(([who, ms]) => `${who} ${nsPerByte(ms, c.bytes).toFixed(2)} ns`).join(', '),
  ]));
}

/** The ceilings at `size`, one line each. */
export function floorLines(figures: FloorFigures, size: number): string[] {
  const at = (ns: number): string => `${Math.round(ceilingRecordsPerSec(figures, ns, size)).toLocaleString('en-US')} records/s of ${size} B`;
  return [
    `Produce, RF 3 (3 crossings, 3 stored copies): ${figures.produceNsPerByte.toFixed(1)} ns per payload byte → at most ${at(figures.produceNsPerByte)} on ${figures.cores} cores`,
    `Consume (1 crossing, 1 read): ${figures.consumeNsPerByte.toFixed(1)} ns per payload byte → at most ${at(figures.consumeNsPerByte)} on ${figures.cores} cores`,
  ];
}

async function cli(): Promise<void> {
  const { values } = parseArgs({ options: { mib: { type: 'string', default: '512' }, 'message-bytes': { type: 'string', default: '131072' } } });
  const machine = describeMachine();
  const figures = await measureFloor({ mib: Number(values.mib), messageBytes: Number(values['message-bytes']) });
  console.log(`Floor: ${figures.options.mib} MiB in messages/values of ${figures.options.messageBytes} B`);
  console.log(`Machine: ${formatMachine(machine)}\nDate: ${new Date().toISOString()}\n`);
  console.log(floorTable(figures));
  console.log('');
  for (const line of floorLines(figures, 1024)) console.log(line);
  console.log('These ceilings leave nothing for the SDK, the brokers\' own work or the record format.');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  cli().then(() => process.exit(0), (error: unknown) => { console.error(error); process.exit(1); });
}
