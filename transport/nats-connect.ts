/**
 * Opens a NATS connection that moves large messages with fewer copies, both ways:
 * - reads are regrouped so that each message reaches the client's parser whole
 *   (transport/whole-messages.ts): produce requests and fetch replies are copied once instead of
 *   being rebuilt in a doubling buffer;
 * - a flush writes large payloads from their own buffers (transport/outbound-chunks.ts) instead of
 *   joining everything pending into one fresh buffer first.
 *
 * The NATS client takes its transport from a process-wide factory, which its own `connect` sets
 * to the plain Node transport each time; this sets it to the regrouping one before each connect.
 * Reconnects use whichever factory was set last; both speak the same protocol, so a connection
 * opened elsewhere in the process with the client's own `connect` is only slower, never wrong
 * (a flush that finds the plain transport does what the client does). The Node transport is
 * imported from its module inside the package (the package has no export map; its `connect` does
 * the same two steps as this function). The flush is the client's own method replaced on this
 * connection's protocol handler: the client offers no other way to see the pieces before they are
 * joined.
 */
import { NatsConnectionImpl, setTransportFactory, type ConnectionOptions, type NatsConnection, type NodeConnectionOptions } from '@nats-io/transport-node';
import { NodeTransport, nodeResolveHost } from '@nats-io/transport-node/lib/node_transport.js';
import { outboundChunks } from './outbound-chunks.js';
import { WholeMessageFrames } from './whole-messages.js';

class WholeMessageTransport extends NodeTransport {
  override async *iterate(): AsyncGenerator<Uint8Array> {
    const frames = new WholeMessageFrames();
    for await (const read of super.iterate()) {
      for (const chunk of frames.push(read)) yield chunk;
    }
  }

  /** Writes `pieces` in order as one socket write (a `writev` when there are several chunks). */
  sendPieces(pieces: readonly Uint8Array[]): void {
    const chunks = outboundChunks(pieces);
    if (chunks.length === 1 || this.isClosed || this.socket === undefined) return chunks.forEach((chunk) => this.send(chunk));
    this.socket.cork();
    for (const chunk of chunks) this.send(chunk);
    this.socket.uncork();
  }
}

/** The parts of the client's protocol handler the flush uses (its fields are public, `flushPending` is not). */
interface FlushingProtocol {
  connected: boolean;
  infoReceived: boolean;
  transport: unknown;
  outbound: { buffers: Uint8Array[]; size(): number; reset(): void };
  flushPending(): void;
}

function writePiecesOnFlush(connection: NatsConnectionImpl): void {
  const protocol = connection.protocol as unknown as FlushingProtocol;
  const clientFlush = protocol.flushPending.bind(protocol);
  protocol.flushPending = () => {
    const transport = protocol.transport;
    if (!(transport instanceof WholeMessageTransport)) return clientFlush();
    if (!protocol.infoReceived || !protocol.connected || protocol.outbound.size() === 0) return;
    const pieces = protocol.outbound.buffers.slice();
    protocol.outbound.reset();
    transport.sendPieces(pieces);
  };
}

export async function connectNats(options: NodeConnectionOptions): Promise<NatsConnection> {
  setTransportFactory({ factory: () => new WholeMessageTransport(), dnsResolveFn: nodeResolveHost });
  const connection = await NatsConnectionImpl.connect(options as ConnectionOptions);
  writePiecesOnFlush(connection as NatsConnectionImpl);
  return connection;
}
