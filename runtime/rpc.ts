/**
 * Request/reply, built once on `Transport.send` so it behaves the same over NATS, in memory and
 * in simulation (DESIGN.md section 3). Used by the SDK and the node runtime; actors never use it
 * (they reply through their declared `reply` effect).
 *
 * A request carries `corr` (from a counter) and `replyTo` (this Rpc's inbox). The reply is any
 * envelope that arrives on the inbox with that `corr`; a reply that is late (after a timeout or a
 * cancel) or duplicated finds no entry and is ignored. Timers come from the `Clock`, so timeouts
 * fire in virtual time in simulation. The in-flight map is bounded: past `inFlightMax`, a call
 * fails at once with `TOO_MANY_IN_FLIGHT` instead of growing without limit.
 */
import type { Envelope } from '../transport/envelope.js';
import type { Transport } from '../transport/transport.js';
import type { Clock } from './clock.js';

export type RpcErrorCode = 'REQUEST_TIMED_OUT' | 'CANCELLED' | 'TOO_MANY_IN_FLIGHT';

export type RpcResult = { ok: true; envelope: Envelope } | { ok: false; code: RpcErrorCode };

export type RpcDone = (result: RpcResult) => void;

/** The rejection of `request`; callers switch on `code`. */
export class RpcError extends Error {
  override name = 'RpcError';
  constructor(readonly code: RpcErrorCode, message: string) { super(message); }
}

export interface RpcOptions {
  timeoutMsDefault?: number;
  inFlightMax?: number;
  /**
   * First correlation id. A restarted process that reuses its inbox should start elsewhere (e.g.
   * from its seeded Random), so a late reply to its previous life cannot match a new request.
   */
  corrFirst?: number;
}

interface InFlight { done: RpcDone; timer: unknown }

export class Rpc {
  readonly timeoutMsDefault: number;
  readonly inFlightMax: number;
  /** Replies that matched no request: late, duplicated, or meant for an earlier life of the inbox. */
  repliesIgnored = 0;
  private corrNext: number;
  private readonly inFlight = new Map<number, InFlight>();
  private closed = false;

  constructor(
    private readonly transport: Transport,
    private readonly clock: Clock,
    readonly inbox: string,
    options: RpcOptions = {},
  ) {
    this.timeoutMsDefault = options.timeoutMsDefault ?? 30_000;
    this.inFlightMax = options.inFlightMax ?? 10_000;
    this.corrNext = options.corrFirst ?? 1;
    if (!(this.timeoutMsDefault > 0)) throw new RangeError(`timeoutMsDefault ${this.timeoutMsDefault} <= 0`);
    if (!(this.inFlightMax > 0)) throw new RangeError(`inFlightMax ${this.inFlightMax} <= 0`);
    if (!Number.isSafeInteger(this.corrNext)) throw new RangeError(`corrFirst ${this.corrNext} is not an integer`);
    transport.listen(inbox, (envelope) => this.onReply(envelope));
  }

  get inFlightCount(): number { return this.inFlight.size; }

  /**
   * Sends a request; `done` runs exactly once, never synchronously inside `call`. Returns the
   * correlation id (for `cancel`). Throws `CodecError` if the body cannot be encoded.
   */
  call(to: string, type: string, body: unknown, options: { timeoutMs?: number; failFast?: boolean }, done: RpcDone): number {
    const corr = this.corrNext;
    this.corrNext = corr >= Number.MAX_SAFE_INTEGER ? 1 : corr + 1;
    if (this.closed || this.inFlight.size >= this.inFlightMax) {
      const code: RpcErrorCode = this.closed ? 'CANCELLED' : 'TOO_MANY_IN_FLIGHT';
      this.clock.setTimeout(() => done({ ok: false, code }), 0);
      return corr;
    }
    const timeoutMs = options.timeoutMs ?? this.timeoutMsDefault;
    if (!(timeoutMs > 0)) throw new RangeError(`timeoutMs ${timeoutMs} <= 0`);
    // Sent before it is registered: if the body cannot be encoded, nothing is left behind.
    this.transport.send({ to, from: this.inbox, type, corr, replyTo: this.inbox, body }, options.failFast === true ? { failFast: true } : undefined);
    const timer = this.clock.setTimeout(() => this.settle(corr, { ok: false, code: 'REQUEST_TIMED_OUT' }), timeoutMs);
    this.inFlight.set(corr, { done, timer });
    return corr;
  }

  /** Settles the call with `CANCELLED` (synchronously); a reply that still comes is ignored. */
  cancel(corr: number): void {
    this.settle(corr, { ok: false, code: 'CANCELLED' });
  }

  /** Promise form of `call`: resolves with the reply envelope, rejects with `RpcError`. */
  /** `failFast`: when nothing listens at `to`, the reply is the transport's UNKNOWN_ADDRESS answer (transport/transport.ts). */
  request(to: string, type: string, body: unknown, options: { timeoutMs?: number; signal?: AbortSignal; failFast?: boolean } = {}): Promise<Envelope> {
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(new RpcError('CANCELLED', `${type} to ${to} aborted before it was sent`));
    return new Promise((resolve, reject) => {
      const onAbort = (): void => this.cancel(corr);
      const corr = this.call(to, type, body, { timeoutMs: options.timeoutMs, failFast: options.failFast }, (result) => {
        signal?.removeEventListener('abort', onAbort);
        if (result.ok) resolve(result.envelope);
        else reject(new RpcError(result.code, `${type} to ${to} (corr ${corr}): ${result.code}`));
      });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Cancels everything in flight and stops listening on the inbox. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.transport.unlisten(this.inbox);
    for (const corr of [...this.inFlight.keys()]) this.cancel(corr);
  }

  private onReply(envelope: Envelope): void {
    if (envelope.corr === undefined || !this.inFlight.has(envelope.corr)) { this.repliesIgnored++; return; }
    this.settle(envelope.corr, { ok: true, envelope });
  }

  private settle(corr: number, result: RpcResult): void {
    const entry = this.inFlight.get(corr);
    if (entry === undefined) return; // already settled: late reply, duplicate, or timer after cancel
    this.inFlight.delete(corr);
    this.clock.clearTimeout(entry.timer);
    entry.done(result);
  }
}
