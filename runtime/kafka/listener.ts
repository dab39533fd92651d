/**
 * A node's Kafka listener: a TCP server whose connections speak the Kafka protocol
 * (connection.ts). It is a translator in the runtime; the node's actors do the work.
 */
import { createServer, type Server } from 'node:net';
import { KafkaBroker, type BrokerDeps, type KafkaBrokerOptions } from './broker.js';
import { KafkaConnection } from './connection.js';
import { FRAME_BYTES_MAX_DEFAULT } from './frames.js';
import { HANDLERS } from './apis/index.js';

export interface KafkaListenerOptions extends KafkaBrokerOptions {
  host: string;
  /** 0 picks a free port (see `port` after `listen`). */
  port: number;
  frameBytesMax?: number;
  connectionsMax?: number;
}

export class KafkaListener {
  readonly broker: KafkaBroker;
  private readonly server: Server;
  private readonly connections = new Set<KafkaConnection>();
  port = 0;

  constructor(private readonly options: KafkaListenerOptions, deps: BrokerDeps) {
    this.broker = new KafkaBroker(options, deps);
    this.server = createServer((socket) => {
      if (this.connections.size >= (options.connectionsMax ?? 10_000)) {
        options.logger.log('warn', 'kafkaConnectionRefused', { remote: socket.remoteAddress, reason: 'too many connections' });
        socket.destroy();
        return;
      }
      const connection = new KafkaConnection(socket, this.broker, HANDLERS, options.frameBytesMax ?? FRAME_BYTES_MAX_DEFAULT,
        () => this.connections.delete(connection));
      this.connections.add(connection);
    });
  }

  get connectionCount(): number { return this.connections.size; }

  /** The advertised `host:port` (after listen). */
  get address(): string { return `${this.options.host}:${this.port}`; }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => {
        const address = this.server.address();
        this.port = typeof address === 'object' && address !== null ? address.port : this.options.port;
        this.server.off('error', reject);
        this.options.logger.log('info', 'kafkaListening', { host: this.options.host, port: this.port });
        resolve();
      });
    });
  }

  async close(): Promise<void> {
    for (const connection of [...this.connections]) connection.close();
    this.broker.close();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
