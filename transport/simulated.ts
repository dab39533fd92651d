/**
 * The simulated network of a deterministic run: seeded delay (with a long tail), loss,
 * duplication, reordering or per-link FIFO, partitions, one-way blocks, clogs and crashed
 * endpoints. Like the memory transport it encodes on send and decodes on delivery, and like NATS
 * every endpoint listening on an address gets its own copy.
 *
 * transport/ may not import runtime/, so time, scheduling and randomness come in through a small
 * structural `SimNetworkEnv` (the sim scheduler and `SeededRandom` satisfy it). Nothing here reads
 * a real clock, draws `Math.random` or iterates in an order that did not come from the run itself.
 *
 * Faults are decided per (message, receiver) at send time: the receivers are the endpoints
 * listening when the message is sent (NATS decides interest at publish time too), a partition or
 * block drops it, loss drops it, duplication schedules a second copy. At delivery time the
 * receiver must still be open and still listening, and a clogged link holds it until the clog ends.
 */
import { CodecError, decodeEnvelope, encodeEnvelope } from './codec.js';
import type { Envelope } from './envelope.js';
import { noListenerReply, silentLog, type EnvelopeHandler, type SendOptions, type Transport, type TransportLog } from './transport.js';

export interface SimNetworkRandom { float(): number; int(minInclusive: number, maxInclusive: number): number; chance(p: number): boolean }

export interface SimNetworkEnv {
  nowMs(): number;
  schedule(delayMs: number, fn: () => void): unknown;
  random: SimNetworkRandom;
}

/** `(t, from, to, type)`: one delivered envelope, for trace digests. `from`/`to` are endpoint names. */
export type DeliverHook = (t: number, from: string, to: string, envelopeType: string) => void;

export interface SimNetworkOptions {
  delayMinMs: number;
  /** Mean of the delay; above the minimum it is exponentially distributed. */
  delayMeanMs: number;
  /** Probability that a message also waits `int(1, tailExtraMs)` more (a GC pause, a slow route). */
  tailProbability: number;
  tailExtraMs: number;
  lossProbability: number;
  duplicateProbability: number;
  /** Keep order per (sender, receiver) link, like core NATS per publisher; false lets delays reorder. */
  fifo: boolean;
  log: TransportLog;
  onDeliver: DeliverHook | undefined;
}

export const simNetworkDefaults: SimNetworkOptions = {
  delayMinMs: 1, delayMeanMs: 3, tailProbability: 0.01, tailExtraMs: 50,
  lossProbability: 0, duplicateProbability: 0, fifo: true, log: silentLog, onDeliver: undefined,
};

export type SimDropCause = 'loss' | 'partition' | 'noListener' | 'closed' | 'undecodable';

export interface SimNetworkStats {
  /** `send` calls (one per envelope, whatever the fan-out). */
  sent: number;
  delivered: number;
  duplicated: number;
  dropped: Record<SimDropCause, number>;
}

interface Pending { from: string; receiver: SimEndpoint; address: string; bytes: Uint8Array }
interface Clog { untilMs: number; held: Pending[] }
interface Link { lastAtMs: number; clog: Clog | undefined }

const linkKey = (from: string, to: string): string => `${from}\u0000${to}`;

export class SimNetwork {
  readonly stats: SimNetworkStats = {
    sent: 0, delivered: 0, duplicated: 0,
    dropped: { loss: 0, partition: 0, noListener: 0, closed: 0, undecodable: 0 },
  };
  private options: SimNetworkOptions;
  private readonly endpoints = new Map<string, SimEndpoint>();
  private readonly listeners = new Map<string, Set<SimEndpoint>>();
  private readonly links = new Map<string, Link>();
  private readonly blocked = new Set<string>();
  private readonly isolated = new Set<string>();
  private groupByNode = new Map<string, number>();

  constructor(private readonly env: SimNetworkEnv, options: Partial<SimNetworkOptions> = {}) {
    this.options = checkOptions({ ...simNetworkDefaults, ...options });
  }

  /** Changes knobs mid-run (swarm testing); links keep their FIFO state. */
  configure(options: Partial<SimNetworkOptions>): void {
    this.options = checkOptions({ ...this.options, ...options });
  }

  /** The endpoint of one node or client. A name may be reused only after its endpoint closed (a restart). */
  endpoint(name: string): Transport {
    const current = this.endpoints.get(name);
    if (current !== undefined && !current.closed) throw new Error(`endpoint ${name} is already open`);
    const endpoint = new SimEndpoint(this, name);
    this.endpoints.set(name, endpoint);
    return endpoint;
  }

  /** The node's process dies: its endpoint closes; what it already sent is still in flight. */
  crash(name: string): void {
    void this.endpoints.get(name)?.close();
  }

  /** Nodes in different groups cannot reach each other; a node in no group reaches everyone. Replaces the previous partition. */
  partition(groups: string[][]): void {
    const groupByNode = new Map<string, number>();
    groups.forEach((group, index) => {
      for (const node of group) {
        if (groupByNode.has(node)) throw new Error(`node ${node} is in two partition groups`);
        groupByNode.set(node, index);
      }
    });
    this.groupByNode = groupByNode;
  }

  /** One-way: `from` can no longer reach `to`; `to` still reaches `from`. */
  block(from: string, to: string): void {
    if (from === to) throw new Error(`block(${from}, ${to}): a node always reaches itself`);
    this.blocked.add(linkKey(from, to));
  }

  isolate(node: string): void { this.isolated.add(node); }

  /** Ends partitions, blocks and isolation. Clogs end at their own time. */
  heal(): void {
    this.groupByNode = new Map();
    this.blocked.clear();
    this.isolated.clear();
  }

  /** Holds every message on the link `from → to` that would arrive before `untilMs`, then releases them in order. */
  clog(from: string, to: string, untilMs: number): void {
    const link = this.link(from, to);
    if (link.clog === undefined) link.clog = { untilMs, held: [] };
    else link.clog.untilMs = Math.max(link.clog.untilMs, untilMs);
    // Scheduled now, so it runs before any message sent later that is due at the same instant.
    this.env.schedule(untilMs - this.env.nowMs(), () => this.release(link));
  }

  canReach(from: string, to: string): boolean {
    if (from === to) return true;
    if (this.isolated.has(from) || this.isolated.has(to)) return false;
    const groupFrom = this.groupByNode.get(from);
    const groupTo = this.groupByNode.get(to);
    if (groupFrom !== undefined && groupTo !== undefined && groupFrom !== groupTo) return false;
    return !this.blocked.has(linkKey(from, to));
  }

  /** Test hook: routes raw bytes as if `from` had sent them to `address` (e.g. garbage off the wire). */
  injectBytes(from: string, address: string, bytes: Uint8Array): void {
    this.route(from, address, bytes, 'injected');
  }

  /** @internal Called by endpoints only. */
  send(from: string, envelope: Envelope, options?: SendOptions): void {
    const bytes = encodeEnvelope(envelope);
    if (options?.failFast === true && !this.listeners.has(envelope.to)) return this.refuseFromServer(from, envelope);
    this.route(from, envelope.to, bytes, envelope.type);
  }

  /**
   * Like NATS's "no responders": the refusal comes from the messaging layer, not from a peer, so
   * it reaches a sender that is not cut off from it, after one link delay.
   */
  private refuseFromServer(from: string, envelope: Envelope): void {
    this.stats.sent++;
    const sender = this.endpoints.get(from);
    if (sender === undefined || this.isolated.has(from)) { this.drop('noListener', { from, to: envelope.to, type: envelope.type }); return; }
    const reply = noListenerReply(envelope);
    const pending: Pending = { from: envelope.to, receiver: sender, address: reply.to, bytes: encodeEnvelope(reply) };
    this.env.schedule(this.delayMs(), () => this.deliver(pending));
  }

  /** @internal */
  setListening(endpoint: SimEndpoint, address: string, listening: boolean): void {
    let set = this.listeners.get(address);
    if (listening) {
      if (set === undefined) { set = new Set(); this.listeners.set(address, set); }
      set.add(endpoint);
    } else if (set !== undefined) {
      set.delete(endpoint);
      if (set.size === 0) this.listeners.delete(address);
    }
  }

  private route(from: string, address: string, bytes: Uint8Array, type: string): void {
    this.stats.sent++;
    const receivers = this.listeners.get(address);
    if (receivers === undefined) {
      this.drop('noListener', { from, to: address, type });
      return;
    }
    let first = true;
    for (const receiver of receivers) { // Insertion order: the order in which endpoints listened.
      this.dispatch({ from, receiver, address, bytes: first ? bytes : bytes.slice() });
      first = false;
    }
  }

  /** Decides the fate of one copy for one receiver; random draws happen in a fixed order. */
  private dispatch(pending: Pending): void {
    const { options, env } = this;
    if (!this.canReach(pending.from, pending.receiver.name)) { this.drop('partition'); return; }
    if (options.lossProbability > 0 && env.random.chance(options.lossProbability)) { this.drop('loss'); return; }
    const copies = options.duplicateProbability > 0 && env.random.chance(options.duplicateProbability) ? 2 : 1;
    const link = this.link(pending.from, pending.receiver.name);
    const nowMs = env.nowMs();
    for (let copy = 0; copy < copies; copy++) {
      let atMs = nowMs + this.delayMs();
      if (options.fifo) atMs = Math.max(atMs, link.lastAtMs);
      link.lastAtMs = Math.max(link.lastAtMs, atMs);
      const item = copy === 0 ? pending : { ...pending, bytes: pending.bytes.slice() };
      if (copy > 0) this.stats.duplicated++;
      env.schedule(atMs - nowMs, () => this.arrive(link, item));
    }
  }

  private delayMs(): number {
    const { delayMinMs, delayMeanMs, tailProbability, tailExtraMs } = this.options;
    const random = this.env.random;
    let delayMs = delayMinMs;
    // Exponential above the minimum. V8 computes Math.log with its own fdlibm port, not the C library's.
    if (delayMeanMs > delayMinMs) delayMs += Math.round(-Math.log(1 - random.float()) * (delayMeanMs - delayMinMs));
    if (tailProbability > 0 && tailExtraMs >= 1 && random.chance(tailProbability)) delayMs += random.int(1, tailExtraMs);
    return delayMs;
  }

  private arrive(link: Link, pending: Pending): void {
    if (link.clog !== undefined && this.env.nowMs() <= link.clog.untilMs) { link.clog.held.push(pending); return; }
    this.deliver(pending);
  }

  private release(link: Link): void {
    const clog = link.clog;
    if (clog === undefined || this.env.nowMs() < clog.untilMs) return; // extended, or already released
    link.clog = undefined;
    for (const pending of clog.held) this.deliver(pending);
  }

  private deliver(pending: Pending): void {
    const { receiver, address } = pending;
    if (receiver.closed) { this.drop('closed'); return; }
    const handler = receiver.handlerFor(address);
    if (handler === undefined) { this.drop('noListener', { from: pending.from, to: address }); return; }
    let envelope: Envelope;
    try {
      envelope = decodeEnvelope(pending.bytes);
    } catch (error) {
      if (!(error instanceof CodecError)) throw error;
      this.drop('undecodable', { from: pending.from, to: address, code: error.code, message: error.message });
      return;
    }
    this.stats.delivered++;
    this.options.onDeliver?.(this.env.nowMs(), pending.from, receiver.name, envelope.type);
    handler(envelope);
  }

  private drop(cause: SimDropCause, detail?: Record<string, unknown>): void {
    this.stats.dropped[cause]++;
    // Loss and partitions are the point of a simulation; only surprising drops are worth a log line.
    if (detail !== undefined) this.options.log(cause === 'undecodable' ? 'undecodableEnvelope' : 'noListener', detail);
  }

  private link(from: string, to: string): Link {
    const key = linkKey(from, to);
    let link = this.links.get(key);
    if (link === undefined) { link = { lastAtMs: 0, clog: undefined }; this.links.set(key, link); }
    return link;
  }
}

class SimEndpoint implements Transport {
  closed = false;
  private readonly handlers = new Map<string, EnvelopeHandler>();

  constructor(private readonly network: SimNetwork, readonly name: string) {}

  send(envelope: Envelope, options?: SendOptions): void {
    if (this.closed) return; // A crashed process sends nothing.
    this.network.send(this.name, envelope, options);
  }

  listen(address: string, handler: EnvelopeHandler): void {
    if (this.closed) throw new Error(`listen(${address}) on closed endpoint ${this.name}`);
    this.handlers.set(address, handler);
    this.network.setListening(this, address, true);
  }

  unlisten(address: string): void {
    this.handlers.delete(address);
    this.network.setListening(this, address, false);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const address of [...this.handlers.keys()]) this.unlisten(address);
  }

  handlerFor(address: string): EnvelopeHandler | undefined { return this.handlers.get(address); }
}

function checkOptions(options: SimNetworkOptions): SimNetworkOptions {
  for (const name of ['tailProbability', 'lossProbability', 'duplicateProbability'] as const) {
    const p = options[name];
    if (!(p >= 0 && p <= 1)) throw new RangeError(`${name} ${p} is not a probability`);
  }
  if (!(options.delayMinMs >= 0)) throw new RangeError(`delayMinMs ${options.delayMinMs} < 0`);
  if (!(options.delayMeanMs >= options.delayMinMs)) throw new RangeError(`delayMeanMs ${options.delayMeanMs} < delayMinMs`);
  if (!(options.tailExtraMs >= 0)) throw new RangeError(`tailExtraMs ${options.tailExtraMs} < 0`);
  return options;
}
