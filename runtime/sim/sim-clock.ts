/**
 * A node's clock in simulation: timers are scheduler tasks that die with the node incarnation that
 * armed them (a crashed node's timers never fire), and `wallMs` carries the node's clock skew.
 */
import type { Clock } from '../clock.js';
import type { Scheduler, Task } from './scheduler.js';
import { SIM_EPOCH_MS } from './tripwire.js';

/** A timer's handle: the task that fires it now (a paused node's timer moves to its resumption). */
interface SimTimer { task: Task; fire: () => void }

export class SimClock implements Clock {
  incarnation = 0;
  skewMs = 0;
  private isPaused = false;
  /** Timers that came due while paused, in the order they came due. */
  private deferred: SimTimer[] = [];

  constructor(private readonly scheduler: Scheduler) {}

  /**
   * A paused node (a GC stall, SIGSTOP) fires the timers that came due meanwhile late, all at once,
   * in the order they came due, when it resumes. They wait in a list, not in the scheduler: a
   * timer re-armed every millisecond cost a step per timer per paused millisecond, and a timer
   * cancelled meanwhile must stay cancelled (`SimTimer` keeps the task that would fire it).
   */
  get paused(): boolean { return this.isPaused; }
  set paused(paused: boolean) {
    this.isPaused = paused;
    if (paused) return;
    for (const timer of this.deferred.splice(0)) timer.task = this.scheduler.at(0, timer.fire);
  }

  nowMs(): number { return this.scheduler.nowMs; }

  wallMs(): number { return SIM_EPOCH_MS + this.scheduler.nowMs + this.skewMs; }

  setTimeout(fn: () => void, delayMs: number): SimTimer {
    const incarnation = this.incarnation;
    const timer: SimTimer = { task: undefined as unknown as Task, fire: () => {
      if (this.incarnation !== incarnation) return;
      if (this.isPaused) { this.deferred.push(timer); return; }
      fn();
    } };
    timer.task = this.scheduler.at(delayMs, timer.fire);
    return timer;
  }

  clearTimeout(handle: unknown): void {
    const timer = handle as SimTimer | undefined;
    if (timer === undefined) return;
    this.scheduler.cancel(timer.task);
    const i = this.deferred.indexOf(timer);
    if (i >= 0) this.deferred.splice(i, 1);
  }

  /** Every timer armed so far becomes a no-op (the node crashed). */
  crash(): void {
    this.incarnation++;
    this.deferred = [];
  }
}
