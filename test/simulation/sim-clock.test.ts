// Goal: a paused node's clock (a GC stall, SIGSTOP) fires the timers that came due meanwhile at its
// resumption, in the order they came due, costs the scheduler nothing while paused, and never fires
// a timer cancelled or armed by an incarnation that crashed.
// Method: a SimClock over a bare Scheduler, driven by hand.
import test from 'ava';
import { Scheduler } from '../../runtime/sim/scheduler.js';
import { SimClock } from '../../runtime/sim/sim-clock.js';

test('timers due while paused fire at the resumption, in the order they came due; a cancelled one never', (t) => {
  const scheduler = new Scheduler();
  const clock = new SimClock(scheduler);
  const fired: Array<[string, number]> = [];
  const at = (name: string) => () => fired.push([name, scheduler.nowMs]);
  clock.setTimeout(at('a'), 10);
  clock.setTimeout(at('b'), 30);
  const cancelled = clock.setTimeout(at('c'), 20);
  clock.setTimeout(at('d'), 500);
  scheduler.runUntil(5);
  clock.paused = true;
  scheduler.runUntil(100);
  t.deepEqual(fired, [], 'nothing fires while paused');
  const stepsWhilePaused = scheduler.steps;
  scheduler.runUntil(200);
  t.is(scheduler.steps, stepsWhilePaused, 'a paused clock costs no scheduler steps');
  clock.clearTimeout(cancelled);
  clock.paused = false;
  scheduler.runUntil(600);
  t.deepEqual(fired, [['a', 200], ['b', 200], ['d', 500]]);
});

test('timers of an incarnation that crashed while paused never fire', (t) => {
  const scheduler = new Scheduler();
  const clock = new SimClock(scheduler);
  let fired = 0;
  clock.setTimeout(() => fired++, 10);
  clock.paused = true;
  scheduler.runUntil(50);
  clock.crash();
  clock.paused = false;
  scheduler.runUntil(100);
  t.is(fired, 0);
});
