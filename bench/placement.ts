// Placement bench: a partition holding --bytes (1 GiB by default) is moved from one node process to
// another, once at the reassignment throttle (--throttle bytes/s, 20 MB/s by default) and once
// unthrottled, while a probe producer writes single acks=all records to the partitions of another
// topic; the bench prints how long each move took and the probe's produce latency before and during
// each move.
//   npx tsx bench/placement.ts [--bytes 1073741824] [--throttle 20000000] [--baseline-s 10] [--record] [--json out.json]
// --record appends the report to bench/RESULTS.md.
import fs from 'node:fs/promises';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { commandVersion, describeMachine, formatMachine, type MachineInfo } from './lib/machine.js';
import { createTopicReady, makePayloads, restartNode, sleep, startBrookCluster, stopBrookCluster, type BrookCluster } from './brook/cluster.js';
import { RecordBatches } from './brook/record-batches.js';
import { summarizeLatency, type LatencySummary } from './lib/stats.js';
import { markdownTable } from './lib/table.js';
import { eventually } from '../test/helpers/brook-processes.js';

const log = (line: string): void => { console.error(line); };
const MB = 1_000_000;

interface Phase { name: string; seconds: number; movedBytes: number; probe: LatencySummary; probeFailed: number }
interface Figures {
  startedAt: string; command: string; machine: MachineInfo; loadAverage1mAtEnd: number;
  bytes: number; throttle: number; fillSeconds: number; nodes: number[]; phases: Phase[]; error?: string;
}

/** Fills `big` (one replica) with 1 KiB records in 1 MiB sends, 8 in flight; returns the bytes stored. */
async function fill(cluster: BrookCluster, bytes: number): Promise<number> {
  const producer = cluster.client.producer({ acks: 1, lingerMs: 5, batchBytes: 1 << 20 });
  const batches = new RecordBatches(makePayloads(1024), 1024);
  const pending: Array<Promise<unknown>> = [];
  let sent = 0;
  let lastLog = Date.now();
  while (sent < bytes) {
    pending.push(producer.send('big', batches.take()));
    sent += 1024 * 1024;
    if (pending.length >= 8) await pending.shift();
    if (Date.now() - lastLog > 5000) { log(`  filled ${(sent / MB).toFixed(0)} MB`); lastLog = Date.now(); }
  }
  await Promise.all(pending);
  await producer.close();
  return sent;
}

/** One acks=all record of 100 B to each partition of `live` in turn, every 10 ms; latencies of the sends started while `phase()` names a phase. */
function startProbe(cluster: BrookCluster, partitions: number): { samples: Map<string, number[]>; failed: Map<string, number>; phase: { name: string }; stop: () => Promise<void> } {
  const producer = cluster.client.producer({ acks: 'all', lingerMs: 0, requestTimeoutMs: 5_000, deliveryTimeoutMs: 60_000 });
  const samples = new Map<string, number[]>();
  const failed = new Map<string, number>();
  const phase = { name: 'warm-up' };
  const payloads = makePayloads(100);
  const pending = new Set<Promise<void>>();
  let running = true;
  const loop = (async () => {
    for (let i = 0; running; i++) {
      const name = phase.name;
      const started = performance.now();
      const sent = producer.send('live', [{ value: payloads.at(i) }], { partition: i % partitions }).then(
        () => { const list = samples.get(name) ?? []; list.push(performance.now() - started); samples.set(name, list); },
        () => { failed.set(name, (failed.get(name) ?? 0) + 1); });
      pending.add(sent);
      void sent.then(() => pending.delete(sent));
      await sleep(10);
    }
  })();
  return { samples, failed, phase, stop: async () => { running = false; await loop; await Promise.all(pending); await producer.close(); } };
}

/** Reassigns `big` to `target` and waits until the move is finished; returns its duration in seconds. */
async function move(cluster: BrookCluster, target: number[]): Promise<number> {
  const started = performance.now();
  await cluster.admin.alterPartitionReassignment('big', 0, target);
  let lastLog = Date.now();
  await eventually(async () => {
    const p = (await cluster.admin.describeTopic('big')).partitions[0];
    if (Date.now() - lastLog > 10_000) { log(`  moving to ${target.join(',')}: ${((performance.now() - started) / 1000).toFixed(0)} s`); lastLog = Date.now(); }
    return p !== undefined && p.addingReplicas === undefined && p.replicas.join(',') === target.join(',') ? true : undefined;
  }, 3_600_000, `the move of big/0 to ${target.join(',')}`);
  return (performance.now() - started) / 1000;
}

function report(f: Figures): string {
  const rows = f.phases.map((p) => [p.name, p.seconds.toFixed(1), p.movedBytes > 0 ? (p.movedBytes / MB / p.seconds).toFixed(1) : '',
    p.probe.count, p.probeFailed, p.probe.p50Ms.toFixed(1), p.probe.p99Ms.toFixed(1), p.probe.maxMs.toFixed(1)]);
  return [`## Placement: moving a ${(f.bytes / 2 ** 30).toFixed(2)} GiB partition between node processes (\`bench/placement.ts\`)`, '',
    `- Command: \`${f.command}\``, `- Date: ${f.startedAt}; load average at end ${f.loadAverage1mAtEnd}`, `- Machine: ${formatMachine(f.machine)}`,
    `- Setup: nats-server + 4 \`brook node join\` processes on loopback (nodes ${f.nodes.join(', ')}); topic \`big\`, 1 partition, 1 replica, filled`
    + ` with 1 KiB records in ${f.fillSeconds.toFixed(0)} s (acks=1); topic \`live\`, 6 partitions, RF 3, min ISR 2, where a probe producer sends one`
    + ` 100 B acks=all record every 10 ms, partitions in turn. \`big\` is moved to another node at \`replica.move.throttle.bytes.per.sec=${f.throttle}\`,`
    + ' then to a third node unthrottled; "move MB/s" is the partition\'s bytes over the move\'s duration (reassignment request → replicas final).',
    '', markdownTable(['phase', 'seconds', 'move MB/s', 'probe sends', 'failed', 'p50 ms', 'p99 ms', 'max ms'], rows), '',
    ...(f.error !== undefined ? [`- FAILED: ${f.error}`, ''] : [])].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { bytes: { type: 'string' }, throttle: { type: 'string' }, 'baseline-s': { type: 'string' }, record: { type: 'boolean' }, json: { type: 'string' } } });
  const bytes = Number(values.bytes ?? 2 ** 30);
  const throttle = Number(values.throttle ?? 20 * MB);
  const baselineMs = Number(values['baseline-s'] ?? 10) * 1000;
  const f: Figures = { startedAt: new Date().toISOString(), command: `npx tsx bench/placement.ts ${process.argv.slice(2).join(' ')}`.trim(),
    machine: describeMachine({ 'nats-server': commandVersion('nats-server', ['--version']).replace(/^nats-server:\s*/, '') }),
    loadAverage1mAtEnd: 0, bytes, throttle, fillSeconds: 0, nodes: [], phases: [] };
  const cluster = await startBrookCluster({ voters: [1, 2, 3], name: 'move' });
  restartNode(cluster, 4); // a fourth node, not a voter
  let probe: ReturnType<typeof startProbe> | undefined;
  try {
    await eventually(async () => ((await cluster.admin.metadata()).nodes.filter((n) => n.state === 'unfenced').length === 4 ? true : undefined), 60_000, 'node 4');
    await cluster.admin.alterClusterConfigs({ 'auto.balance.on.join': 'false' });
    const big = await createTopicReady(cluster, 'big', { partitions: 1, replicationFactor: 1, minInsync: 1 });
    const from = big.partitions[0]?.leader as number;
    const [to1, to2] = [4, 3, 2, 1].filter((id) => id !== from) as [number, number];
    f.nodes = [1, 2, 3, 4];
    log(`filling big/0 on node ${from} with ${(bytes / MB).toFixed(0)} MB`);
    const filling = performance.now();
    const stored = await fill(cluster, bytes);
    f.fillSeconds = (performance.now() - filling) / 1000;
    await createTopicReady(cluster, 'live', { partitions: 6, replicationFactor: 3, minInsync: 2 });
    probe = startProbe(cluster, 6);
    await sleep(2000);
    const phase = (name: string, seconds: number, movedBytes: number): void => {
      const s = probe?.samples.get(name) ?? [];
      f.phases.push({ name, seconds, movedBytes, probe: summarizeLatency(Float64Array.from(s), s.length), probeFailed: probe?.failed.get(name) ?? 0 });
      log(`  ${name}: ${seconds.toFixed(1)} s, probe p99 ${f.phases[f.phases.length - 1]?.probe.p99Ms.toFixed(1)} ms`);
    };
    probe.phase.name = 'before the moves';
    await sleep(baselineMs);
    phase('before the moves', baselineMs / 1000, 0);
    await cluster.admin.alterClusterConfigs({ 'replica.move.throttle.bytes.per.sec': String(throttle) });
    const throttledName = `move ${from} → ${to1} at ${(throttle / MB).toFixed(0)} MB/s`;
    probe.phase.name = throttledName;
    log(throttledName);
    phase(throttledName, await move(cluster, [to1]), stored);
    await cluster.admin.alterClusterConfigs({ 'replica.move.throttle.bytes.per.sec': '' });
    const freeName = `move ${to1} → ${to2} unthrottled`;
    probe.phase.name = freeName;
    log(freeName);
    phase(freeName, await move(cluster, [to2]), stored);
    probe.phase.name = 'after the moves';
    await sleep(baselineMs);
    phase('after the moves', baselineMs / 1000, 0);
  } catch (error) {
    f.error = error instanceof Error ? error.message : String(error);
    log(`FAILED: ${f.error}`);
  } finally {
    await probe?.stop();
    f.loadAverage1mAtEnd = Math.round((os.loadavg()[0] ?? 0) * 100) / 100;
    await stopBrookCluster(cluster);
  }
  const text = report(f);
  process.stdout.write(`${text}\n`);
  if (values.json !== undefined) await fs.writeFile(values.json, JSON.stringify(f, null, 2));
  if (values.record === true) await fs.appendFile(new URL('./RESULTS.md', import.meta.url), `\n${text}`);
}

await main();
