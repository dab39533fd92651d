/**
 * A planted bug for the chaos suite, loaded into node processes with
 * `NODE_OPTIONS='--import tsx --import <this file>'`: every acks=all produce reaching a partition
 * leader is handled as acks=1, so the leader acknowledges a batch as soon as its own log has it,
 * before any follower does. A leader killed right after such an acknowledgement takes the write
 * with it, and the chaos suite must report it as lost. The patch wraps the host's inbound seam
 * (ActorHost's private `deliver`); production code carries no switch for it.
 */
import { ActorHost } from '../../runtime/host.js';
import type { Envelope } from '../../transport/envelope.js';

type Deliver = (this: ActorHost, hosted: unknown, envelope: Envelope) => void;

const prototype = ActorHost.prototype as unknown as { deliver: Deliver };
const deliver = prototype.deliver;

prototype.deliver = function (this: ActorHost, hosted: unknown, envelope: Envelope): void {
  const body = envelope.body as Record<string, unknown> | null;
  if (envelope.type === 'produce' && typeof body === 'object' && body !== null && body['acks'] === -1) {
    deliver.call(this, hosted, { ...envelope, body: { ...body, acks: 1 } });
    return;
  }
  deliver.call(this, hosted, envelope);
};

process.stderr.write(`${JSON.stringify({ t: Date.now(), level: 'warn', event: 'plantedBug', bug: 'ack-before-replication', pid: process.pid })}\n`);
