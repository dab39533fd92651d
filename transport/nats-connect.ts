/**
 * Opens a NATS connection whose socket reads are regrouped so that each message reaches the
 * client's parser whole (transport/whole-messages.ts): large messages — produce requests, fetch
 * replies — are copied once instead of being rebuilt in a doubling buffer.
 *
 * The NATS client takes its transport from a process-wide factory, which its own `connect` sets
 * to the plain Node transport each time; this sets it to the regrouping one before each connect.
 * Reconnects use whichever factory was set last; both speak the same protocol, so a connection
 * opened elsewhere in the process with the client's own `connect` is only slower, never wrong.
 * The Node transport is imported from its module inside the package (the package has no export
 * map; its `connect` does the same two steps as this function).
 */
import { NatsConnectionImpl, setTransportFactory, type ConnectionOptions, type NatsConnection, type NodeConnectionOptions } from '@nats-io/transport-node';
import { NodeTransport, nodeResolveHost } from '@nats-io/transport-node/lib/node_transport.js';
import { WholeMessageFrames } from './whole-messages.js';

class WholeMessageTransport extends NodeTransport {
  override async *iterate(): AsyncGenerator<Uint8Array> {
    const frames = new WholeMessageFrames();
    for await (const read of super.iterate()) {
      for (const chunk of frames.push(read)) yield chunk;
    }
  }
}

export function connectNats(options: NodeConnectionOptions): Promise<NatsConnection> {
  setTransportFactory({ factory: () => new WholeMessageTransport(), dnsResolveFn: nodeResolveHost });
  return NatsConnectionImpl.connect(options as ConnectionOptions);
}
