// The command line of the per-message floor benches (bench/brook/message-floor.ts, bench/wakeup-floor.ts):
// the paced rates to run, the seconds of each, and the message size.
import { parseArgs } from 'node:util';

export interface FloorArgs { rates: number[]; seconds: number; bytes: number }

/** `--rates 100,300,1000,3000 --seconds S --bytes 200`, checked. */
export function parseFloorArgs(defaultSeconds: number): FloorArgs {
  const { values } = parseArgs({ options: {
    rates: { type: 'string', default: '100,300,1000,3000' }, seconds: { type: 'string', default: String(defaultSeconds) }, bytes: { type: 'string', default: '200' },
  } });
  const rates = values.rates.split(',').map(Number);
  const seconds = Number(values.seconds);
  const bytes = Number(values.bytes);
  if (rates.some((r) => !Number.isInteger(r) || r <= 0) || !(seconds > 0) || !Number.isInteger(bytes) || bytes <= 0) throw new Error('--rates: positive integers; --seconds > 0; --bytes a positive integer');
  return { rates, seconds, bytes };
}
