// Brook vs NATS JetStream in one run: the Brook workloads (bench/brook) and the JetStream R3
// workloads (bench/jetstream) with the same N and record sizes, then Brook / JetStream ratios
// against the performance aims, then the floor of the host (bench/brook/floor.ts: what NATS and
// LevelDB alone allow), measured before the Brook half and after the JetStream half, and Brook's
// share of it: the host's speed, and how it moved during the run, in the same report. Prints
// markdown ready for RESULTS.md; no figure is asserted.
//   npx tsx bench/compare.ts [--records N] [--sizes 100,1024] [--rounds 3] [--idle-topics 10] [--latency-warmup-seconds 2] [--json out.json]
import fs from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { runJetStreamBench } from './jetstream/main.js';
import type { JetStreamFigures } from './jetstream/main.js';
import { figuresTable } from './jetstream/report.js';
import { parseBrookArgs, printBrook, runBrookBench } from './brook/main.js';
import { ceilingRecordsPerSec, floorTable, measureFloor, type FloorFigures } from './brook/floor.js';
import type { BrookFigures } from './brook/main.js';
import { markdownTable } from './lib/table.js';
import { tuneGarbageCollector } from '../runtime/gc-tuning.js';
import type { Cell } from './lib/table.js';
import { percentile } from './lib/stats.js';

/**
 * The aims of the performance work, as Brook / JetStream R3 in one run: produce against core publish
 * + PubAck (the fastest way to write to a JetStream R3 stream), consume against the ordered
 * consumer, and acks=all latency at 10,000 records/s offered with default producer settings.
 */
const produceTarget: Record<number, number> = { 100: 4, 1024: 1.75 };
const consumeTarget: Record<number, number> = { 1024: 1.5 };
const ackP99TargetMs = 10;
const ackP50TargetMs = 3;

function verdict(ok: boolean | undefined): string { return ok === undefined ? 'n/a' : ok ? 'meets' : 'BELOW target'; }

/** Brook / JetStream and its verdict against `target` (none when either is missing). */
function versus(brook: number | undefined, js: number, target: number | undefined): [string, string, string] {
  const ratio = brook === undefined ? undefined : brook / js;
  if (target === undefined) return [ratio === undefined ? 'n/a' : ratio.toFixed(2), '', ''];
  return [ratio === undefined ? 'n/a' : ratio.toFixed(2), `>= ${target}x`, verdict(ratio === undefined ? undefined : ratio >= target)];
}

export function ratioTable(brook: BrookFigures, js: JetStreamFigures): string {
  const rows: Cell[][] = [];
  for (const b of brook.sizes) {
    const j = js.sizes.find((s) => s.recordBytes === b.recordBytes);
    if (!j) continue;
    const size = b.recordBytes;
    const produce = b.produce?.recordsPerSec;
    rows.push([size, 'produce vs js.publish', produce ?? 'n/a', j.produceJsClient.recordsPerSec, ...versus(produce, j.produceJsClient.recordsPerSec, undefined)]);
    rows.push([size, 'produce vs core publish + PubAck', produce ?? 'n/a', j.produceCorePublish.recordsPerSec,
      ...versus(produce, j.produceCorePublish.recordsPerSec, produceTarget[size])]);
    const consume = b.consume?.recordsPerSec;
    rows.push([size, 'consume', consume ?? 'n/a', j.consumeOrdered.recordsPerSec, ...versus(consume, j.consumeOrdered.recordsPerSec, consumeTarget[size])]);
    const latency = b.latency;
    const ms = (x: number | undefined): string => (x === undefined ? 'n/a' : x.toFixed(2));
    const msRatio = (x: number | undefined, y: number): string => (x === undefined ? 'n/a' : (x / y).toFixed(2));
    rows.push([size, 'ack p50 at 10,000/s (ms; lower is better)', ms(latency?.p50Ms), ms(j.ackLatency.p50Ms), msRatio(latency?.p50Ms, j.ackLatency.p50Ms),
      `< ${ackP50TargetMs} ms`, verdict(latency === undefined ? undefined : latency.p50Ms < ackP50TargetMs)]);
    rows.push([size, 'ack p99 at 10,000/s (ms; lower is better)', ms(latency?.p99Ms), ms(j.ackLatency.p99Ms), msRatio(latency?.p99Ms, j.ackLatency.p99Ms),
      `< ${ackP99TargetMs} ms`, verdict(latency === undefined ? undefined : latency.p99Ms < ackP99TargetMs)]);
    // The cold start, shown apart from the steady window above: not judged against the aims.
    rows.push([size, `ack p99 in the ${latency?.warmupSec ?? j.ackLatency.warmupSec} s warm-up before it (ms)`, ms(latency?.warmup.p99Ms), ms(j.ackLatency.warmup.p99Ms),
      msRatio(latency?.warmup.p99Ms, j.ackLatency.warmup.p99Ms), '', '']);
  }
  return markdownTable(['Record size (B)', 'Figure', 'Brook', 'JetStream', 'Brook / JetStream', 'Target', 'Verdict'], rows);
}

export function targetLines(brook: BrookFigures): string[] {
  const lines: string[] = [];
  if (brook.failover && brook.failover.length > 0) {
    const gaps = Float64Array.from(brook.failover.map((r) => r.gapMs)).sort();
    const max = gaps[gaps.length - 1] ?? Number.NaN;
    const controller = brook.failover.filter((r) => r.controllerLeader).length;
    lines.push(`Failover gap (${gaps.length} rounds, ${controller} of them killing the controller leader): p50 ${percentile(gaps, 0.5).toFixed(0)} ms, max ${max.toFixed(0)} ms; target p99 < 1 s: ${verdict(max < 1000)} (with ${gaps.length} rounds, p99 = max)`);
  } else {
    lines.push(`Failover gap: n/a (${brook.failoverError ?? 'skipped'})`);
  }
  const idle = brook.idleMemory;
  if (idle) {
    lines.push(`Idle replica memory: ${idle.kibPerReplica.toFixed(1)} KiB per replica over ${idle.replicas} replicas (RSS ${idle.rssBeforeKiB} -> ${idle.rssAfterKiB} KiB; `
      + `${idle.kibPerReplicaMin.toFixed(1)}-${idle.kibPerReplicaMax.toFixed(1)} KiB over the idle window); target <= 50 KiB: ${verdict(idle.kibPerReplica <= 50)}`);
  } else {
    lines.push(`Idle replica memory: n/a (${brook.idleMemoryError ?? 'skipped'})`);
  }
  return lines;
}

/** Brook's produce and consume as a share of what the host's parts alone allow at each size, by the floor measured before and after. */
export function floorShareLines(brook: BrookFigures, floors: [FloorFigures, FloorFigures]): string[] {
  const lines: string[] = [];
  const share = (workload: string, got: number | undefined, nsOf: (f: FloorFigures) => number, size: number): string => {
    const ceilings = floors.map((f) => ceilingRecordsPerSec(f, nsOf(f), size));
    const shares = got === undefined ? 'n/a' : ceilings.map((c) => `${((100 * got) / c).toFixed(0)} %`).join(' / ');
    return `${workload} ${size} B: the floor allows at most ${ceilings.map((c) => Math.round(c).toLocaleString('en-US')).join(' / ')} records/s (before / after); Brook ${shares} of it`;
  };
  for (const b of brook.sizes) {
    lines.push(share('produce (RF 3)', b.produce?.recordsPerSec, (f) => f.produceNsPerByte, b.recordBytes));
    lines.push(share('consume', b.consume?.recordsPerSec, (f) => f.consumeNsPerByte, b.recordBytes));
  }
  return lines;
}

async function cli(): Promise<void> {
  // Both halves' clients and the floor run as the README tells SDK users to run theirs (runtime/gc-tuning.ts).
  tuneGarbageCollector();
  const { options, json } = parseBrookArgs(process.argv.slice(2));
  const log = (line: string): void => console.error(line);
  log('floor, before:');
  const floorBefore = await measureFloor();
  const brook = await runBrookBench({ ...options, log });
  log('jetstream:');
  const jsOptions: Parameters<typeof runJetStreamBench>[0] = { log };
  if (options.records !== undefined) jsOptions.records = options.records;
  if (options.sizes !== undefined) jsOptions.sizes = options.sizes;
  if (options.latencyWarmupSec !== undefined) jsOptions.latencyWarmupSec = options.latencyWarmupSec; // the same warm-up for both
  const js = await runJetStreamBench(jsOptions);
  log('floor, after:');
  const floorAfter = await measureFloor();
  printBrook(brook);
  console.log(`\nNATS JetStream R3, same run (load average at end ${js.loadAverage1mAtEnd})\n`);
  console.log(figuresTable(js.sizes));
  console.log(`\nRatios\n\n${ratioTable(brook, js)}\n`);
  for (const line of targetLines(brook)) console.log(`- ${line}`);
  for (const [when, floor] of [['before the Brook half', floorBefore], ['after the JetStream half', floorAfter]] as const) {
    console.log(`\nThe floor of this host ${when} (bench/brook/floor.ts: NATS and LevelDB alone; ${floor.produceNsPerByte.toFixed(1)} ns per payload byte for RF 3 produce, ${floor.consumeNsPerByte.toFixed(1)} for consume)\n`);
    console.log(floorTable(floor));
  }
  console.log('');
  for (const line of floorShareLines(brook, [floorBefore, floorAfter])) console.log(`- ${line}`);
  if (json !== undefined) await fs.writeFile(json, `${JSON.stringify({ brook, jetstream: js, floorBefore, floorAfter }, null, 2)}\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  cli().then(() => process.exit(process.exitCode ?? 0), (error: unknown) => { console.error(error); process.exit(1); });
}
