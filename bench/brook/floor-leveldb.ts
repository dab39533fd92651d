// The LevelDB half of bench/brook/floor.ts, run as a child process started with a node's environment
// (runtime/node/memory-tunables.ts): Brook's LevelStore appends values to six logs of one database
// (one node's share of a 6-partition topic at RF 3), several appends waiting at a time so group
// commit applies, then reads them back as a consumer's fetches do. Prints [write, read] as JSON.
//   node --import tsx bench/brook/floor-leveldb.ts MESSAGES MESSAGE_BYTES
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { LevelStore } from '../../runtime/storage/level-store.js';
import { makePayloads } from '../lib/payload.js';

export interface Cost { label: string; wallMs: number; bytes: number; cpuMs: Record<string, number> }

const LOGS = 6;
const APPENDS_WAITING = 8;
const FETCH_BYTES = 4 * 1_048_576;

export const ownCpuMs = (): number => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };

export async function levelWriteRead(messages: number, messageBytes: number): Promise<[Cost, Cost]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-floor-'));
  const store = await LevelStore.open(dir);
  try {
    const values = makePayloads(messageBytes); // incompressible and distinct, as the workloads' records are
    let ownBefore = ownCpuMs();
    let started = performance.now();
    await new Promise<void>((resolve, reject) => {
      let issued = 0;
      let completed = 0;
      const issue = (): void => {
        while (issued < messages && issued - completed < APPENDS_WAITING) {
          const n = issued++;
          store.append(`t-${n % LOGS}`, [{ offset: Math.floor(n / LOGS), value: values.at(n) }], { sync: false }, (error) => {
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

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const [messages, messageBytes] = process.argv.slice(2).map(Number);
  if (!Number.isInteger(messages) || !Number.isInteger(messageBytes)) throw new Error('usage: floor-leveldb.ts MESSAGES MESSAGE_BYTES');
  levelWriteRead(messages as number, messageBytes as number).then((costs) => console.log(JSON.stringify(costs)), (error: unknown) => { console.error(error); process.exit(1); });
}
