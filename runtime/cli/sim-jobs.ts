/**
 * `brook sim --seeds N --jobs J`: a sweep cut into contiguous seed ranges, each run by a child
 * `brook sim --json` (the same command and flags, so a child's seeds run exactly as they would in one
 * process), at most J children at a time. A seed's run does not depend on what ran before it in the
 * process (the simulator resets its registries per run), so the merged report equals the one-process
 * sweep's; only the wall time differs. Children, not worker threads: a child re-enters the CLI the
 * way it was started (compiled, or from sources through tsx's loader), which a worker would not.
 */
import { spawn } from 'node:child_process';
import type { Coverage } from '../sim/sometimes.js';
import type { FaultOp } from '../sim/faults.js';

/** One seed's outcome as a sweep reports it (`brook sim --json`'s `runs`). */
export interface RunOutline { seed: number; digest: string; violations: string[]; converged: boolean; livenessReason: string; plan: FaultOp[] }

/** What a contiguous run of seeds adds to a sweep's report. */
export interface SweepPart {
  seeds: number;
  failing: number[];
  nondeterministic: number[];
  simulatedSeconds: number;
  faults: number;
  operations: number;
  acknowledged: number;
  violations: number;
  coverage: Coverage;
  runs: RunOutline[];
}

/**
 * The sweep's seed ranges, largest first (guided self-scheduling): each takes a share of what is left,
 * so the jobs finish close together, and none is shorter than `minSize` seeds, because a child pays
 * its start (loading the CLI) once per range.
 */
export function seedRanges(firstSeed: number, seeds: number, jobs: number, minSize = 10): Array<{ first: number; count: number }> {
  const floor = Math.max(1, Math.min(minSize, Math.ceil(seeds / jobs)));
  const ranges: Array<{ first: number; count: number }> = [];
  for (let offset = 0; offset < seeds;) {
    const count = Math.min(seeds - offset, Math.max(floor, Math.ceil((seeds - offset) / (2 * jobs))));
    ranges.push({ first: firstSeed + offset, count });
    offset += count;
  }
  return ranges;
}

export interface JobsOptions {
  firstSeed: number;
  seeds: number;
  jobs: number;
  /** The flags every child runs with (the sweep's own: duration, nodes, faults, …), without seeds or output flags. */
  flags: string[];
  /** After each range: seeds done so far and seeds failing so far. */
  onProgress: (done: number, failing: number) => void;
  /** The `brook` script the children run; default: the one this process was started with. */
  entry?: string;
}

/** Runs the sweep in child processes; the parts come back in seed order. */
export async function runSeedRanges(options: JobsOptions): Promise<SweepPart[]> {
  const ranges = seedRanges(options.firstSeed, options.seeds, options.jobs);
  const parts = new Array<SweepPart>(ranges.length);
  const running = new Set<ReturnType<typeof spawn>>();
  const killAll = (): void => { for (const child of running) child.kill('SIGKILL'); };
  process.on('exit', killAll);
  let next = 0;
  let done = 0;
  let failing = 0;
  const worker = async (): Promise<void> => {
    while (next < ranges.length) {
      const index = next++;
      const range = ranges[index] as { first: number; count: number };
      const part = await runRange(range.first, range.count, options.flags, options.entry ?? process.argv[1], running);
      parts[index] = part;
      done += range.count;
      failing += part.failing.length;
      options.onProgress(done, failing);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(options.jobs, ranges.length) }, worker));
  } finally {
    killAll();
    process.off('exit', killAll);
  }
  return parts;
}

/** One child `brook sim --seeds COUNT --first-seed FIRST --json`; its stderr (determinism lines) passes through. */
function runRange(first: number, count: number, flags: string[], entry: string | undefined, running: Set<ReturnType<typeof spawn>>): Promise<SweepPart> {
  if (entry === undefined) throw new Error('brook sim --jobs: cannot tell which command started this process');
  const args = [...process.execArgv, entry, 'sim', ...flags, '--seeds', String(count), '--first-seed', String(first), '--json'];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => { err.push(chunk); process.stderr.write(chunk); });
  const seeds = `seeds ${first}..${first + count - 1}`;
  return new Promise((resolve, reject) => {
    child.on('error', (error) => { running.delete(child); reject(new Error(`brook sim --jobs: ${seeds}: ${error.message}`)); });
    child.on('close', (code, signal) => {
      running.delete(child);
      // Exit 1 is a sweep with failing or nondeterministic seeds: its report says which.
      if (code !== 0 && code !== 1) {
        const why = Buffer.concat(err).toString('utf8').trim().split('\n').at(-1) ?? '';
        return reject(new Error(`brook sim --jobs: ${seeds} exited with ${signal ?? `code ${String(code)}`}${why ? `: ${why}` : ''}`));
      }
      try {
        resolve(JSON.parse(Buffer.concat(out).toString('utf8')) as SweepPart);
      } catch (error) {
        reject(new Error(`brook sim --jobs: ${seeds}: unreadable report (${(error as Error).message})`));
      }
    });
  });
}
