/**
 * One V8 setting for every process that runs Brook's actors: allocation-site pretenuring off.
 *
 * Why: an actor step makes short-lived objects — the draft of its context and the copies it owns
 * (actors/kit/draft.ts), its effect list, xstate's enqueued actions — that are garbage once the
 * next event arrives. With V8's allocation-site pretenuring on (its default), nearly all of them
 * were still found alive by each young collection and promoted by the next, though a full
 * collection finds them dead: the producer machine alone promoted ~1.4 MB per scavenge, against
 * ~80 KB with the heuristic off, and took ~60 % more sends a second; the simulator ran ~24 % faster
 * (bench/gc-tuning.ts, bench/RESULTS.md "Nineteenth round"). A node at 1 KiB spends its time on
 * bytes more than on steps: there the gain is within the host's spread. The heuristic pays off for
 * allocation sites whose objects live long, which an actor's are not: its long-lived state is a
 * few Maps replaced by copy-on-write.
 *
 * V8 reads the flag when it creates an allocation site (the first time a literal runs), so it is
 * set at process start, before any actor runs; sites created earlier keep their tracking. Node
 * does not take V8 flags in NODE_OPTIONS, which is why the process sets it itself rather than the
 * command line that starts it; `node --no-allocation-site-pretenuring` does the same, which is how
 * the test workers get it (ava's `nodeArguments` in package.json).
 */
import v8 from 'node:v8';

export const GC_TUNING_FLAG = '--no-allocation-site-pretenuring';

let tuned = false;

/**
 * Turns allocation-site pretenuring off for this process (once; later calls do nothing).
 * `BROOK_GC_TUNING=off` leaves V8's default, for measuring one against the other.
 */
export function tuneGarbageCollector(): void {
  if (tuned) return;
  tuned = true;
  if (process.env['BROOK_GC_TUNING'] === 'off') return;
  v8.setFlagsFromString(GC_TUNING_FLAG);
}
