/**
 * The node's side of its controller session. The controller fences a node `nodeSessionTimeoutMs`
 * after the last heartbeat it received, and then elects new leaders for its partitions; a node
 * cut off from the controller (from NATS, or its process stopped) does not hear of that. So the
 * node keeps its own clock: when no heartbeat sent in the last session was answered, the
 * controller may already have fenced it, and its partition leaders resign (stop acknowledging,
 * answer NOT_LEADER) rather than keep acknowledging writes as leaders that may have been replaced.
 * It counts from when the last answered heartbeat was *sent*: the controller got it later than
 * that, so the node resigns no later than the controller can fence it. A process that was stopped
 * resigns before it reads anything that queued meanwhile: its timers fire before its sockets are
 * read. Once heartbeats are answered again and the image is caught up, the replicas take back what
 * the controller still names them to lead.
 */
export interface ControllerSession {
  /** When the newest heartbeat that was answered was sent. */
  ackedSentMs: number | undefined;
  /** No answered heartbeat is younger than a session: the partition leaderships are resigned. */
  lost: boolean;
}

export const NO_SESSION: ControllerSession = { ackedSentMs: undefined, lost: false };

/**
 * A heartbeat sent at `sentMs` was answered OK, or found no controller leader listening (an
 * election is under way): none can fence this node before one is elected, and a new leader gives
 * every node a fresh session. So that counts like an answer, and a controller failover does not
 * make every partition leader of the cluster resign; only silence (cut off, or stopped) does.
 */
export function answered(s: ControllerSession, sentMs: number): ControllerSession {
  return s.ackedSentMs !== undefined && s.ackedSentMs >= sentMs ? s : { ...s, ackedSentMs: sentMs };
}

/** How long no answered heartbeat was sent, once that reaches a session (undefined: the session holds, or is already lost). */
export function sessionLostFor(s: ControllerSession, nowMs: number, sessionMs: number): number | undefined {
  if (s.lost || s.ackedSentMs === undefined) return undefined;
  const silentMs = nowMs - s.ackedSentMs;
  return silentMs >= sessionMs ? silentMs : undefined;
}

/** Whether a lost session is back: a heartbeat sent within the last session was answered (checked once the image is caught up). */
export function sessionRegained(s: ControllerSession, nowMs: number, sessionMs: number): boolean {
  return s.lost && s.ackedSentMs !== undefined && nowMs - s.ackedSentMs < sessionMs;
}
