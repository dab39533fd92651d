// What one event costs in xstate's machinery alone, on this machine: a machine shaped like Brook's actors
// (setup + stepAction handlers, three states with guarded transitions, a context of 30 fields, one declared
// effect per event) is sent N events, against the same handler called directly on a draft. The difference
// is the per-event price of running every actor as an xstate v5 machine (DESIGN.md), which bounds how many
// simulated seconds per wall second the simulator can reach (bench/sim-speed.ts) whatever else it does.
//   npx tsx bench/xstate-step.ts [--events 200000] [--rounds 5]
import { parseArgs } from 'node:util';
import { createActor, setup } from 'xstate';
import { stepAction, type Step } from '../actors/step-action.js';
import { draftOf } from '../actors/kit/draft.js';
import { describeMachine, formatMachine } from './lib/machine.js';

const { values } = parseArgs({ options: { events: { type: 'string', default: '200000' }, rounds: { type: 'string', default: '5' } } });
const events = Number(values.events);
const rounds = Number(values.rounds);
if (!Number.isInteger(events) || events <= 0 || !Number.isInteger(rounds) || rounds <= 0) throw new Error('--events and --rounds are positive integers');

type Ctx = Record<string, number>;
type Ev = { type: 'tick'; nowMs: number } | { type: 'fetch'; corr: number } | { type: 'stored'; ok: boolean } | { type: 'other' };
const initial: Ctx = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`field${i}`, i]));

/** The handler: a few field updates and one effect, about what a replica's tick or fetch does when nothing is due. */
const handle: Step<Ctx, Ev> = (ctx, fx, event) => {
  ctx.field0 = (ctx.field0 ?? 0) + 1;
  if (event.type === 'fetch') ctx.field1 = event.corr;
  fx.push({ type: 'send', params: { to: 'x', type: 'fetchReply', body: ctx.field0 } });
};

let sent = 0;
const machine = setup({
  types: { context: {} as Ctx, events: {} as Ev },
  actions: { send: () => { sent++; }, step: stepAction(handle) },
  guards: { failed: ({ event }) => event.type === 'stored' && !event.ok, never: () => false },
}).createMachine({
  context: () => ({ ...initial }),
  initial: 'follower',
  states: {
    recovering: { on: { tick: { actions: 'step' }, stored: { actions: 'step' } } },
    follower: {
      always: [{ guard: 'never', target: 'leader' }],
      on: {
        tick: { actions: 'step' }, fetch: { actions: 'step' }, other: { actions: 'step' },
        stored: [{ guard: 'failed', target: 'recovering', actions: 'step' }, { actions: 'step' }],
      },
    },
    leader: { on: { tick: { actions: 'step' }, fetch: { actions: 'step' } } },
  },
});

function eventAt(i: number): Ev {
  switch (i & 3) {
    case 0: return { type: 'tick', nowMs: i };
    case 1: return { type: 'fetch', corr: i };
    case 2: return { type: 'stored', ok: true };
    default: return { type: 'other' };
  }
}

function timeXstate(): number {
  const actor = createActor(machine).start();
  const started = process.hrtime.bigint();
  for (let i = 0; i < events; i++) actor.send(eventAt(i));
  const ns = Number(process.hrtime.bigint() - started);
  actor.stop();
  return ns / events;
}

function timeDirect(): number {
  let ctx: Ctx = { ...initial };
  const started = process.hrtime.bigint();
  for (let i = 0; i < events; i++) {
    const draft = draftOf(ctx);
    const fx: Array<{ type: string; params?: unknown }> = [];
    handle(draft, fx, eventAt(i));
    for (const effect of fx) if (effect.type === 'send') sent++;
    ctx = draft;
  }
  return Number(process.hrtime.bigint() - started) / events;
}

console.log(formatMachine(describeMachine()));
// All xstate rounds first, then the direct ones: interleaved, the direct loop's garbage slowed the xstate
// rounds after it. Even alone, xstate's rounds after the first (a fresh actor each) run slower than the
// first (about 4 against 7 us on a 2-core EPYC); each round is printed and the median taken.
const xs: number[] = [];
const ds: number[] = [];
for (let r = 0; r < rounds; r++) xs.push(timeXstate());
for (let r = 0; r < rounds; r++) ds.push(timeDirect());
for (let r = 0; r < rounds; r++) console.log(`round ${r + 1}: xstate ${(xs[r]! / 1000).toFixed(2)} us per event, the handler alone ${(ds[r]! / 1000).toFixed(2)} us`);
const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
const overheadUs = (median(xs) - median(ds)) / 1000;
console.log(`median: xstate ${(median(xs) / 1000).toFixed(2)} us per event, handler alone ${(median(ds) / 1000).toFixed(2)} us: ` +
  `xstate's machinery ${overheadUs.toFixed(2)} us per event (${sent} effects run)`);
