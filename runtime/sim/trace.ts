/**
 * The trace of a simulation run: one line per observable event, folded into a rolling SHA-256
 * digest. The last lines are kept in a ring buffer for failure reports; the full trace is never
 * stored. Lines must only contain deterministic data (Brook addresses, virtual time, message
 * types), never xstate session ids or object identities.
 */
import { createHash, type Hash } from 'node:crypto';

const HASH_BLOCK_CHARS = 16_384;

export class Trace {
  private hash: Hash = createHash('sha256');
  /**
   * Lines not yet hashed: SHA-256 over a stream does not depend on how it is cut into updates, so
   * lines are hashed in blocks (one native call per block instead of two per line).
   */
  private unhashed = '';
  private readonly ring: string[] = [];
  private ringHead = 0;
  lines = 0;
  /** Digest checkpoints every `checkpointEvery` lines, to find the first divergent step. */
  readonly checkpoints: Array<{ line: number; digest: string }> = [];

  constructor(readonly ringSize = 200, readonly checkpointEvery = 0) {}

  add(nowMs: number, ...fields: Array<string | number | boolean | undefined>): void {
    const line = `${nowMs}|${fields.join('|')}`;
    this.unhashed += `${line}\n`;
    if (this.unhashed.length >= HASH_BLOCK_CHARS) this.flush();
    this.lines++;
    if (this.ring.length < this.ringSize) this.ring.push(line);
    else { this.ring[this.ringHead] = line; this.ringHead = (this.ringHead + 1) % this.ringSize; }
    if (this.checkpointEvery > 0 && this.lines % this.checkpointEvery === 0) {
      this.checkpoints.push({ line: this.lines, digest: this.digest() });
    }
  }

  digest(): string {
    this.flush();
    return this.hash.copy().digest('hex').slice(0, 16);
  }

  private flush(): void {
    if (this.unhashed === '') return;
    this.hash.update(this.unhashed);
    this.unhashed = '';
  }

  tail(): string[] { return [...this.ring.slice(this.ringHead), ...this.ring.slice(0, this.ringHead)]; }
}
