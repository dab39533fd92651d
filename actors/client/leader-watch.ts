/**
 * How clients notice a dead leader (DESIGN: a leader that dies cannot say so). A request unanswered
 * for LEADER_CHECK_AFTER_MS beyond what the leader may legitimately hold it makes the client re-read
 * metadata, every LEADER_CHECK_EVERY_MS while it stays unanswered; a request addressed to a leader
 * epoch older than the one metadata now shows is abandoned and sent again to the new leader.
 */

/** Well above a healthy acks=all round trip, well below a node session timeout. */
export const LEADER_CHECK_AFTER_MS = 200;
/** A failover shows up in metadata within a node heartbeat (100 ms). */
export const LEADER_CHECK_EVERY_MS = 100;
