/**
 * The only source of time. Structurally it is also an xstate `Clock` (`setTimeout`/`clearTimeout`),
 * so the same object given to `createActor(machine, { clock })` drives `after` delays.
 * `nowMs` is monotonic (timeouts); `wallMs` is epoch time (record timestamps, retention) and may be
 * skewed per node in simulation.
 */
export interface Clock {
  nowMs(): number;
  wallMs(): number;
  setTimeout(fn: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realClock: Clock = {
  nowMs: () => performance.now(),
  wallMs: () => Date.now(),
  setTimeout: (fn, delayMs) => setTimeout(fn, delayMs),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
