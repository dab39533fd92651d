/**
 * The discrete-event scheduler of a simulation: one binary heap of tasks ordered by (at, seq).
 * `seq` is a global counter, so tasks due at the same instant run in the order they were scheduled.
 * Cancellation is lazy. Two limits turn a runaway into a failure instead of a hang: steps in all,
 * and steps within one simulated second. A healthy cluster run takes 1,000–4,000 steps a simulated
 * second; a message storm (requests multiplying, a livelock at one instant) takes hundreds of
 * thousands and would otherwise grind on for hours before the total limit.
 */
export interface Task { at: number; seq: number; fn: () => void; cancelled: boolean }

/** Thrown when a limit is reached; SimWorld records it as the run's failure. */
export class SchedulerLimitError extends Error {}

const earlier = (x: Task, y: Task): boolean => x.at < y.at || (x.at === y.at && x.seq < y.seq);

export class Scheduler {
  nowMs = 0;
  steps = 0;
  private seq = 0;
  private readonly heap: Task[] = [];

  private secondStartMs = 0;
  private secondSteps = 0;

  constructor(readonly stepsMax = 50_000_000, readonly stepsPerSecondMax = 500_000) {}

  get pending(): number { return this.heap.length; }

  at(delayMs: number, fn: () => void): Task {
    const task: Task = { at: this.nowMs + Math.max(0, delayMs), seq: this.seq++, fn, cancelled: false };
    const h = this.heap;
    h.push(task);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (earlier(h[parent] as Task, h[i] as Task)) break;
      [h[parent], h[i]] = [h[i] as Task, h[parent] as Task];
      i = parent;
    }
    return task;
  }

  cancel(task: Task | undefined): void { if (task) task.cancelled = true; }

  /** Runs every task due at or before `untilMs`, then sets the time to `untilMs`. */
  runUntil(untilMs: number): void {
    for (;;) {
      const top = this.heap[0];
      if (top === undefined || top.at > untilMs) break;
      this.pop();
      if (top.cancelled) continue;
      this.nowMs = top.at;
      this.step();
      top.fn();
    }
    this.nowMs = Math.max(this.nowMs, untilMs);
  }

  /** Runs tasks until `done()` holds or `untilMs` passes; returns whether `done()` held. */
  runWhile(untilMs: number, done: () => boolean): boolean {
    for (;;) {
      if (done()) return true;
      const top = this.heap[0];
      if (top === undefined || top.at > untilMs) { this.nowMs = Math.max(this.nowMs, untilMs); return done(); }
      this.pop();
      if (top.cancelled) continue;
      this.nowMs = top.at;
      this.step();
      top.fn();
    }
  }

  private step(): void {
    if (++this.steps > this.stepsMax) throw new SchedulerLimitError(`scheduler: step limit ${this.stepsMax} reached (livelock?)`);
    if (this.nowMs >= this.secondStartMs + 1000) {
      this.secondStartMs = this.nowMs - (this.nowMs % 1000);
      this.secondSteps = 0;
    }
    if (++this.secondSteps > this.stepsPerSecondMax) {
      throw new SchedulerLimitError(`scheduler: more than ${this.stepsPerSecondMax} steps in the simulated second from ${this.secondStartMs} ms `
        + `(${this.heap.length} tasks pending): a message storm or a livelock`);
    }
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop() as Task;
    if (h.length === 0) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && earlier(h[l] as Task, h[m] as Task)) m = l;
      if (r < h.length && earlier(h[r] as Task, h[m] as Task)) m = r;
      if (m === i) return;
      [h[m], h[i]] = [h[i] as Task, h[m] as Task];
      i = m;
    }
  }
}
