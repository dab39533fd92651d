/**
 * Seams where a test harness may break the runtime on purpose, so that tests can show each of its
 * checks fails when it should (the simulator's planted bugs, runtime/sim/bugs.ts). They sit where
 * a message arrives, where the node tells an actor something and where a storage effect runs.
 * Production passes none.
 */
import type { Envelope } from '../transport/envelope.js';

export interface BugHooks {
  /** The message as it arrives (the original when no bug applies). */
  inbound(envelope: Envelope): Envelope;
  /** A runtime event on its way from the node to the actor at `address`. */
  local<E extends { type: string; [field: string]: unknown }>(address: string, event: E): E;
  /** Whether this host's disk acknowledges this append without making it. */
  dropAppend(hostName: string, log: string): boolean;
  /** Whether this host's failed append of `log` reaches the actor as a success (the actor carries on as if stored). */
  hideWriteError(hostName: string, log: string): boolean;
  /** Whether a truncation is acknowledged without being done. */
  skipTruncation(): boolean;
  /** Whether a putMeta of this key is acknowledged without being stored. */
  forgetMeta(key: string): boolean;
}
