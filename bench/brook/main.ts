// Brook side of the produce/consume bench: nats-server + three `brook node join` processes on
// loopback, topic per record size (6 partitions, RF 3, min.insync.replicas 2), workloads a-c per
// size, the failover rounds (d) and the idle-replica memory run (e, its own single-node cluster).
//   npx tsx bench/brook/main.ts [--records N] [--sizes 100,1024] [--rounds 3] [--idle-topics 10]
//     [--idle-partitions 1000] [--idle-settle-ms 20000] [--latency-linger-ms 5] [--latency-adaptive] [--latency-records-per-send 10]
//     [--latency-batch-bytes B] [--failover-victim alternate|partition-leader|controller-leader] [--skip a,b,c,d,e]
//     [--profile-dir DIR] [--json out.json]
//     [--security off,auth,tls,auth+tls [--security-rounds R]]: workloads a-c once per mode and round, each on a
//     fresh cluster with that security (modes alternate, so drift on a shared machine hits every mode alike);
//     failover and idle memory are not run then.
//   The failover rounds kill a partition leader that does not lead the controller quorum in odd rounds and the
//   controller leader in even ones (alternate).
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { commandVersion, describeMachine, formatMachine } from '../lib/machine.js';
import type { MachineInfo } from '../lib/machine.js';
import type { Throughput } from '../lib/stats.js';
import { createTopicReady, makePayloads, sleep, startBrookCluster, stopBrookCluster, storedRecords } from './cluster.js';
import type { BrookCluster } from './cluster.js';
import { consumeAll } from './consume.js';
import { failoverRound } from './failover.js';
import type { FailoverRound, FailoverVictim } from './failover.js';
import { measureIdleMemory } from './idle-memory.js';
import type { IdleMemoryFigures } from './idle-memory.js';
import { measureAckLatency } from './latency.js';
import type { LatencyFigures } from './latency.js';
import { produceThroughput } from './produce.js';
import type { ProduceFigures } from './produce.js';
import { brookTable, failoverTable, securityTable } from './report.js';
import { isSecurityMode, type SecurityMode } from './security.js';

export interface BrookBenchOptions {
  records: number;
  sizes: number[];
  rounds: number;
  /** Whom each failover round kills; 'alternate' is a partition leader (not the controller leader) in odd rounds, the controller leader in even ones. */
  failoverVictim: FailoverVictim | 'alternate';
  idleTopics: number;
  idlePartitions: number;
  /** How long the idle node settles before its RSS is read. */
  idleSettleMs: number;
  skip: string[];
  chunk: number;
  inFlightChunks: number;
  lingerMs: number;
  batchBytes: number;
  /** Workload c: producer lingerMs and records per paced send. */
  latencyLingerMs: number;
  /** The latency producer lingers only while a request is outstanding (ProducerConfig.adaptiveLinger). */
  latencyAdaptive: boolean;
  latencyRecordsPerSend: number;
  /** Workload c: seconds at the same rate before the measured 10 s, summarised apart (LatencyFigures.warmup). */
  latencyWarmupSec: number;
  /** Workload c: producer batchBytes; undefined = the producer default (16 KiB). */
  latencyBatchBytes?: number;
  /** When set, node processes run with `--cpu-prof` into this directory and are stopped with SIGTERM. */
  profileDir?: string;
  /** Security modes to compare (bench/brook/security.ts); empty: one plain cluster, every workload. */
  security: SecurityMode[];
  securityRounds: number;
  log: (line: string) => void;
}

export interface SecurityRun { mode: SecurityMode; round: number; sizes: BrookSizeFigures[] }

export interface BrookSizeFigures { recordBytes: number; produce?: ProduceFigures; consume?: Throughput; latency?: LatencyFigures; errors: Record<string, string> }

export interface BrookFigures {
  system: 'brook';
  startedAt: string;
  machine: MachineInfo;
  loadAverage1mAtEnd: number;
  setup: Omit<BrookBenchOptions, 'log'>;
  sizes: BrookSizeFigures[];
  failover?: FailoverRound[];
  failoverError?: string;
  idleMemory?: IdleMemoryFigures;
  idleMemoryError?: string;
  securityRuns?: SecurityRun[];
}

export const brookDefaults: Omit<BrookBenchOptions, 'log'> = {
  records: 1_000_000, sizes: [100, 1024], rounds: 3, failoverVictim: 'alternate', idleTopics: 10, idlePartitions: 1000, idleSettleMs: 20_000, skip: [],
  chunk: 1000, inFlightChunks: 16, lingerMs: 5, batchBytes: 256 * 1024, latencyLingerMs: 5, latencyAdaptive: false, latencyRecordsPerSend: 10, latencyWarmupSec: 2,
  security: [], securityRounds: 1,
};

const shape = { partitions: 6, replicationFactor: 3, minInsync: 2 };

async function attempt<T>(errors: Record<string, string>, name: string, log: (line: string) => void, work: () => Promise<T>): Promise<T | undefined> {
  try {
    return await work();
  } catch (error) {
    errors[name] = error instanceof Error ? error.message : String(error);
    log(`  ${name} FAILED: ${errors[name]}`);
    return undefined;
  }
}

async function runSize(cluster: BrookCluster, recordBytes: number, options: BrookBenchOptions): Promise<BrookSizeFigures> {
  const { log, records, skip } = options;
  const payloads = makePayloads(recordBytes);
  const figures: BrookSizeFigures = { recordBytes, errors: {} };
  if (!skip.includes('c')) {
    await createTopicReady(cluster, `lat-${recordBytes}`, shape);
    await sleep(2_000);
    log(`  [${recordBytes} B] c. ack latency at 10000/s for 10 s after a ${options.latencyWarmupSec} s warm-up, ${options.latencyRecordsPerSend} records per send, lingerMs ${options.latencyLingerMs}${options.latencyAdaptive ? ' (adaptive)' : ''}`);
    const latency = await attempt(figures.errors, 'c', log, () => measureAckLatency(cluster.client, { topic: `lat-${recordBytes}`, payloads, ratePerSec: 10_000, durationSec: 10, warmupSec: options.latencyWarmupSec, recordsPerSend: options.latencyRecordsPerSend, lingerMs: options.latencyLingerMs, adaptiveLinger: options.latencyAdaptive,
      ...(options.latencyBatchBytes === undefined ? {} : { batchBytes: options.latencyBatchBytes }) }));
    if (latency) {
      figures.latency = latency;
      log(`  [${recordBytes} B] c. p50 ${latency.p50Ms.toFixed(2)} ms, p99 ${latency.p99Ms.toFixed(2)} ms; warm-up p99 ${latency.warmup.p99Ms.toFixed(2)} ms, max ${latency.warmup.maxMs.toFixed(2)} ms`);
    }
  }
  const topic = `bench-${recordBytes}`;
  if (skip.includes('a')) return figures;
  await createTopicReady(cluster, topic, shape);
  log(`  [${recordBytes} B] a. produce ${records} records, ${options.chunk} per send, ${options.inFlightChunks} sends in flight`);
  const produce = await attempt(figures.errors, 'a', log, () => produceThroughput(cluster.client, { topic, records, payloads, chunk: options.chunk,
    inFlightChunks: options.inFlightChunks, lingerMs: options.lingerMs, batchBytes: options.batchBytes }));
  if (!produce) return figures;
  figures.produce = produce;
  const stored = await storedRecords(cluster, topic);
  log(`  [${recordBytes} B] a. ${Math.round(produce.recordsPerSec)} records/s; listOffsets total ${stored}, failed sends ${produce.failedSends}`);
  if (stored !== records) figures.errors['a-verify'] = `listOffsets total ${stored}, expected ${records} (failed sends ${produce.failedSends}: ${produce.firstError ?? ''})`;
  if (skip.includes('b')) return figures;
  log(`  [${recordBytes} B] b. consume ${stored} records from 6 partitions`);
  const consume = await attempt(figures.errors, 'b', log, () => consumeAll(cluster.client, { topic, partitions: shape.partitions, records: stored, recordBytes, maxRecords: 5000, stallTimeoutMs: 30_000 }));
  if (consume) figures.consume = consume;
  return figures;
}

async function stopForProfile(cluster: BrookCluster): Promise<void> {
  await Promise.all([...cluster.processes.nodes.values()].map(async (node) => {
    if (node.child.exitCode !== null || node.child.signalCode !== null) return;
    node.child.kill('SIGTERM');
    await Promise.race([new Promise((r) => node.child.once('exit', r)), sleep(20_000)]);
  }));
}

export async function runBrookBench(partial: Partial<BrookBenchOptions> = {}): Promise<BrookFigures> {
  const options: BrookBenchOptions = { ...brookDefaults, log: () => {}, ...partial };
  const { log } = options;
  const startedAt = new Date().toISOString();
  const machine = describeMachine({ 'nats-server': commandVersion('nats-server', ['--version']).replace(/^nats-server:\s*/, '') });
  const sizes: BrookSizeFigures[] = [];
  const result: BrookFigures = { system: 'brook', startedAt, machine, loadAverage1mAtEnd: 0, setup: { ...options }, sizes };
  delete (result.setup as Partial<BrookBenchOptions>).log;
  if (options.security.length > 0) {
    result.securityRuns = await runSecurityModes(options);
    result.loadAverage1mAtEnd = Math.round((os.loadavg()[0] ?? 0) * 100) / 100;
    return result;
  }
  if (['a', 'b', 'c', 'd'].some((w) => !options.skip.includes(w))) {
    const cluster = await startBrookCluster(options.profileDir === undefined ? { voters: [1, 2, 3] } : { voters: [1, 2, 3], profileDir: options.profileDir });
    try {
      log('brook cluster up: 3 node processes');
      for (const size of options.sizes) sizes.push(await runSize(cluster, size, options));
      if (!options.skip.includes('d')) {
        try {
          await createTopicReady(cluster, 'failover', shape);
          const rounds: FailoverRound[] = [];
          for (let round = 1; round <= options.rounds; round++) {
            log(`  d. failover round ${round}`);
            const victim = options.failoverVictim !== 'alternate' ? options.failoverVictim : round % 2 === 1 ? 'partition-leader' : 'controller-leader';
            const r = await failoverRound(cluster, { topic: 'failover', partitions: 6, payloads: makePayloads(100), recordsPerSend: 10, intervalMs: 10, warmupMs: 4_000, afterKillMs: 8_000, victim }, round);
            log(`  d. round ${round}: killed ${r.killedNode}${r.controllerLeader ? ' (the controller leader)' : ''}, partition ${r.partition}, gap ${r.gapMs.toFixed(0)} ms, failed sends ${r.failedSends}`);
            rounds.push(r);
          }
          result.failover = rounds;
        } catch (error) {
          result.failoverError = error instanceof Error ? error.message : String(error);
          log(`  d. FAILED: ${result.failoverError}`);
        }
      }
      if (options.profileDir) await stopForProfile(cluster);
    } finally {
      await stopBrookCluster(cluster);
    }
  }
  if (!options.skip.includes('e')) {
    log(`  e. idle memory: ${options.idleTopics} topics x ${options.idlePartitions} partitions, RF 1, one node`);
    try {
      result.idleMemory = await measureIdleMemory({ topics: options.idleTopics, partitionsPerTopic: options.idlePartitions, creationBudgetMs: 240_000, settleMs: options.idleSettleMs, log });
    } catch (error) {
      result.idleMemoryError = error instanceof Error ? error.message : String(error);
      log(`  e. FAILED: ${result.idleMemoryError}`);
    }
  }
  result.loadAverage1mAtEnd = Math.round((os.loadavg()[0] ?? 0) * 100) / 100;
  return result;
}

/** Workloads a-c per size on a fresh cluster per mode and round, the modes taking turns. */
async function runSecurityModes(options: BrookBenchOptions): Promise<SecurityRun[]> {
  const runs: SecurityRun[] = [];
  for (let round = 1; round <= options.securityRounds; round++) {
    for (const mode of options.security) {
      options.log(`security ${mode}, round ${round}: 3 node processes`);
      const cluster = await startBrookCluster({ voters: [1, 2, 3], security: mode });
      try {
        const sizes: BrookSizeFigures[] = [];
        for (const size of options.sizes) sizes.push(await runSize(cluster, size, options));
        runs.push({ mode, round, sizes });
      } finally {
        await stopBrookCluster(cluster);
      }
    }
  }
  return runs;
}

export function printBrook(figures: BrookFigures): void {
  console.log(`Brook, 3 node processes over NATS, RF 3, acks=all, min ISR 2, 6 partitions`);
  console.log(`Machine: ${formatMachine(figures.machine)}`);
  console.log(`Date: ${figures.startedAt}; load average at end ${figures.loadAverage1mAtEnd}\n`);
  if (figures.securityRuns) { console.log(securityTable(figures.securityRuns)); return; }
  console.log(brookTable(figures));
  if (figures.failover) console.log(`\n${failoverTable(figures)}`);
  if (figures.failoverError) console.log(`\nd. failover FAILED: ${figures.failoverError}`);
  if (figures.idleMemory) console.log(`\ne. idle memory: ${JSON.stringify(figures.idleMemory)}`);
  if (figures.idleMemoryError) console.log(`\ne. idle memory FAILED: ${figures.idleMemoryError}`);
}

export function parseBrookArgs(argv: string[]): { options: Partial<BrookBenchOptions>; json?: string } {
  const { values } = parseArgs({ args: argv, options: {
    records: { type: 'string' }, sizes: { type: 'string' }, rounds: { type: 'string' }, 'idle-topics': { type: 'string' },
    'idle-partitions': { type: 'string' }, 'idle-settle-ms': { type: 'string' }, 'latency-linger-ms': { type: 'string' }, 'latency-adaptive': { type: 'boolean' }, 'latency-records-per-send': { type: 'string' }, 'latency-warmup-seconds': { type: 'string' }, 'latency-batch-bytes': { type: 'string' }, skip: { type: 'string' }, 'profile-dir': { type: 'string' }, json: { type: 'string' },
    security: { type: 'string' }, 'security-rounds': { type: 'string' }, 'failover-victim': { type: 'string' },
  } });
  const options: Partial<BrookBenchOptions> = {};
  const int = (v: string | undefined, name: string): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!(Number.isInteger(n) && n > 0)) throw new RangeError(`--${name} must be a positive integer, got ${v}`);
    return n;
  };
  const nonNegative = (v: string, name: string): number => {
    const n = Number(v);
    if (!(Number.isFinite(n) && n >= 0)) throw new RangeError(`--${name} must be a number >= 0, got ${v}`);
    return n;
  };
  const set = <K extends keyof BrookBenchOptions>(key: K, value: BrookBenchOptions[K] | undefined): void => { if (value !== undefined) options[key] = value; };
  set('records', int(values.records, 'records'));
  set('rounds', int(values.rounds, 'rounds'));
  const victim = values['failover-victim'];
  if (victim !== undefined && !['alternate', 'partition-leader', 'controller-leader'].includes(victim)) {
    throw new RangeError(`--failover-victim must be alternate, partition-leader or controller-leader, got ${victim}`);
  }
  set('failoverVictim', victim as BrookBenchOptions['failoverVictim'] | undefined);
  set('idleTopics', int(values['idle-topics'], 'idle-topics'));
  set('idlePartitions', int(values['idle-partitions'], 'idle-partitions'));
  set('idleSettleMs', int(values['idle-settle-ms'], 'idle-settle-ms'));
  set('latencyAdaptive', values['latency-adaptive'] === true ? true : undefined);
  set('latencyLingerMs', values['latency-linger-ms'] === undefined ? undefined : Number(values['latency-linger-ms']));
  set('latencyRecordsPerSend', int(values['latency-records-per-send'], 'latency-records-per-send'));
  set('latencyBatchBytes', int(values['latency-batch-bytes'], 'latency-batch-bytes'));
  set('latencyWarmupSec', values['latency-warmup-seconds'] === undefined ? undefined : nonNegative(values['latency-warmup-seconds'], 'latency-warmup-seconds'));
  set('sizes', values.sizes?.split(',').map(Number));
  set('skip', values.skip?.split(','));
  set('profileDir', values['profile-dir'] === undefined ? undefined : path.resolve(values['profile-dir']));
  const modes = values.security?.split(',');
  if (modes !== undefined && !modes.every(isSecurityMode)) throw new RangeError(`--security takes off, auth, tls, auth+tls; got ${values.security}`);
  set('security', modes as SecurityMode[] | undefined);
  set('securityRounds', int(values['security-rounds'], 'security-rounds'));
  return values.json === undefined ? { options } : { options, json: values.json };
}

async function cli(): Promise<void> {
  const { options, json } = parseBrookArgs(process.argv.slice(2));
  const figures = await runBrookBench({ ...options, log: (line) => console.error(line) });
  printBrook(figures);
  if (json !== undefined) await fs.writeFile(json, `${JSON.stringify(figures, null, 2)}\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  cli().then(() => process.exit(process.exitCode ?? 0), (error: unknown) => { console.error(error); process.exit(1); });
}
