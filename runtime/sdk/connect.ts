/**
 * `connect()`: the SDK's entry point (DESIGN.md section 8). It opens a transport (NATS, or a
 * given one such as an in-memory endpoint), builds a client ActorHost with the real clock and no
 * store, and hands out producers and consumers — each an actor at `client/<clientId>/<instance>/<n>`
 * whose results come back through one Deliveries dispatcher.
 *
 * Over NATS, a client whose server enforces permissions can be confined to the inboxes of its
 * client id (`brook auth template --client-id`): connect checks at once that it may listen there,
 * and a connection the server refuses (credentials, TLS) ends in a typed error, not a hang.
 */
import { clientActorAddress } from '../../actors/kit/addresses.js';
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
import { connectError, natsSecurityOptions, type SecurityOptions } from './security.js';

export interface NatsOptions { servers: string | string[]; [option: string]: unknown }

export interface ConnectOptions extends SecurityOptions {
  nats?: string | NatsOptions;
  cluster?: string;
  transport?: Transport;
  /**
   * Kafka's client.id: several processes may share it. Printable, without `/` or spaces; by default
   * the NATS user's name when one is given (the client id `brook auth template` assumes), else random.
   */
  clientId?: string;
  clock?: Clock;
  logger?: Logger;
  /** Seeds the client actors' PRNGs (jitter, sticky partitions); random by default. */
  seed?: number;
}

export interface BrookClient {
  readonly clientId: string;
  readonly host: ActorHost;
  /** An inbox address of this client (its actors', its admins'): `client/<clientId>/<instance>/<name>`. */
  inboxAddress(name: string): string;
  producer(options?: ProducerOptions): Producer;
  consumer(options?: ConsumerOptions): Consumer;
  admin(): Admin;
  close(): Promise<void>;
}


async function openTransport(options: ConnectOptions, inbox: string): Promise<Transport> {
  if (options.transport !== undefined) return options.transport;
  if (options.nats === undefined) throw new BrookError('INVALID_REQUEST', 'connect needs `nats` or `transport`');
  const nats = typeof options.nats === 'string' ? { servers: options.nats } : options.nats;
  let transport: NatsTransport;
  try {
    transport = await NatsTransport.connect({ ...natsSecurityOptions(options), ...nats, cluster: options.cluster ?? 'dev' });
  } catch (error) {
    throw connectError(error);
  }
  const refusal = await transport.listenRefusal(inbox);
  if (refusal === undefined) return transport;
  await transport.close();
  throw new BrookError('CLUSTER_AUTHORIZATION_FAILED', `the NATS user may not listen at this client's inbox ${inbox} (${refusal}): `
    + 'connect with the client id its permissions name (`brook auth template --client-id`)');
}

function randomToken(): string { return Math.floor(Math.random() * 2 ** 32).toString(36); }

/** A client id becomes one address segment: printable, no `/`, no spaces. */
const CLIENT_ID = /^[^\s/]{1,128}$/;

export async function connect(options: ConnectOptions): Promise<BrookClient> {
  const clientId = options.clientId ?? options.user ?? `c${randomToken()}`;
  if (!CLIENT_ID.test(clientId)) throw new BrookError('INVALID_REQUEST', `client id '${clientId.slice(0, 200)}' must be 1-128 printable characters without '/' or spaces`);
  const instance = randomToken();
  const inboxAddress = (name: string): string => clientActorAddress(clientId, instance, name);
  const transport = await openTransport(options, inboxAddress('connect'));
  const clock = options.clock ?? realClock;
  const logger = options.logger ?? createLogger(stderrSink, { level: 'warn', bindings: { client: clientId } });
  const deliveries = new Deliveries();
  const host = new ActorHost({ name: clientId, transport, store: undefined, clock, logger, onDeliver: deliveries.onDeliver,
    onActorError: (address) => deliveries.settleAll(address, { ok: false, code: 'CLIENT_CLOSED', message: `actor ${address} failed` }) });
  let seed = options.seed ?? Math.floor(Math.random() * 2 ** 32);
  let actors = 0;
  const nextAddress = (): string => inboxAddress(String(++actors));
  const client: BrookClient = {
    clientId, host, inboxAddress,
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
