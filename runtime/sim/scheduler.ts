/**
 * The discrete-event scheduler of a simulation: one binary heap of tasks ordered by (at, seq).
 * `seq` is a global counter, so tasks due at the same instant run in the order they were scheduled.
 * Cancellation is lazy. A step limit turns a livelock into a failure instead of a hang.
 */
export interface Task { at: number; seq: number; fn: () => void; cancelled: boolean }

const earlier = (x: Task, y: Task): boolean => x.at < y.at || (x.at === y.at && x.seq < y.seq);

export class Scheduler {
  nowMs = 0;
  steps = 0;
  private seq = 0;
  private readonly heap: Task[] = [];

  constructor(readonly stepsMax = 50_000_000) {}

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
      if (++this.steps > this.stepsMax) throw new Error(`scheduler step limit ${this.stepsMax} reached (livelock?)`);
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
      if (++this.steps > this.stepsMax) throw new Error(`scheduler step limit ${this.stepsMax} reached (livelock?)`);
      top.fn();
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
