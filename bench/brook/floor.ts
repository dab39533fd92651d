// The floor under Brook's produce and consume on this machine: what the parts Brook is built on
// cost per payload byte, measured alone, and the throughput those costs allow at most when
// nothing else runs. No actors, no records, no Brook protocol: only the bytes.
//   - NATS: one connection publishes messages of --message-bytes to a subject another connection
//     of the same process subscribes to, through one nats-server; CPU of nats-server and of the
//     two connections (opened as Brook opens them, so reads are regrouped as in Brook; raw bytes,
//     no envelope).
//   - LevelDB: Brook's LevelStore appends values of --message-bytes to six logs of one database
//     (one node's share of a 6-partition topic at RF 3), several appends waiting at a time so
//     group commit applies; then reads them back as a consumer's fetches do.
// The produce ceiling at RF 3 (acks=all) counts each payload byte crossing NATS three times
// (producer → leader, leader → each follower) and stored three times; consume, one crossing and
// one read. CPU per byte includes every thread of the process (LevelDB's included).
//   npx tsx bench/brook/floor.ts [--mib 512] [--message-bytes 131072]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startNatsServer } from '../../test/helpers/nats-server.js';
import { LevelStore } from '../../runtime/storage/level-store.js';
import { connectNats } from '../../transport/nats-connect.js';
import { cpuByRole } from '../lib/process-cpu.js';
import { describeMachine, formatMachine } from '../lib/machine.js';
import { markdownTable } from '../lib/table.js';

const { values } = parseArgs({ options: { mib: { type: 'string', default: '512' }, 'message-bytes': { type: 'string', default: '131072' } } });
const totalBytes = Number(values.mib) * 1_048_576;
const messageBytes = Number(values['message-bytes']);
if (!(totalBytes > 0) || !Number.isInteger(messageBytes) || messageBytes < 1024) throw new Error('--mib > 0, --message-bytes an integer ≥ 1024');
const messages = Math.ceil(totalBytes / messageBytes);
const LOGS = 6;
const APPENDS_WAITING = 8;
const FETCH_BYTES = 4 * 1_048_576;

interface Cost { label: string; wallMs: number; bytes: number; cpuMs: Record<string, number> }

const ownCpuMs = (): number => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const nsPerByte = (cpuMs: number, bytes: number): number => (cpuMs * 1e6) / bytes;

async function natsRelay(): Promise<Cost> {
  const server = await startNatsServer();
  const sender = await connectNats({ servers: server.url, name: 'floor-sender' });
  const receiver = await connectNats({ servers: server.url, name: 'floor-receiver' });
  try {
    const body = new Uint8Array(messageBytes).fill(7);
    let received = 0;
    let wake: (() => void) | undefined;
    receiver.subscribe('floor', { callback: () => { received++; wake?.(); } });
    await receiver.flush();
    const before = cpuByRole();
    const ownBefore = ownCpuMs();
    const started = performance.now();
    // At most 32 messages ahead of the receiver, so the server never holds a backlog.
    for (let sent = 0; sent < messages; sent++) {
      sender.publish('floor', body);
      while (sent + 1 - received >= 32 || (sent + 1 === messages && received < messages)) await new Promise<void>((resolve) => { wake = resolve; });
    }
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

async function levelWriteRead(): Promise<[Cost, Cost]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-floor-'));
  const store = await LevelStore.open(dir);
  try {
    const value = new Uint8Array(messageBytes).fill(9);
    let ownBefore = ownCpuMs();
    let started = performance.now();
    await new Promise<void>((resolve, reject) => {
      let issued = 0;
      let completed = 0;
      const issue = (): void => {
        while (issued < messages && issued - completed < APPENDS_WAITING) {
          const n = issued++;
          store.append(`t-${n % LOGS}`, [{ offset: Math.floor(n / LOGS), value }], { sync: false }, (error) => {
            if (error) { reject(error); return; }
            if (++completed === messages) resolve(); else issue();
          });
        }
      };
      issue();
    });
    const write: Cost = { label: 'LevelDB append (one replica)', wallMs: performance.now() - started, bytes: messages * messageBytes, cpuMs: { 'node process': ownCpuMs() - ownBefore } };
    ownBefore = ownCpuMs();
    started = performance.now();
    let readBytes = 0;
    for (let log = 0; log < LOGS; log++) {
      for (let offset = 0; ;) {
        const entries = await new Promise<{ offset: number; value: Uint8Array }[]>((resolve, reject) => {
          store.read(`t-${log}`, offset, FETCH_BYTES, (error, got) => (error ? reject(error) : resolve(got)));
        });
        const fresh = entries.filter((e) => e.offset >= offset);
        if (fresh.length === 0) break;
        for (const entry of fresh) readBytes += entry.value.length;
        offset = fresh[fresh.length - 1]!.offset + 1;
      }
    }
    const read: Cost = { label: 'LevelDB read (4 MiB fetches)', wallMs: performance.now() - started, bytes: readBytes, cpuMs: { 'node process': ownCpuMs() - ownBefore } };
    return [write, read];
  } finally {
    await new Promise<void>((resolve) => store.close(() => resolve()));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const machine = describeMachine();
const relay = await natsRelay();
const [write, read] = await levelWriteRead();
const costs = [relay, write, read];
const perByte = (cost: Cost): number => nsPerByte(Object.values(cost.cpuMs).reduce((a, b) => a + b, 0), cost.bytes);

console.log(`Floor: ${Number(values.mib)} MiB in messages/values of ${messageBytes} B`);
console.log(`Machine: ${formatMachine(machine)}\nDate: ${new Date().toISOString()}\n`);
console.log(markdownTable(['part', 'MB/s alone', 'CPU per payload byte', 'split'], costs.map((c) => [
  c.label, (c.bytes / 1e6 / (c.wallMs / 1000)).toFixed(0), `${perByte(c).toFixed(2)} ns`,
  Object.entries(c.cpuMs).map(([who, ms]) => `${who} ${nsPerByte(ms, c.bytes).toFixed(2)} ns`).join(', '),
])));
const cores = os.availableParallelism();
const produceNs = 3 * perByte(relay) + 3 * perByte(write);
const consumeNs = perByte(relay) + perByte(read);
const ceiling = (ns: number, size: number): string => `${Math.round((cores * 1e9) / ns / size).toLocaleString('en-US')} records/s of ${size} B`;
console.log(`\nProduce, RF 3 (3 crossings, 3 stored copies): ${produceNs.toFixed(1)} ns per payload byte → at most ${ceiling(produceNs, 1024)} on ${cores} cores`);
console.log(`Consume (1 crossing, 1 read): ${consumeNs.toFixed(1)} ns per payload byte → at most ${ceiling(consumeNs, 1024)} on ${cores} cores`);
console.log('These ceilings leave nothing for the SDK, the brokers\' own work or the record format.');
