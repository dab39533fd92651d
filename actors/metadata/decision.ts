/**
 * What every decide function returns, and what it may know beyond the image (after KRaft's
 * ControllerResult): decide.ts and the decide-* files it dispatches to share these.
 */
import type { MetadataRecord } from './records.js';

export interface Decision<R> { records: MetadataRecord[]; reply: R }

/** What a decision may know beyond the image: the controller's facts that are not in the log. */
export interface DecideEnv {
  clusterId: string;
  /** The offset the first record of this decision will get (node epochs are record offsets). */
  nextOffset: number;
  /** Whether the node's heartbeat session is alive (the leader tracks sessions in memory). */
  sessionAlive(nodeId: number): boolean;
  /** Whether the node heartbeated since this leader took over (not only granted a session then). */
  sessionHeard(nodeId: number): boolean;
}
