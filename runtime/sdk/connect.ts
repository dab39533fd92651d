/**
 * `connect()`: the SDK's entry point (DESIGN.md section 8). It opens a transport (NATS, or a
 * given one such as an in-memory endpoint), builds a client ActorHost with the real clock and no
 * store, and hands out producers and consumers — each an actor at `client/<clientId>/<instance>/<n>`
 * whose results come back through one Deliveries dispatcher — and admin clients.
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
import { Admin, type AdminOptions } from './admin.js';
import { NatsTransport } from '../../transport/nats.js';
import { connectError, natsSecurityOptions, type SecurityOptions } from './security.js';

/** NATS connection options: `servers` plus what passes through to the NATS client (auth, TLS). */
export interface NatsOptions { servers: string | string[]; [option: string]: unknown }

export interface ConnectOptions extends SecurityOptions {
  /** One URL, a comma-separated list of one NATS cluster's servers, or NATS options. */
  nats?: string | NatsOptions;
  /** The Brook cluster name (default `dev`). */
  cluster?: string;
  /** A transport to use instead of NATS (the in-memory one, for embedded use and tests). */
  transport?: Transport;
  /**
   * Kafka's client.id: several processes may share it. Printable, without `/` or spaces; by default
   * the NATS user's name when one is given (the client id `brook auth template` assumes), else random.
   */
  clientId?: string;
  /** How long the first connection to NATS may take before `connect` fails with NETWORK_EXCEPTION (default 5000). */
  connectTimeoutMs?: number;
  clock?: Clock;
  logger?: Logger;
  /** Seeds the client actors' PRNGs (jitter, sticky partitions); random by default. */
  seed?: number;
}

export interface BrookClient {
  readonly clientId: string;
  producer(options?: ProducerOptions): Producer;
  consumer(options?: ConsumerOptions): Consumer;
  /** An admin client with its own inbox; its calls end within `options.timeoutMs` (default 15 s). */
  admin(options?: AdminOptions): Admin;
  close(): Promise<void>;
}

/** What the runtime (benchmarks, the simulator's probes) may reach behind a client; not part of the SDK. */
/** `inboxAddress(name)`: an inbox of this client (`client/<clientId>/<instance>/<name>`), inside what its NATS permissions allow. */
export interface ClientInternals { host: ActorHost; transport: Transport; clock: Clock; inboxAddress(name: string): string }
const internals = new WeakMap<BrookClient, ClientInternals>();

export function clientInternals(client: BrookClient): ClientInternals {
  const found = internals.get(client);
  if (found === undefined) throw new BrookError('INVALID_REQUEST', 'not a client made by connect()');
  return found;
}

export const CONNECT_TIMEOUT_MS_DEFAULT = 5_000;

/** Where a client is pointed, for error messages ("cluster 'dev' at nats://…"). */
function targetOf(options: ConnectOptions): string {
  const cluster = options.cluster ?? 'dev';
  if (options.nats === undefined) return `cluster '${cluster}'`;
  const servers = typeof options.nats === 'string' ? options.nats : options.nats.servers;
  return `cluster '${cluster}' at ${Array.isArray(servers) ? servers.join(',') : servers}`;
}

async function openTransport(options: ConnectOptions, inbox: string): Promise<Transport> {
  if (options.transport !== undefined) return options.transport;
  if (options.nats === undefined) throw new BrookError('INVALID_REQUEST', 'connect needs `nats` (a URL) or `transport`');
  const nats = typeof options.nats === 'string' ? { servers: options.nats } : options.nats;
  let transport: NatsTransport;
  try {
    transport = await NatsTransport.connect({ connectTimeoutMs: options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS_DEFAULT,
      ...natsSecurityOptions(options), ...nats, cluster: options.cluster ?? 'dev' });
  } catch (error) {
    if (error instanceof BrookError) throw error;
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
  let admins = 0;
  const target = targetOf(options);
  const nextAddress = (): string => inboxAddress(String(++actors));
  const client: BrookClient = {
    clientId,
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
    admin(adminOptions = {}) {
      // Each admin gets its own inbox, so closing one never deafens another.
      const inbox = inboxAddress(`admin${++admins === 1 ? '' : `-${admins}`}`);
      return new Admin({ transport, clock, inbox, target, seed: seed++ }, adminOptions);
    },
    async close() {
      for (const address of host.addresses) deliveries.settleAll(address, { ok: false, code: 'CLIENT_CLOSED', message: 'the client is closed' });
      host.close();
      await transport.close();
    },
  };
  internals.set(client, { host, transport, clock, inboxAddress });
  return client;
}
