// What V8's allocation-site pretenuring costs an actor (runtime/gc-tuning.ts): the producer machine
// takes `--sends` sends of 10 records (acks 0, effects dropped: no I/O, the machine alone) in a
// child process, with V8's default and with `--no-allocation-site-pretenuring`, alternating; the
// child runs under `--trace-gc-nvp`, and the parent reads how much each young collection kept
// (`new_space_survived`) and promoted, and how long the sends took.
//   npx tsx bench/gc-tuning.ts [--sends 100000] [--pairs 3]
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createActor } from 'xstate';
import { parseProducerMessage, producerMachine } from '../actors/producer.js';
import { GC_TUNING_FLAG } from '../runtime/gc-tuning.js';
import { describeMachine, formatMachine } from './lib/machine.js';
import { markdownTable } from './lib/table.js';

interface Run { flag: boolean; ms: number; scavenges: number; survivedKb: number; promotedKb: number }

/** The child: the producer machine alone, sends as fast as it takes them; prints the milliseconds. */
function child(sends: number): void {
  const sent: Array<{ type: string; to: string; corr?: number }> = [];
  const machine = producerMachine.provide({ actions: { send: (_: unknown, params: never) => { sent.push(params); }, deliver: () => {}, report: () => {} } as never });
  const actor = createActor(machine, { input: { clientId: 'bench', seed: 1, acks: 0, lingerMs: 5 } });
  actor.start();
  const payload = new Uint8Array(100);
  const records = (nowMs: number) => Array.from({ length: 10 }, () => ({ value: payload, timestamp: nowMs }));
  actor.send({ type: 'send', requestId: 0, topic: 't', records: records(0), nowMs: 0 });
  const metadata = sent.find((m) => m.type === 'metadata');
  if (metadata === undefined) throw new Error('the producer asked for no metadata');
  const reply = parseProducerMessage({ type: 'metadataReply', from: metadata.to, corr: metadata.corr, body: {
    code: 'OK', clusterId: 'c', controllerId: 1, metadataOffset: 1, nodes: [1, 2, 3].map((nodeId) => ({ nodeId, state: 'unfenced', nodeEpoch: 1 })),
    topics: [{ name: 't', topicId: 't-id', configs: {}, partitions: [0, 1, 2, 3, 4, 5].map((partition) => ({
      partition, leader: 1 + (partition % 3), leaderEpoch: 1, partitionEpoch: 1, replicas: [1, 2, 3], isr: [1, 2, 3] })) }],
  } });
  if (!reply.ok) throw new Error(`metadata reply refused: ${reply.message}`);
  actor.send({ ...reply.event, nowMs: 0 } as never);
  const started = performance.now();
  for (let i = 1; i <= sends; i++) {
    actor.send({ type: 'send', requestId: i, topic: 't', records: records(i), nowMs: i });
    if (i % 5 === 0) actor.send({ type: 'tick', nowMs: i });
    sent.length = 0;
  }
  console.log(`ms ${(performance.now() - started).toFixed(1)}`);
}

function run(sends: number, flag: boolean): Run {
  const self = fileURLToPath(import.meta.url);
  const args = ['--trace-gc-nvp', ...(flag ? [GC_TUNING_FLAG] : []), '--import', 'tsx', self, '--child', '--sends', String(sends)];
  const out = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (out.status !== 0) throw new Error(`child failed: ${out.stderr}`);
  const ms = Number(/^ms ([\d.]+)$/m.exec(out.stdout)?.[1]);
  // Skip the first two young collections: start-up, not the steady state.
  const scavenges = out.stdout.split('\n').filter((line) => line.includes(' gc=s ')).slice(2);
  const field = (line: string, name: string): number => Number(new RegExp(` ${name}=(\\d+)`).exec(line)?.[1] ?? 0);
  const mean = (name: string): number => scavenges.reduce((n, line) => n + field(line, name), 0) / Math.max(1, scavenges.length) / 1024;
  return { flag, ms, scavenges: scavenges.length, survivedKb: mean('new_space_survived'), promotedKb: mean('promoted') };
}

function cli(): void {
  const { values } = parseArgs({ options: { sends: { type: 'string', default: '100000' }, pairs: { type: 'string', default: '3' }, child: { type: 'boolean', default: false } } });
  const sends = Number(values.sends);
  if (values.child) { child(sends); return; }
  const runs: Run[] = [];
  for (let i = 0; i < Number(values.pairs); i++) for (const flag of [false, true]) runs.push(run(sends, flag));
  console.log(`GC tuning: the producer machine alone, ${sends} sends of 10 records, acks 0, alternating`);
  console.log(`Machine: ${formatMachine(describeMachine())}\nDate: ${new Date().toISOString()}\n`);
  console.log(markdownTable(['V8 setting', 'Sends/s', 'Young collections', 'Kept per collection (KB)', 'Promoted per collection (KB)'],
    runs.map((r) => [r.flag ? GC_TUNING_FLAG : 'default', Math.round(sends / (r.ms / 1000)), r.scavenges, r.survivedKb.toFixed(0), r.promotedKb.toFixed(0)])));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) cli();
