// Goal: a simulation run is a pure function of its seed. Method: run a multi-actor world (ticks,
// network loss and duplication, storage completions, a power loss and restart) twice in this
// process and once in a child process, compare trace digests; another seed must differ.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { createActor, createMachine } from 'xstate';
import { SimWorld } from '../../runtime/sim/world.js';
import { NondeterminismError } from '../../runtime/sim/tripwire.js';
import { runGossipWorld } from './gossip-world.js';

test('same seed, same trace digest; another seed, another digest', (t) => {
  const first = runGossipWorld(7);
  const again = runGossipWorld(7);
  const other = runGossipWorld(8);
  t.deepEqual(first.failures, []);
  t.true(first.trace.lines > 500, `the run did something (${first.trace.lines} trace lines)`);
  t.is(first.digest(), again.digest());
  t.deepEqual(first.trace.checkpoints, again.trace.checkpoints);
  t.not(first.digest(), other.digest());
});

test('same seed, same digest in a separate process', (t) => {
  const here = runGossipWorld(11).digest();
  const there = execFileSync(process.execPath, ['--import=tsx', 'test/simulation/determinism-child.ts', '11'], { encoding: 'utf8' }).trim();
  t.is(there, here);
});

test('the tripwire catches an actor created without the simulated clock', (t) => {
  const world = new SimWorld({ seed: 1 });
  const error = t.throws(() => world.within(() => {
    // No `clock` option: xstate falls back to the global setTimeout for its `after` delay.
    const timed = createMachine({ initial: 'waiting', states: { waiting: { after: { 10: 'done' } }, done: {} } });
    const actor = createActor(timed);
    let failure: unknown;
    actor.subscribe({ error: (e) => { failure = e; } });
    actor.start();
    if (failure) throw failure;
  }));
  t.true(error instanceof NondeterminismError, String(error));
  t.regex(error?.message ?? '', /setTimeout called inside a simulation run/);
});

test('outside a run the real timers are back', async (t) => {
  runGossipWorld(3, { untilMs: 200 });
  await new Promise<void>((resolve) => setTimeout(resolve, 1));
  t.pass();
});
