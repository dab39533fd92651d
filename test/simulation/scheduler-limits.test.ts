// Goal: a simulation whose events multiply (a message storm, a livelock at one instant) fails its
// seed at once with a message that says so, instead of grinding towards the total step limit for
// hours; a busy but healthy run is never stopped.
// Method: a bare Scheduler and a SimWorld driven by tasks that reschedule themselves.
import test from 'ava';
import { Scheduler, SchedulerLimitError } from '../../runtime/sim/scheduler.js';
import { SimWorld } from '../../runtime/sim/world.js';

/** A task that schedules two copies of itself `delayMs` later: the population doubles each round. */
function storm(scheduler: Scheduler, delayMs: number): void {
  const fn = (): void => { scheduler.at(delayMs, fn); scheduler.at(delayMs, fn); };
  scheduler.at(delayMs, fn);
}

test('a storm trips the per-second limit within the limit\'s steps', (t) => {
  const scheduler = new Scheduler(50_000_000, 10_000);
  storm(scheduler, 1);
  const error = t.throws(() => scheduler.runUntil(60_000), { instanceOf: SchedulerLimitError });
  t.regex(error?.message ?? '', /more than 10000 steps in the simulated second from 0 ms .*message storm/);
  t.is(scheduler.steps, 10_001);
});

test('a steady load below the limit runs to the end; the count starts again every simulated second', (t) => {
  const scheduler = new Scheduler(50_000_000, 10_000);
  // 9,000 steps a simulated second for 20 s: 180,000 steps in all, never 10,000 within one second.
  const tick = (): void => { scheduler.at(1, tick); };
  for (let i = 0; i < 9; i++) scheduler.at(1, tick);
  scheduler.runUntil(20_000);
  t.true(scheduler.steps >= 179_000, `${scheduler.steps} steps`);
});

test('the total step limit still holds', (t) => {
  const scheduler = new Scheduler(1_000, 10_000);
  const tick = (): void => { scheduler.at(1, tick); };
  scheduler.at(1, tick);
  t.throws(() => scheduler.runUntil(60_000), { instanceOf: SchedulerLimitError, message: /step limit 1000 reached/ });
});

test('a world records a storm as the run\'s failure and runs nothing after it', (t) => {
  const world = new SimWorld({ seed: 1 });
  storm(world.scheduler, 0);
  world.run(5_000);
  t.is(world.failures.length, 1);
  t.regex(world.failures[0] ?? '', /^t=0 scheduler: more than 500000 steps in the simulated second/);
  const steps = world.scheduler.steps;
  t.false(world.runUntil(10_000, () => false), 'a failed world reports nothing settled');
  t.is(world.scheduler.steps, steps, 'and runs no further step');
});
