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

/** The parts of the client's protocol handler used here (its fields are public, `flushPending` is not). */
interface FlushingProtocol {
  connected: boolean;
  infoReceived: boolean;
  outBytes: number;
  outMsgs: number;
  transport: unknown;
  outbound: { buffers: Uint8Array[]; size(): number; reset(): void };
  flushPending(): void;
  sendCommand(command: string, ...payloads: Uint8Array[]): void;
}

const CRLF = new Uint8Array([0x0d, 0x0a]);

/**
 * Publishes one message whose payload is `parts` concatenated, without concatenating them: what
 * the client's `publish` does (the same checks, counters and protocol line), with the payload
 * given as pieces. The caller has checked the size against the server's max_payload.
 */
export function publishParts(connection: NatsConnection, subject: string, parts: readonly Uint8Array[]): void {
  if (parts.length === 1) return connection.publish(subject, parts[0]!);
  const impl = connection as NatsConnectionImpl;
  impl._check(subject, false, true); // closed, draining or a bad subject: the client's own errors
  const protocol = impl.protocol as unknown as FlushingProtocol;
  let length = 0;
  for (const part of parts) length += part.length;
  protocol.outBytes += length;
  protocol.outMsgs++;
  protocol.sendCommand(`PUB ${subject} ${length}\r\n`, ...parts, CRLF);
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
