// A fixed offered rate: `count` operations, the i-th issued once i / perSec seconds have passed since the
// start, the loop sleeping until the next one is due. An open loop shows queueing as latency, which a
// closed loop would hide; sleeping until the next is due (not polling a 1 ms timer) keeps the loop's own
// wake-ups at the rate itself, so at a low rate the bench does not steal the cores it measures.

/** Resolves with the seconds from the start to the last issue; `issue` gets its seconds since the start. */
export function paced(count: number, perSec: number, issue: (atSec: number) => void): Promise<number> {
  if (!Number.isInteger(count) || count < 0 || !(perSec > 0)) throw new Error('paced: count a non-negative integer, perSec > 0');
  const started = process.hrtime.bigint();
  const sinceStart = (): number => Number(process.hrtime.bigint() - started) / 1e9;
  let issued = 0;
  return new Promise((resolve) => {
    const tick = (): void => {
      const due = Math.min(count, Math.floor(sinceStart() * perSec));
      while (issued < due) { issue(sinceStart()); issued++; }
      if (issued >= count) { resolve(sinceStart()); return; }
      setTimeout(tick, Math.max(1, Math.ceil(((issued + 1) / perSec - sinceStart()) * 1000)));
    };
    tick();
  });
}
