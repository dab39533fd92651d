/**
 * A node's clock in simulation: timers are scheduler tasks that die with the node incarnation that
 * armed them (a crashed node's timers never fire), and `wallMs` carries the node's clock skew.
 */
import type { Clock } from '../clock.js';
import type { Scheduler, Task } from './scheduler.js';
import { SIM_EPOCH_MS } from './tripwire.js';

export class SimClock implements Clock {
  incarnation = 0;
  paused = false;
  skewMs = 0;

  constructor(private readonly scheduler: Scheduler) {}

  nowMs(): number { return this.scheduler.nowMs; }

  wallMs(): number { return SIM_EPOCH_MS + this.scheduler.nowMs + this.skewMs; }

  setTimeout(fn: () => void, delayMs: number): Task {
    const incarnation = this.incarnation;
    const fire = (): void => {
      if (this.incarnation !== incarnation) return;
      // A paused node (a GC stall) fires its timers late, all at once, when it resumes.
      if (this.paused) { this.scheduler.at(1, fire); return; }
      fn();
    };
    return this.scheduler.at(delayMs, fire);
  }

  clearTimeout(handle: unknown): void { this.scheduler.cancel(handle as Task | undefined); }

  /** Every timer armed so far becomes a no-op (the node crashed). */
  crash(): void { this.incarnation++; }
}
