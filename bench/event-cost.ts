// What one event costs a Brook actor, hot and after the process slept: a controller replica (the real
// machine, its effects answered in memory) is brought to follower and sent the same `tick` event over and
// over, back to back and then once after each pause of --gaps milliseconds, with a second tick right after
// the first. The first tick after a pause pays for the process's return from idle (on a VM, the vCPU's
// halt and wake and the caches other work filled meanwhile); the second, straight after, does not. With
// --spin, an idle-priority busy loop runs on every core meanwhile, so no vCPU ever halts. The per-event
// work of a node at a few hundred events a second is the first figure, not the hot one.
//   npx tsx bench/event-cost.ts [--gaps 0,1,10,50] [--events 200] [--spin]
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { createActor, type AnyActorRef } from 'xstate';
import { controllerMachine } from '../actors/controller.js';
import type { RuntimeEvent } from '../actors/effects.js';
import { describeMachine, formatMachine } from './lib/machine.js';
import { percentile } from './lib/stats.js';
import { markdownTable } from './lib/table.js';

const { values } = parseArgs({ options: { gaps: { type: 'string', default: '0,1,10,50' }, events: { type: 'string', default: '200' }, spin: { type: 'boolean', default: false } } });
const gaps = values.gaps.split(',').map(Number);
const events = Number(values.events);
if (gaps.some((g) => !Number.isInteger(g) || g < 0) || !Number.isInteger(events) || events <= 0) throw new Error('--gaps: integers >= 0; --events: a positive integer');

/** A controller replica whose storage answers at once from memory (an empty log) and whose sends go nowhere. */
function followerReplica(): AnyActorRef {
  const completions: RuntimeEvent[] = [];
  const machine = controllerMachine.provide({ actions: {
    append: (_: unknown, p: { token: number }) => { completions.push({ type: 'stored', token: p.token }); },
    putMeta: (_: unknown, p: { token: number }) => { completions.push({ type: 'stored', token: p.token }); },
    truncateFrom: (_: unknown, p: { token: number }) => { completions.push({ type: 'stored', token: p.token }); },
    deleteBefore: (_: unknown, p: { token: number }) => { completions.push({ type: 'stored', token: p.token }); },
    getMeta: (_: unknown, p: { token: number }) => { completions.push({ type: 'metaRead', token: p.token, value: undefined }); },
    read: (_: unknown, p: { token: number }) => { completions.push({ type: 'readDone', token: p.token, entries: [] }); },
  } as never });
  const actor = createActor(machine, { input: { nodeId: 1, voters: [1, 2, 3], clusterId: 'bench', seed: 1, knobs: {}, nowMs: 0 } });
  actor.start();
  for (let event = completions.shift(); event !== undefined; event = completions.shift()) actor.send(event as never);
  const role = String(actor.getSnapshot().value);
  if (role !== 'follower') throw new Error(`the replica settled as ${role}, not follower`);
  return actor;
}

/** Microseconds one `tick` takes; the replica's time stays before its election deadline, so every tick finds nothing due. */
function timeTick(actor: AnyActorRef): number {
  const started = process.hrtime.bigint();
  actor.send({ type: 'tick', nowMs: 10 });
  return Number(process.hrtime.bigint() - started) / 1000;
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => (ms === 0 ? setImmediate(resolve) : setTimeout(resolve, ms)));

function spinners(): ChildProcess[] {
  return os.cpus().map(() => spawn('nice', ['-n', '19', 'sh', '-c', 'while :; do :; done'], { stdio: 'ignore' }));
}

console.log(formatMachine(describeMachine()));
const actor = followerReplica();
for (let i = 0; i < 50_000; i++) timeTick(actor); // optimised code, as in a node that has run a while
const spinning = values.spin ? spinners() : [];
try {
  const rows = [];
  for (const gap of gaps) {
    const first: number[] = [];
    const second: number[] = [];
    for (let i = 0; i < events; i++) {
      await pause(gap);
      first.push(timeTick(actor));
      second.push(timeTick(actor));
    }
    const a = Float64Array.from(first).sort();
    const b = Float64Array.from(second).sort();
    const firstP50 = percentile(a, 0.5);
    const secondP50 = percentile(b, 0.5);
    rows.push([gap === 0 ? 'none (setImmediate)' : `${gap} ms`, firstP50.toFixed(1), percentile(a, 0.9).toFixed(1), secondP50.toFixed(1), (firstP50 / secondP50).toFixed(1)]);
  }
  console.log(`controller follower tick, ${events} per pause${values.spin ? ', an idle-priority busy loop on every core' : ''} (figures in µs)`);
  console.log(markdownTable(['pause before it', 'first tick p50', 'first tick p90', 'second tick p50', 'first / second'], rows));
} finally {
  for (const child of spinning) child.kill();
}
