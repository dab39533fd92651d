/**
 * The node's side of its controller session. The controller fences a node `nodeSessionTimeoutMs`
 * after the last heartbeat it received, and then elects new leaders for its partitions; a node
 * cut off from the controller (from NATS, or its process stopped) does not hear of that. So the
 * node keeps its own clock: when no heartbeat sent in the last session was answered OK, the
 * controller may already have fenced it, and it resigns every partition leadership (stops
 * acknowledging, answers NOT_LEADER) rather than keep acknowledging writes as a leader that may
 * have been replaced. It counts from when the last answered heartbeat was *sent*: the controller
 * got it later than that, so the node resigns no later than the controller can fence it. A
 * process that was stopped resigns before it reads anything that queued meanwhile: its timers
 * fire before its sockets are read. Once heartbeats are answered again and the image is caught
 * up, the replicas take back what the controller still names them to lead.
 */
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';

export class ControllerSessionWatch {
  /** When the newest heartbeat that was answered OK was sent. */
  private ackedSentMs: number | undefined;
  private lost = false;

  constructor(
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly sessionMs: number,
    private readonly onLost: () => void,
    private readonly onRegained: () => void,
  ) {}

  get resigned(): boolean { return this.lost; }

  /** A heartbeat sent at `sentMs` was answered OK. */
  acked(sentMs: number): void {
    if (this.ackedSentMs === undefined || sentMs > this.ackedSentMs) this.ackedSentMs = sentMs;
  }

  /**
   * A heartbeat sent at `sentMs` found no controller leader listening (an election is under way):
   * none can fence this node before one is elected, and a new leader gives every node a fresh
   * session. So it counts like an answer, and a controller failover does not make every partition
   * leader of the cluster resign; only silence (cut off, or stopped) does.
   */
  noLeader(sentMs: number): void { this.acked(sentMs); }

  /** On every beat: resign once no answered heartbeat is younger than a session. */
  check(): void {
    if (this.lost || this.ackedSentMs === undefined) return;
    const silentMs = this.clock.nowMs() - this.ackedSentMs;
    if (silentMs < this.sessionMs) return;
    this.lost = true;
    this.logger.log('warn', 'controllerSessionLost', { silentMs: Math.round(silentMs), sessionMs: this.sessionMs, action: 'partition leaderships resigned' });
    this.onLost();
  }

  /** The image is caught up after an answered heartbeat: lead again where the controller says so. */
  caughtUp(): void {
    if (!this.lost || this.ackedSentMs === undefined || this.clock.nowMs() - this.ackedSentMs >= this.sessionMs) return;
    this.lost = false;
    this.logger.log('info', 'controllerSessionRegained', {});
    this.onRegained();
  }
}
