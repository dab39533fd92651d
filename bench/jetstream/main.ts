// JetStream side of Brook's produce/consume bench: starts a 3-node loopback JetStream cluster,
// runs the workloads for each record size, prints a table and optionally writes JSON figures
// that a combined Brook-vs-JetStream report reads.
//   npx tsx bench/jetstream/main.ts [--records N] [--sizes 100,1024] [--json out.json]
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { commandVersion, describeMachine, formatMachine } from '../lib/machine.js';
import type { MachineInfo } from '../lib/machine.js';
import { startJetStreamCluster } from './cluster.js';
import { figuresTable } from './report.js';
import { partitionCount } from './stream.js';
import { runSizeWorkloads } from './workload.js';
import type { SizeFigures, WorkloadSettings } from './workload.js';

export interface JetStreamBenchOptions extends Partial<WorkloadSettings> {
  /** Record sizes in bytes; default [100, 1024]. */
  sizes?: number[];
  nodes?: number;
  /** Cluster working directory; default a fresh dir under os.tmpdir(), removed at the end. */
  dir?: string;
  log?: (line: string) => void;
}

export interface JetStreamFigures {
  system: 'nats-jetstream';
  schemaVersion: 1;
  startedAt: string;
  machine: MachineInfo;
  /** 1-minute load average when the workloads ended; far above the bench's own load means noise. */
  loadAverage1mAtEnd: number;
  setup: WorkloadSettings & { nodes: number; subjects: number; storage: 'file' };
  sizes: SizeFigures[];
}

const defaults: WorkloadSettings = {
  records: 1_000_000, replicas: 3, inFlightJs: 2_000, inFlightCore: 5_000, consumeBatchRecords: 1_000,
  latencyRatePerSec: 10_000, latencyDurationSec: 10, latencyWarmupSec: 2, stallTimeoutMs: 30_000,
};

export async function runJetStreamBench(options: JetStreamBenchOptions = {}): Promise<JetStreamFigures> {
  const { sizes = [100, 1024], nodes = 3, log = () => {} } = options;
  const settings: WorkloadSettings = { ...defaults };
  for (const key of Object.keys(defaults) as (keyof WorkloadSettings)[]) settings[key] = options[key] ?? defaults[key];
  if (settings.replicas > nodes) throw new RangeError(`replicas ${settings.replicas} > nodes ${nodes}`);
  if (sizes.length === 0 || sizes.some((size) => !(Number.isInteger(size) && size > 0))) throw new RangeError('sizes');
  const startedAt = new Date().toISOString();
  const machine = describeMachine({ 'nats-server': commandVersion('nats-server', ['--version']).replace(/^nats-server:\s*/, '') });
  const dir = options.dir ?? await fs.mkdtemp(path.join(os.tmpdir(), 'brook-bench-jetstream-'));
  const cluster = await startJetStreamCluster({ nodes, dir });
  try {
    log(`cluster up: ${cluster.urls.join(' ')}`);
    // noRandomize: the bench client always talks to n0, so runs are comparable with each other.
    const nc = await connect({ servers: cluster.urls, noRandomize: true });
    try {
      const clients = { nc, js: jetstream(nc), jsm: await jetstreamManager(nc) };
      const figures: SizeFigures[] = [];
      for (const size of sizes) figures.push(await runSizeWorkloads(clients, size, settings, log));
      const loadAverage1mAtEnd = Math.round((os.loadavg()[0] ?? 0) * 100) / 100;
      return { system: 'nats-jetstream', schemaVersion: 1, startedAt, machine, loadAverage1mAtEnd,
        setup: { ...settings, nodes, subjects: partitionCount, storage: 'file' }, sizes: figures };
    } finally {
      await nc.close();
    }
  } finally {
    await cluster.stop();
  }
}

async function cli(): Promise<void> {
  const { values } = parseArgs({ options: {
    records: { type: 'string' }, sizes: { type: 'string' }, json: { type: 'string' },
  } });
  const options: JetStreamBenchOptions = { log: (line) => console.error(line) };
  if (values.records !== undefined) options.records = Number(values.records);
  if (values.sizes !== undefined) options.sizes = values.sizes.split(',').map(Number);
  if (options.records !== undefined && !(Number.isInteger(options.records) && options.records > 0)) {
    throw new RangeError(`--records must be a positive integer, got ${values.records}`);
  }
  const figures = await runJetStreamBench(options);
  console.log(`NATS JetStream, ${figures.setup.nodes} nodes, R${figures.setup.replicas}, ${figures.setup.subjects} subjects, file storage`);
  console.log(`Machine: ${formatMachine(figures.machine)}`);
  console.log(`Date: ${figures.startedAt}; load average at end ${figures.loadAverage1mAtEnd}\n`);
  console.log(figuresTable(figures.sizes));
  if (values.json !== undefined) {
    await fs.writeFile(values.json, `${JSON.stringify(figures, null, 2)}\n`);
    console.error(`figures written to ${values.json}`);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  cli().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
