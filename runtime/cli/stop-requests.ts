/**
 * How the long-running commands (`brook dev`, `brook node join`) learn that they should stop: a
 * signal (SIGINT from Ctrl-C, SIGTERM, SIGHUP from a closed terminal), or the death of the process
 * that started them. A signal to `npm run dev` ends npm and its shell but not the command they
 * ran, which is re-parented and would run on; the only trace left is a changed parent pid, so it is
 * polled (cheaply, and without keeping the process alive).
 */
const PARENT_POLL_MS = 250;

/** Calls `onGone` once when the parent pid stops being `parentPid`; returns a function that stops watching. */
export function watchParent(onGone: () => void, parentPid = process.ppid): () => void {
  const timer = setInterval(() => {
    if (process.ppid === parentPid) return;
    clearInterval(timer);
    onGone();
  }, PARENT_POLL_MS);
  timer.unref();
  return () => clearInterval(timer);
}

export interface StopRequests {
  /** Settles with the first reason given (a signal name, 'parent exited', or a caller's). */
  asked: Promise<{ reason: string; code: number }>;
  request(reason: string, code?: number): void;
  /** Stops listening for signals and watching the parent. */
  dispose(): void;
}

/** `parentPid`: also stop when the parent is no longer that process (not watched when undefined). */
export function stopRequests(parentPid?: number): StopRequests {
  let settle: (value: { reason: string; code: number }) => void = () => {};
  const asked = new Promise<{ reason: string; code: number }>((r) => { settle = r; });
  const request = (reason: string, code = 0): void => settle({ reason, code });
  const handlers = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((signal) => [signal, (): void => request(signal)] as const);
  for (const [signal, handler] of handlers) process.on(signal, handler);
  const unwatch = parentPid === undefined ? () => {} : watchParent(() => request('parent exited'), parentPid);
  return { asked, request, dispose: () => { unwatch(); for (const [signal, handler] of handlers) process.removeListener(signal, handler); } };
}
