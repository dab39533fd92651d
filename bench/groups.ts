// Consumer-group bench: (a) join → first record (a member process spawned, and an SDK consumer in
// the bench's running process), (b) kill -9 of a member → its partitions read elsewhere, (c) kill -9
// of the coordinator's node → commits accepted again, all with real node and member processes over
// NATS; (d) assignor time for 1,000 members × 10,000 partitions, in-process; (e) one member's
// consume throughput with and without auto-commit. `--help` lists the options.
import fs from 'node:fs/promises';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { commandVersion, describeMachine } from './lib/machine.js';
import { createTopicReady, makePayloads, startBrookCluster, stopBrookCluster, type BrookCluster } from './brook/cluster.js';
import { RecordBatches } from './brook/record-batches.js';
import { measureAssignors } from './groups/assign.js';
import { startMember, steadyProducer, waitSettled, type Group } from './groups/group.js';
import { joinInProcessRound, joinRound, killCoordinatorRound, killMemberRound } from './groups/rounds.js';
import { consumeVariant } from './groups/throughput.js';
import { groupReport, type GroupFigures } from './groups/report.js';

const USAGE = `npx tsx bench/groups.ts [options]
  --rounds N              (a) rounds of each join variant (10)
  --kill-rounds N         (b) rounds (10)
  --coordinator-rounds N  (c) rounds (10)
  --records N             (e) records per variant (100000)
  --assign-rounds N       (d) rounds per case (5)
  --skip a,b,c,d,e        leave parts out
  --trace                 nodes log at info; (c) prints each failover's steps (controller, fencing, leadership, coordinator load)
  --record                append the report to bench/RESULTS.md
  --json FILE             write the figures as JSON
  --help                  this text`;

const PARTITIONS = 12;
const shape = { partitions: PARTITIONS, replicationFactor: 3, minInsync: 2 };
const log = (line: string): void => { console.error(line); };

async function attempt(f: GroupFigures, name: string, work: () => Promise<void>): Promise<void> {
  try { await work(); } catch (error) { f.errors[name] = error instanceof Error ? error.message : String(error); log(`  ${name} FAILED: ${f.errors[name]}`); }
}

async function rounds<T>(name: string, n: number, run: () => Promise<T>, show: (r: T) => string): Promise<T[]> {
  const out: T[] = [];
  for (let i = 1; i <= n; i++) { const r = await run(); out.push(r); log(`  ${name} round ${i}: ${show(r)}`); }
  return out;
}

async function groupRounds(cluster: BrookCluster, f: GroupFigures, o: { rounds: number; killRounds: number; coordinatorRounds: number; skip: string[]; trace: boolean }): Promise<void> {
  await createTopicReady(cluster, 'live', shape);
  const producer = steadyProducer(cluster, 'live');
  const group: Group = { cluster, topic: 'live', groupId: 'bench-live', members: new Map(), autoCommitIntervalMs: 100 };
  try {
    for (let i = 0; i < 3; i++) startMember(group);
    await waitSettled(group, PARTITIONS);
    if (!o.skip.includes('a')) {
      await attempt(f, 'a', async () => { f.join = await rounds('a', o.rounds, () => joinRound(group, PARTITIONS), (r) => `${r.spawnToFirstRecordMs} ms`); });
      await attempt(f, 'a-in-process', async () => {
        f.joinInProcess = await rounds('a (in process)', o.rounds, () => joinInProcessRound(group, PARTITIONS), (r) => `${r.subscribeToFirstRecordMs} ms`);
      });
    }
    if (!o.skip.includes('b')) await attempt(f, 'b', async () => { f.killMember = await rounds('b', o.killRounds, () => killMemberRound(group, PARTITIONS), (r) => `${r.partitionsMoved} partitions, all read after ${r.allMovedMs} ms`); });
    if (!o.skip.includes('c')) {
      await attempt(f, 'c', async () => {
        f.coordinator = await rounds('c', o.coordinatorRounds, () => killCoordinatorRound(group, PARTITIONS, o.trace), (r) => `node ${r.killedNode}, ${r.commitsAcceptedMs} ms`);
      });
    }
  } finally {
    for (const m of group.members.values()) if (m.alive) await m.kill9();
    await producer.stop();
  }
}

async function throughputRuns(cluster: BrookCluster, f: GroupFigures, records: number): Promise<void> {
  await createTopicReady(cluster, 'filled', shape);
  const producer = cluster.client.producer({ acks: 'all', lingerMs: 5, batchBytes: 256 * 1024 });
  const batches = new RecordBatches(makePayloads(100), 1000);
  const pending: Array<Promise<unknown>> = [];
  for (let i = 0; i < records; i += 1000) {
    pending.push(producer.send('filled', batches.take(Math.min(1000, records - i))));
    if (pending.length >= 16) await pending.shift();
  }
  await Promise.all(pending);
  await producer.close();
  f.consume = [];
  for (const [i, interval] of [0, undefined, 100].entries()) {
    const v = await consumeVariant(cluster, 'filled', records, interval, `bench-tp-${i}`);
    log(`  e. auto-commit ${v.autoCommit}: ${Math.round(v.recordsPerSec)} records/s`);
    f.consume.push(v);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rounds: { type: 'string' }, 'kill-rounds': { type: 'string' }, 'coordinator-rounds': { type: 'string' }, records: { type: 'string' },
    'assign-rounds': { type: 'string' }, skip: { type: 'string' }, trace: { type: 'boolean' }, record: { type: 'boolean' }, json: { type: 'string' }, help: { type: 'boolean' } } });
  if (values.help === true) { console.log(USAGE); return; }
  const int = (v: string | undefined, d: number): number => (v === undefined ? d : Number(v));
  const o = { rounds: int(values.rounds, 10), killRounds: int(values['kill-rounds'], 10), coordinatorRounds: int(values['coordinator-rounds'], 10),
    records: int(values.records, 100_000), assignRounds: int(values['assign-rounds'], 5), skip: values.skip?.split(',') ?? [], trace: values.trace === true };
  const f: GroupFigures = { startedAt: new Date().toISOString(), command: `npx tsx bench/groups.ts ${process.argv.slice(2).join(' ')}`.trim(),
    machine: describeMachine({ 'nats-server': commandVersion('nats-server', ['--version']).replace(/^nats-server:\s*/, '') }), loadAverage1mAtEnd: 0, errors: {} };
  if (!o.skip.includes('d')) {
    log('d. assignors: 1,000 members x 10 topics x 1,000 partitions');
    await attempt(f, 'd', async () => { f.assign = measureAssignors({ members: 1000, topics: 10, partitionsPerTopic: 1000, rounds: o.assignRounds }); });
  }
  if (['a', 'b', 'c', 'e'].some((w) => !o.skip.includes(w))) {
    const cluster = await startBrookCluster({ voters: [1, 2, 3], name: 'groups', ...(o.trace ? { nodeLog: 'info' } : {}) });
    try {
      log('cluster up: 3 node processes');
      if (['a', 'b', 'c'].some((w) => !o.skip.includes(w))) await attempt(f, 'rounds', () => groupRounds(cluster, f, o));
      if (!o.skip.includes('e')) await attempt(f, 'e', () => throughputRuns(cluster, f, o.records));
    } finally {
      await stopBrookCluster(cluster);
    }
  }
  f.loadAverage1mAtEnd = Math.round((os.loadavg()[0] ?? 0) * 100) / 100;
  const report = groupReport(f);
  console.log(report);
  if (values.record === true) await fs.appendFile(new URL('./RESULTS.md', import.meta.url), `\n${report}`);
  if (values.json !== undefined) await fs.writeFile(values.json, `${JSON.stringify(f, null, 2)}\n`);
}

main().then(() => process.exit(0), (error: unknown) => { console.error(error); process.exit(1); });
