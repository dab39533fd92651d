/**
 * The Kafka listener's public surface: `startKafkaListener` binds the port first (so that the
 * node can register the address it really got), then answers Kafka clients for that node.
 */
import { clientInternals, connect } from '../sdk/connect.js';
import { KafkaListener } from './listener.js';
import { parseHostPort, type KafkaBrokerOptions } from './broker.js';

export { KafkaListener } from './listener.js';
export { parseHostPort } from './broker.js';

export interface StartKafkaOptions extends KafkaBrokerOptions {
  /** `host:port` to bind and advertise; port 0 picks a free one. */
  listen: string;
}

export async function startKafkaListener(options: StartKafkaOptions): Promise<{ listener: KafkaListener; close: () => Promise<void> }> {
  const endpoint = parseHostPort(options.listen.replace(/:0$/, ':1'));
  if (endpoint === undefined) throw new Error(`--kafka must be host:port, got '${options.listen}'`);
  const port = options.listen.endsWith(':0') ? 0 : endpoint.port;
  // The SDK's admin client on the node's own transport: admin and group requests go through it.
  const client = await connect({ transport: options.transport, cluster: options.cluster, clientId: `kafka-${options.nodeId}-${options.incarnation}`,
    clock: options.clock, logger: options.logger });
  const admin = client.admin({ timeoutMs: 10_000 });
  const listener = new KafkaListener({ ...options, host: endpoint.host, port }, { admin });
  await listener.listen();
  return {
    listener,
    // Not client.close(): that would close the node's transport.
    close: async () => { await listener.close(); admin.close(); clientInternals(client).host.close(); },
  };
}
