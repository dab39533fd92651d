/**
 * In-process transport: the embedded default (`brook dev`) and the fast path for tests. It keeps
 * the failure-free half of the NATS contract — async delivery, fan-out, silent drop when nobody
 * listens — and still encodes every envelope, so a body msgpack cannot carry fails here exactly as
 * it would on the wire.
 *
 * Delivery runs in batches on `setImmediate`, not on microtasks: a request/reply ping-pong between
 * two actors would otherwise run forever inside one microtask checkpoint and starve timers and I/O.
 * Envelopes sent while a batch is being delivered wait for the next batch.
 */
import { CodecError, decodeEnvelope, encodeEnvelope } from './codec.js';
import type { Envelope } from './envelope.js';
import { noListenerReply, silentLog, type EnvelopeHandler, type SendOptions, type Transport, type TransportLog } from './transport.js';

export interface MemoryNetworkOptions {
  log?: TransportLog;
}

interface Delivery { receiver: MemoryEndpoint; address: string; bytes: Uint8Array }

export class MemoryNetwork {
  private readonly log: TransportLog;
  /** Endpoints listening on each address, in the order they started listening. */
  private readonly listeners = new Map<string, Set<MemoryEndpoint>>();
  private queue: Delivery[] = [];
  private drainScheduled = false;

  constructor(options: MemoryNetworkOptions = {}) {
    this.log = options.log ?? silentLog;
  }

  endpoint(): Transport {
    return new MemoryEndpoint(this);
  }

  /** @internal Called by endpoints only. */
  subscribe(address: string, endpoint: MemoryEndpoint): void {
    let set = this.listeners.get(address);
    if (set === undefined) { set = new Set(); this.listeners.set(address, set); }
    set.add(endpoint);
  }

  /** @internal */
  unsubscribe(address: string, endpoint: MemoryEndpoint): void {
    const set = this.listeners.get(address);
    if (set === undefined) return;
    set.delete(endpoint);
    if (set.size === 0) this.listeners.delete(address);
  }

  /** @internal Encodes once; every receiver after the first gets its own copy of the bytes. */
  publish(envelope: Envelope, options?: SendOptions, sender?: MemoryEndpoint): void {
    const bytes = encodeEnvelope(envelope);
    const set = this.listeners.get(envelope.to);
    if (set === undefined) {
      this.log('noListener', { to: envelope.to, type: envelope.type });
      if (options?.failFast === true && sender !== undefined) {
        const reply = noListenerReply(envelope);
        this.queue.push({ receiver: sender, address: reply.to, bytes: encodeEnvelope(reply) });
        this.scheduleDrain();
      }
      return;
    }
    let first = true;
    for (const receiver of set) {
      this.queue.push({ receiver, address: envelope.to, bytes: first ? bytes : bytes.slice() });
      first = false;
    }
    this.scheduleDrain();
  }

  private scheduleDrain(): void {
    if (this.drainScheduled) return;
    this.drainScheduled = true;
    setImmediate(() => this.drain());
  }

  private drain(): void {
    this.drainScheduled = false;
    const batch = this.queue;
    this.queue = [];
    for (let i = 0; i < batch.length; i++) {
      const delivery = batch[i] as Delivery;
      delivery.receiver.receive(delivery.address, delivery.bytes);
    }
  }

  /** @internal */
  undecodable(address: string, error: CodecError): void {
    this.log('undecodableEnvelope', { to: address, code: error.code, message: error.message });
  }
}

class MemoryEndpoint implements Transport {
  private readonly handlers = new Map<string, EnvelopeHandler>();
  private closed = false;

  constructor(private readonly network: MemoryNetwork) {}

  send(envelope: Envelope, options?: SendOptions): void {
    if (this.closed) return; // A closed endpoint is a crashed process: its sends go nowhere.
    this.network.publish(envelope, options, this);
  }

  listen(address: string, handler: EnvelopeHandler): void {
    if (this.closed) throw new Error(`listen(${address}) on a closed transport`);
    this.handlers.set(address, handler);
    this.network.subscribe(address, this);
  }

  unlisten(address: string): void {
    this.handlers.delete(address);
    this.network.unsubscribe(address, this);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const address of [...this.handlers.keys()]) this.unlisten(address);
  }

  /** Looked up at delivery time, so `unlisten` also stops envelopes already queued. */
  receive(address: string, bytes: Uint8Array): void {
    const handler = this.handlers.get(address);
    if (handler === undefined) return;
    let envelope: Envelope;
    try {
      envelope = decodeEnvelope(bytes);
    } catch (error) {
      if (!(error instanceof CodecError)) throw error;
      this.network.undecodable(address, error);
      return;
    }
    handler(envelope);
  }
}
