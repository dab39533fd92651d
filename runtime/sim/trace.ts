/**
 * The trace of a simulation run: one line per observable event, folded into a rolling SHA-256
 * digest. The last lines are kept in a ring buffer for failure reports; the full trace is never
 * stored. Lines must only contain deterministic data (Brook addresses, virtual time, message
 * types), never xstate session ids or object identities.
 */
import { createHash, type Hash } from 'node:crypto';

export class Trace {
  private hash: Hash = createHash('sha256');
  private readonly ring: string[] = [];
  private ringHead = 0;
  lines = 0;
  /** Digest checkpoints every `checkpointEvery` lines, to find the first divergent step. */
  readonly checkpoints: Array<{ line: number; digest: string }> = [];

  constructor(readonly ringSize = 200, readonly checkpointEvery = 0) {}

  add(nowMs: number, ...fields: Array<string | number | boolean | undefined>): void {
    const line = `${nowMs}|${fields.join('|')}`;
    this.hash.update(line);
    this.hash.update('\n');
    this.lines++;
    if (this.ring.length < this.ringSize) this.ring.push(line);
    else { this.ring[this.ringHead] = line; this.ringHead = (this.ringHead + 1) % this.ringSize; }
    if (this.checkpointEvery > 0 && this.lines % this.checkpointEvery === 0) {
      this.checkpoints.push({ line: this.lines, digest: this.hash.copy().digest('hex').slice(0, 16) });
    }
  }

  digest(): string { return this.hash.copy().digest('hex').slice(0, 16); }

  tail(): string[] { return [...this.ring.slice(this.ringHead), ...this.ring.slice(0, this.ringHead)]; }
}
