/**
 * `connect()`: the SDK's entry point (DESIGN.md section 8). It opens a transport (NATS, or a
 * given one such as an in-memory endpoint), builds a client ActorHost with the real clock and no
 * store, and hands out producers and consumers — each an actor at `client/<clientId>-<n>`
 * whose results come back through one Deliveries dispatcher.
 */
import { clientAddress } from '../../actors/kit/addresses.js';
import { realClock, type Clock } from '../clock.js';
import { ActorHost } from '../host.js';
import { createLogger, stderrSink, type Logger } from '../log.js';
import type { Transport } from '../../transport/transport.js';
import { Deliveries } from './deliveries.js';
import { BrookError } from './errors.js';
import { consumerKind, producerKind } from './kinds.js';
import { Consumer, consumerInput, type ConsumerOptions } from './consumer.js';
import { Producer, toActorInput, type ProducerOptions } from './producer.js';
import { Admin } from './admin.js';
import { NatsTransport } from '../../transport/nats.js';

export interface NatsOptions { servers: string | string[]; [option: string]: unknown }

export interface ConnectOptions {
  nats?: string | NatsOptions;
  cluster?: string;
  transport?: Transport;
  clientId?: string;
  clock?: Clock;
  logger?: Logger;
  /** Seeds the client actors' PRNGs (jitter, sticky partitions); random by default. */
  seed?: number;
}

export interface BrookClient {
  readonly clientId: string;
  readonly host: ActorHost;
  producer(options?: ProducerOptions): Producer;
  consumer(options?: ConsumerOptions): Consumer;
  admin(): Admin;
  close(): Promise<void>;
}


async function openTransport(options: ConnectOptions): Promise<Transport> {
  if (options.transport !== undefined) return options.transport;
  if (options.nats === undefined) throw new BrookError('INVALID_REQUEST', 'connect needs `nats` or `transport`');
  const nats = typeof options.nats === 'string' ? { servers: options.nats } : options.nats;
  return NatsTransport.connect({ ...nats, cluster: options.cluster ?? 'dev' });
}


function randomClientId(): string { return `c${Math.floor(Math.random() * 2 ** 32).toString(36)}`; }

export async function connect(options: ConnectOptions): Promise<BrookClient> {
  const transport = await openTransport(options);
  const clock = options.clock ?? realClock;
  const clientId = options.clientId ?? randomClientId();
  const logger = options.logger ?? createLogger(stderrSink, { level: 'warn', bindings: { client: clientId } });
  const deliveries = new Deliveries();
  const host = new ActorHost({ name: clientId, transport, store: undefined, clock, logger, onDeliver: deliveries.onDeliver,
    onActorError: (address) => deliveries.settleAll(address, { ok: false, code: 'CLIENT_CLOSED', message: `actor ${address} failed` }) });
  let seed = options.seed ?? Math.floor(Math.random() * 2 ** 32);
  let actors = 0;
  const nextAddress = (): string => clientAddress(`${clientId}-${++actors}`);
  const client: BrookClient = {
    clientId, host,
    producer(producerOptions = {}) {
      const address = nextAddress();
      host.spawn(producerKind, address, toActorInput(producerOptions, `${clientId}-${actors}`, seed++, clock));
      return new Producer(host, address, deliveries, clock);
    },
    consumer(consumerOptions = {}) {
      const { input, callbacks } = consumerInput(consumerOptions);
      const address = nextAddress();
      host.spawn(consumerKind, address, { ...input, clientId: `${clientId}-${actors}`, seed: seed++, nowMs: clock.nowMs() });
      return new Consumer(host, address, deliveries, clock, callbacks);
    },
    admin() { return new Admin(client); },
    async close() {
      for (const address of host.addresses) deliveries.settleAll(address, { ok: false, code: 'CLIENT_CLOSED', message: 'the client is closed' });
      host.close();
      await transport.close();
    },
  };
  return client;
}
