/**
 * The transport of real deployments: one NATS connection per node or client, one subject per
 * address (`subjectFor`, transport/subject.ts). Core NATS is at-most-once and keeps order per
 * publisher only, which is exactly the `Transport` contract.
 *
 * Subscriptions use callbacks, not one async iterator loop per address: a callback runs straight
 * from the client's parser, without a promise per message. Publishes are never flushed one by
 * one; the client coalesces them per microtask. Auth (user/pass, token, authenticator or creds)
 * and TLS options go to the client unchanged.
 *
 * Access control is the server's (DESIGN.md section 12): a publish the user's permissions do not
 * cover is refused asynchronously, naming the subject. The requests sent there are then answered
 * here at once with `refusalCode(address)` (runtime/ passes Kafka's TOPIC_/GROUP_/
 * CLUSTER_AUTHORIZATION_FAILED), so a refused request fails fast instead of timing out. A first
 * connect that fails says why (transport/nats-connect-errors.ts).
 */
import {
  credsAuthenticator, PermissionViolationError, RequestError,
  type Authenticator, type Msg, type NatsConnection, type NodeConnectionOptions, type Subscription,
} from '@nats-io/transport-node';
import { CodecError, decodeEnvelope, encodeEnvelopeParts } from './codec.js';
import type { Envelope } from './envelope.js';
import { connectNats, publishParts } from './nats-connect.js';
import { classifyConnectError } from './nats-connect-errors.js';
import { SentRequests } from './sent-requests.js';
import { clusterSubject, patternSubjectFor, subjectFor } from './subject.js';
import { noListenerReply, refusalReply, silentLog, type EnvelopeHandler, type SendOptions, type Transport, type TransportLog } from './transport.js';

export interface NatsTransportOptions {
  servers: string | string[];
  /** Brook cluster name: the second token of every subject. */
  cluster: string;
  /** Connection name shown by the server (`brook-node-1`, `brook-client-…`). */
  name?: string;
  user?: string;
  pass?: string;
  token?: string;
  authenticator?: Authenticator | Authenticator[];
  /** Contents of a `.creds` file (JWT + nkey seed); turned into a creds authenticator. */
  creds?: Uint8Array;
  tls?: NodeConnectionOptions['tls'];
  reconnectTimeWaitMs?: number;
  /** How long one connect attempt may take (TCP, TLS and the server's first PONG); the NATS client's default is 20 s. */
  connectTimeoutMs?: number;
  /** The error code a request refused by the server's permissions is answered with, by the address it was sent to. */
  refusalCode?: (address: string) => string;
  /**
   * Keep trying (as reconnects do) when no server answers the first connect, instead of failing:
   * a node started while NATS is unreachable waits for it rather than exiting.
   */
  waitOnFirstConnect?: boolean;
  /**
   * Addresses listened on together under one subscription: `of(address)` names the pattern
   * `address` belongs to (segments equal to `anySegment` match any one segment), or undefined for
   * an address with a subscription of its own. A node hosting thousands of replicas then holds a few
   * subscriptions instead of three per replica. A message to an address of a pattern that nothing
   * here listens at is answered as the server answers a fail-fast send when nobody subscribes.
   */
  listenPatterns?: { of: (address: string) => string | undefined; anySegment: string };
  log?: TransportLog;
}

/** Used until the server's INFO arrives; the server's own default. */
const MAX_PAYLOAD_DEFAULT = 1024 * 1024;
const CLOSE_FLUSH_WAIT_MS = 2_000;
/** How long a fail-fast send waits for the server's "no responders" (the real answer comes to `replyTo`). */
const NO_RESPONDERS_WAIT_MS = 2_000;
const CONNECT_TIMEOUT_MS = 5_000;
const REFUSAL_CODE_DEFAULT = 'CLUSTER_AUTHORIZATION_FAILED';

interface Listener { address: string; handler: EnvelopeHandler }

export class NatsTransport implements Transport {
  private readonly subscriptions = new Map<string, Listener & { subscription: Subscription }>();
  /** Listeners of pattern addresses, by subject (what a pattern subscription's message names). */
  private readonly patterned = new Map<string, Listener>();
  /** One subscription per pattern subject, kept for the connection's life once made. */
  private readonly patternSubscriptions = new Map<string, Subscription>();
  private readonly sent = new SentRequests();
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly connection: NatsConnection,
    readonly cluster: string,
    private readonly log: TransportLog,
    private readonly refusalCode: (address: string) => string,
    private readonly listenPatterns: NatsTransportOptions['listenPatterns'],
  ) {
    this.watchStatus().catch((error: unknown) => log('natsStatusFailed', { message: String(error) }));
  }

  /** Rejects with a `NatsConnectError` (authentication, tls or unreachable) when no connection can be made. */
  static async connect(options: NatsTransportOptions): Promise<NatsTransport> {
    const log = options.log ?? silentLog;
    const connection = await openConnection(options);
    log('natsConnected', { server: connection.getServer(), maxPayload: connection.info?.max_payload });
    return new NatsTransport(connection, options.cluster, log, options.refusalCode ?? (() => REFUSAL_CODE_DEFAULT), options.listenPatterns);
  }

  /**
   * Undefined when the server lets this connection listen at `address`, else the server's refusal.
   * The refusal comes before the answer to the flush's ping, so one round trip settles it.
   */
  async listenRefusal(address: string): Promise<string | undefined> {
    let refusal: string | undefined;
    const subscription = this.connection.subscribe(subjectFor(this.cluster, address), {
      callback: (error) => { if (error !== null) refusal = error.message; },
    });
    await this.connection.flush();
    if (!subscription.isClosed()) subscription.unsubscribe();
    return refusal;
  }

  /** Never throws for a delivery problem: an envelope the server would refuse is dropped and logged. */
  send(envelope: Envelope, options?: SendOptions): void {
    // Large byte fields stay in their own buffers all the way to the socket (transport/scattered.ts).
    const parts = encodeEnvelopeParts(envelope);
    let bytes = 0;
    for (const part of parts) bytes += part.length;
    const maxPayload = this.connection.info?.max_payload ?? MAX_PAYLOAD_DEFAULT;
    if (bytes > maxPayload) {
      this.log('envelopeTooLargeForServer', {
        to: envelope.to, type: envelope.type, bytes, maxPayload,
        hint: 'raise max_payload in the nats-server config',
      });
      return;
    }
    try {
      const subject = subjectFor(this.cluster, envelope.to);
      this.sent.note(subject, envelope);
      if (options?.failFast === true) this.publishFailFast(envelope, subject, parts.length === 1 ? parts[0]! : Buffer.concat(parts));
      else publishParts(this.connection, subject, parts);
    } catch (error) {
      // A closed or draining connection: at-most-once means the envelope is simply lost.
      this.log('publishFailed', { to: envelope.to, type: envelope.type, message: (error as Error).message });
    }
  }

  /**
   * Published as a NATS request, so that the server answers "no responders" at once when no
   * subscription matches; anything else (the peer's answer goes to `replyTo`, or nothing) ends in a
   * timeout that means nothing.
   */
  private publishFailFast(envelope: Envelope, subject: string, bytes: Uint8Array): void {
    this.connection.request(subject, bytes, { timeout: NO_RESPONDERS_WAIT_MS }).then(() => {}, (error: unknown) => {
      if (error instanceof RequestError && error.isNoResponders()) this.deliverLocally(noListenerReply(envelope));
    });
  }

  /** A reply made up here (no listener, refused by the server) goes straight to this connection's listener, if any. */
  private deliverLocally(reply: Envelope): void {
    const entry = this.listenerAt(reply.to);
    if (entry === undefined) return;
    try {
      entry.handler(reply);
    } catch (cause) {
      this.log('handlerFailed', { to: reply.to, type: reply.type, message: (cause as Error)?.stack ?? String(cause) });
    }
  }

  /** The server refused a publish to `subject`: every request kept for it is answered with the refusal code. */
  private refusePublish(subject: string): void {
    for (const request of this.sent.take(subject)) {
      this.deliverLocally(refusalReply(request, this.refusalCode(request.to),
        `the NATS server refused to let this user publish to ${subject} (its permissions do not cover ${request.to})`));
    }
  }

  listen(address: string, handler: EnvelopeHandler): void {
    const pattern = this.listenPatterns?.of(address);
    if (pattern !== undefined) { this.listenInPattern(address, pattern, handler); return; }
    const existing = this.subscriptions.get(address);
    if (existing !== undefined) { existing.handler = handler; return; }
    const entry = { address, handler, subscription: undefined as unknown as Subscription };
    entry.subscription = this.connection.subscribe(subjectFor(this.cluster, address), {
      callback: (error, msg) => {
        if (error !== null) { this.log('subscriptionError', { to: address, message: error.message }); return; }
        if (this.subscriptions.get(address) !== entry) return; // unlistened while the message was queued
        this.receive(entry, msg);
      },
    });
    this.subscriptions.set(address, entry);
  }

  unlisten(address: string): void {
    if (this.patterned.delete(subjectFor(this.cluster, address))) return;
    const entry = this.subscriptions.get(address);
    if (entry === undefined) return;
    this.subscriptions.delete(address);
    entry.subscription.unsubscribe();
  }

  private listenInPattern(address: string, pattern: string, handler: EnvelopeHandler): void {
    const subject = subjectFor(this.cluster, address);
    const existing = this.patterned.get(subject);
    if (existing !== undefined) { existing.handler = handler; return; }
    this.patterned.set(subject, { address, handler });
    const patternSubject = patternSubjectFor(this.cluster, pattern, this.listenPatterns?.anySegment as string);
    if (this.patternSubscriptions.has(patternSubject)) return;
    this.patternSubscriptions.set(patternSubject, this.connection.subscribe(patternSubject, {
      callback: (error, msg) => {
        if (error !== null) { this.log('subscriptionError', { to: pattern, message: error.message }); return; }
        const entry = this.patterned.get(msg.subject);
        if (entry !== undefined) { this.receive(entry, msg); return; }
        // Nothing listens at this address: a fail-fast send (a NATS request) gets the answer the
        // server gives when no subscription matches; anything else is lost, as it would have been.
        if (msg.reply === undefined || msg.reply === '') return;
        const envelope = this.decode(msg, pattern);
        if (envelope !== undefined && !envelope.type.endsWith('Reply')) this.send(noListenerReply(envelope));
      },
    }));
  }

  private listenerAt(address: string): Listener | undefined {
    return this.subscriptions.get(address) ?? (this.patterned.size === 0 ? undefined : this.patterned.get(subjectFor(this.cluster, address)));
  }

  /** Waits until the server has processed everything published so far (tests, shutdown). */
  async flush(): Promise<void> {
    await this.connection.flush();
  }

  /** Flushes what is still buffered (bounded: a disconnected client may never flush), then closes; safe to call twice. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.subscriptions.clear();
      this.patterned.clear();
      if (this.connection.isClosed()) return;
      let timer: NodeJS.Timeout | undefined;
      const giveUp = new Promise<void>((resolve) => { timer = setTimeout(resolve, CLOSE_FLUSH_WAIT_MS); });
      await Promise.race([this.connection.flush().catch(() => {}), giveUp]);
      clearTimeout(timer);
      await this.connection.close();
    })();
    return this.closing;
  }

  private receive(entry: Listener, msg: Msg): void {
    const envelope = this.decode(msg, entry.address);
    if (envelope === undefined) return;
    try {
      entry.handler(envelope);
    } catch (cause) {
      // An exception here would unwind into the client's parser and wedge the connection.
      this.log('handlerFailed', { to: entry.address, type: envelope.type, message: (cause as Error)?.stack ?? String(cause) });
    }
  }

  /** The envelope a message carries, or undefined (logged) when it is not one. */
  private decode(msg: Msg, to: string): Envelope | undefined {
    try {
      return decodeEnvelope(msg.data);
    } catch (cause) {
      if (!(cause instanceof CodecError)) throw cause;
      this.log('undecodableEnvelope', { to, bytes: msg.data.length, code: cause.code, message: cause.message });
      return undefined;
    }
  }

  private async watchStatus(): Promise<void> {
    for await (const status of this.connection.status()) {
      if (status.type === 'error' && status.error instanceof PermissionViolationError && status.error.operation === 'publish') {
        this.refusePublish(status.error.subject);
      }
      const { type, ...rest } = status;
      const detail: Record<string, unknown> = { type };
      if ('server' in rest) detail['server'] = rest.server;
      if ('error' in rest) detail['message'] = rest.error.message;
      this.log('natsStatus', detail);
    }
  }
}

/**
 * `--nats a,b,c` (and `connect({ nats: 'a,b,c' })`) name several servers of one NATS cluster: the
 * client fails over between them when its server dies. The NATS client takes only a list.
 */
function serverList(servers: string | string[]): string[] {
  const list = typeof servers === 'string' ? [servers] : servers;
  return list.flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s.length > 0);
}

/**
 * The first connect. One that must wait for NATS (a node) waits only while no server answers: one
 * attempt without waiting comes first, so a server that refuses the credentials or the TLS
 * handshake ends the wait at once with the reason.
 */
async function openConnection(options: NatsTransportOptions): Promise<NatsConnection> {
  const base = connectionOptions(options);
  const attempt = { servers: base.servers as string[], hasClientCert: options.tls?.certFile !== undefined || options.tls?.cert !== undefined };
  try {
    return await connectNats({ ...base, waitOnFirstConnect: false });
  } catch (error) {
    const failure = await classifyConnectError(error, attempt);
    if (failure.reason !== 'unreachable' || options.waitOnFirstConnect !== true) throw failure;
  }
  try {
    return await connectNats(base);
  } catch (error) {
    throw await classifyConnectError(error, attempt);
  }
}

function connectionOptions(options: NatsTransportOptions): NodeConnectionOptions {
  if (options.cluster.length === 0) throw new Error('NatsTransport needs a cluster name');
  const authenticator = options.creds !== undefined ? credsAuthenticator(options.creds) : options.authenticator;
  const result: NodeConnectionOptions = {
    servers: serverList(options.servers),
    // A node rides out a server restart or failover instead of dying with its connection.
    maxReconnectAttempts: -1,
    reconnectTimeWait: options.reconnectTimeWaitMs ?? 250,
    timeout: options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS,
    // Fail-fast sends (NATS requests) take their "no responders" on an inbox inside the cluster's
    // subjects, so a node's permissions need nothing beyond `brook.<cluster>.>`.
    inboxPrefix: `${clusterSubject(options.cluster)}._INBOX`,
  };
  // Only keys that were given: the client merges options over its defaults, and an explicit
  // `undefined` would override a default.
  if (options.name !== undefined) result.name = options.name;
  if (options.user !== undefined) result.user = options.user;
  if (options.pass !== undefined) result.pass = options.pass;
  if (options.token !== undefined) result.token = options.token;
  if (authenticator !== undefined) result.authenticator = authenticator;
  if (options.tls !== undefined) result.tls = options.tls;
  if (options.waitOnFirstConnect === true) result.waitOnFirstConnect = true;
  if (options.connectTimeoutMs !== undefined) result.timeout = options.connectTimeoutMs;
  return result;
}
