/**
 * The actor host: runs xstate machines for one node (or one client) and wires their declared
 * effects (actors/effects.ts) to the transport, the store and the clock. Every inbound envelope is
 * checked against the address it arrived at (node traffic only on node-only addresses, client
 * traffic only on client-facing ones) and validated by the actor kind's parser before the machine
 * sees it; bad input gets a typed error reply (or a log line when there is no one to reply to) and
 * never reaches the machine. Every actor
 * has an error observer: an actor that throws is stopped, logged and reported, and no other actor
 * is affected.
 */
import { createActor, type Actor, type AnyStateMachine } from 'xstate';
import { Packr } from 'msgpackr';
import type { Envelope } from '../transport/envelope.js';
import type { Transport } from '../transport/transport.js';
import { effectActions, stampOf, type Inbound, type LogEntryData, type Parsed, type RuntimeEvent, type SendParams, type Stamped } from '../actors/effects.js';
import type { ErrorCode } from '../actors/errors.js';
import { refusal } from '../actors/kit/admission.js';
import type { Clock } from './clock.js';
import type { Logger } from './log.js';
import type { LogEntry, NodeStore, StorageError } from './storage/store.js';
import type { BugHooks } from './bug-hooks.js';

/** What the host needs to know about an actor kind besides its machine. */
export interface ActorKind<TEvent extends { type: string } = { type: string }> {
  name: string;
  machine: AnyStateMachine;
  parse(inbound: Inbound): Parsed<TEvent>;
  /** Ticks at least this often (0: never), and earlier when `nextTickAt` says so. */
  tickMs: number;
  /**
   * The earliest clock time at which the actor's next tick has work (pure, from its context). Never
   * later than that work: a tick that fires before this time is skipped (unless tickMs has passed).
   */
  nextTickAt?: (context: never) => number;
  invariants?(context: never): void;
}

export interface HostOptions {
  /** The host's own name in logs and traces (`n1`, `client-7`). */
  name: string;
  transport: Transport;
  store: NodeStore | undefined;
  clock: Clock;
  logger: Logger;
  /** Called for every `report` effect (simulation checkers, metrics). */
  onReport?: (address: string, kind: string, data: Record<string, unknown>) => void;
  /** Called for every `deliver` effect: results of client-side actors for their local callers. */
  onDeliver?: (address: string, requestId: number, result: unknown) => void;
  /** Called for every `notify` effect: what an actor tells the process hosting it (the node actor's lifecycle). */
  onNotify?: (address: string, notice: unknown) => void;
  /** Called when an actor fails (throws, or breaks an invariant). */
  onActorError?: (address: string, error: unknown) => void;
  /** Run the kind's `invariants()` after every event (simulation and tests). */
  checkInvariants?: boolean;
  /** Trace hook: one call per event delivered to an actor. */
  onTrace?: (address: string, eventType: string) => void;
  /** Bugs a test plants at the host's seams (runtime/bug-hooks.ts); never in production. */
  bugs?: BugHooks;
  /** Recording hook for tests: sees every actor's input and every event it is given. */
  tap?: ActorTap;
}

/**
 * Called when an actor starts with its kind and input; the function it returns (if any) is then
 * called with every event that actor is given, in order (tests replay these through `transition()`).
 */
export type ActorTap = (address: string, kind: string, input: unknown) => ((event: { type: string }) => void) | undefined;

export interface SpawnOptions {
  /** More addresses the actor receives on for its whole life. */
  listen?: readonly string[];
}

interface Hosted {
  address: string;
  kind: ActorKind;
  actor: Actor<AnyStateMachine>;
  extraAddresses: Set<string>;
  tick: unknown;
  /** When the armed tick fires (Infinity when none is armed). */
  tickAtMs: number;
  /** A tick is delivered by this time whatever `nextTickAt` says: tickMs after the last one delivered. */
  tickDueByMs: number;
  dead: boolean;
  /** Delivers an envelope that arrived at one of this actor's addresses (one function for all of them). */
  receive: (envelope: Envelope) => void;
  /** The tap's recorder for this actor, when a test records. */
  tapped: ((event: { type: string }) => void) | undefined;
}

// xstate types action params per machine; the host serves every machine, so params are checked by
// the effect contract (actors/effects.ts) rather than by this signature.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type EffectBody = (args: unknown, params: any) => void;
/**
 * An effect body for any actor of this host: one set per host, not per actor, because a node hosts
 * thousands of idle replicas and a closure per effect per actor was a fifth of an idle replica's heap.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type HostEffect = (hosted: Hosted, params: any) => void;

// Log entry values and meta values are plain data; the host is the one place that encodes them.
const valueCodec = new Packr({ useRecords: false, moreTypes: false, bundleStrings: false });

export class ActorHost {
  private readonly actors = new Map<string, Hosted>();
  /** Extra address (e.g. the controller leader's) → the primary address of the actor that listens on it. */
  private readonly aliases = new Map<string, string>();
  /** xstate session id → the hosted actor, for the shared effect actions. */
  private readonly bySession = new Map<string, Hosted>();
  /**
   * One provided machine per machine, not per actor: `provide` builds a whole new state-node tree,
   * which at thousands of partition replicas per node was most of an idle replica's memory.
   */
  private readonly provided = new Map<AnyStateMachine, AnyStateMachine>();
  private closed = false;

  constructor(readonly options: HostOptions) {}

  get addresses(): string[] { return [...this.actors.keys()].sort(); }

  has(address: string): boolean { return this.actors.has(address); }

  snapshot(address: string): ReturnType<Actor<AnyStateMachine>['getSnapshot']> | undefined {
    return this.actors.get(address)?.actor.getSnapshot();
  }

  /**
   * Starts an actor listening on `address` and on every address in `options.listen` (as if it had
   * pushed `listen` for each: a partition replica's client-facing produce and fetch addresses).
   * Replaces nothing: the address must be free.
   */
  spawn(kind: ActorKind, address: string, input: unknown, options: SpawnOptions = {}): void {
    if (this.closed) throw new Error('host is closed');
    if (this.actors.has(address)) throw new Error(`address ${address} already hosts an actor`);
    const hosted = { address, kind, extraAddresses: new Set<string>(), tick: undefined, tickAtMs: Infinity, tickDueByMs: this.options.clock.nowMs() + kind.tickMs, dead: false } as unknown as Hosted;
    hosted.receive = (envelope) => this.deliver(hosted, envelope);
    hosted.tapped = this.options.tap?.(address, kind.name, input);
    hosted.actor = createActor(this.providedMachine(kind.machine), { input, clock: this.options.clock });
    this.bySession.set(hosted.actor.sessionId, hosted);
    hosted.actor.subscribe({ error: (error) => this.fail(hosted, error) });
    this.actors.set(address, hosted);
    this.options.transport.listen(address, hosted.receive);
    for (const extra of options.listen ?? []) {
      hosted.extraAddresses.add(extra);
      this.addAlias(extra, address);
    }
    hosted.actor.start();
    this.checkAfter(hosted);
    if (kind.tickMs > 0) this.armTick(hosted);
  }

  /** Sends a runtime event straight to an actor (metadata changes, storage completions). */
  send(address: string, event: { type: string; [field: string]: unknown }): boolean {
    const hosted = this.actors.get(address);
    if (!hosted || hosted.dead) return false;
    const stamped = stampOf(event) === undefined ? { ...event, nowMs: this.options.clock.nowMs() } : event;
    this.dispatch(hosted, this.options.bugs ? this.options.bugs.local(address, stamped) : stamped);
    return true;
  }

  stop(address: string): void {
    const hosted = this.actors.get(address);
    if (!hosted) return;
    this.actors.delete(address);
    hosted.dead = true;
    this.bySession.delete(hosted.actor.sessionId);
    this.options.transport.unlisten(address);
    for (const extra of hosted.extraAddresses) this.dropAlias(extra, address);
    if (hosted.tick !== undefined) this.options.clock.clearTimeout(hosted.tick);
    hosted.actor.stop();
  }

  stopAll(): void {
    for (const address of this.addresses) this.stop(address);
  }

  close(): void {
    this.stopAll();
    this.closed = true;
  }

  private deliver(hosted: Hosted, received: Envelope): void {
    const envelope = this.options.bugs ? this.options.bugs.inbound(received) : received;
    if (hosted.dead) return this.refuse(envelope, 'UNKNOWN_ADDRESS', `no actor at ${envelope.to}`);
    // Node traffic only on node-only addresses, client traffic only on client-facing ones (actors/kit/admission.ts).
    const misplaced = refusal(envelope);
    if (misplaced !== undefined) return this.refuse(envelope, 'UNSUPPORTED_MESSAGE', misplaced);
    const inbound: Inbound = { type: envelope.type, from: envelope.from, body: envelope.body };
    if (envelope.corr !== undefined) inbound.corr = envelope.corr;
    if (envelope.replyTo !== undefined) inbound.replyTo = envelope.replyTo;
    let parsed: Parsed<{ type: string }>;
    try {
      parsed = hosted.kind.parse(inbound);
    } catch (error) {
      // A validator that throws is a bug in the validator, but bad input must still not crash the host.
      parsed = { ok: false, code: 'INVALID_REQUEST', message: `validator failed: ${(error as Error).message}` };
    }
    if (!parsed.ok) return this.refuse(envelope, parsed.code, parsed.message);
    this.dispatch(hosted, { ...parsed.event, nowMs: this.options.clock.nowMs() } satisfies Stamped);
  }

  private dispatch(hosted: Hosted, event: { type: string; [field: string]: unknown }): void {
    this.options.onTrace?.(hosted.address, event.type);
    hosted.tapped?.(event);
    hosted.actor.send(event);
    this.checkAfter(hosted);
    if (event.type !== 'tick') this.rearmIfSooner(hosted); // a tick re-arms itself
  }

  /** Typed error reply to a bad request; a log line when there is no one to reply to. */
  private refuse(envelope: Envelope, code: ErrorCode, message: string): void {
    this.options.logger.log('warn', 'refused', { to: envelope.to, from: envelope.from, type: envelope.type, code, message });
    if (envelope.corr === undefined && envelope.replyTo === undefined) return;
    if (envelope.type.endsWith('Reply')) return; // never answer a reply: two refusing peers would loop
    this.options.transport.send({
      to: envelope.replyTo ?? envelope.from, from: envelope.to, type: `${envelope.type}Reply`,
      ...(envelope.corr !== undefined ? { corr: envelope.corr } : {}), body: { code, message },
    });
  }

  private checkAfter(hosted: Hosted): void {
    if (!this.options.checkInvariants || hosted.dead || !hosted.kind.invariants) return;
    const snapshot = hosted.actor.getSnapshot();
    if (snapshot.status !== 'active') return;
    try {
      hosted.kind.invariants(snapshot.context as never);
    } catch (error) {
      this.fail(hosted, error);
    }
  }

  private fail(hosted: Hosted, error: unknown): void {
    if (hosted.dead) return;
    this.options.logger.log('error', 'actorFailed', { address: hosted.address, kind: hosted.kind.name, error: String((error as Error)?.stack ?? error) });
    this.stop(hosted.address);
    this.options.onActorError?.(hosted.address, error);
  }

  /**
   * Arms the next tick: at the actor's next deadline, and no later than tickMs after the last tick
   * delivered. A tick whose deadline has gone by the time it fires (a parked fetch answered, a batch
   * sent before its linger ended) is not delivered: `nextTickAt` says there is no work before a later
   * time, so the tick is armed again for that time instead of running the machine for nothing.
   */
  private armTick(hosted: Hosted): void {
    const { clock } = this.options;
    const nowMs = clock.nowMs();
    let atMs = Math.max(hosted.tickDueByMs, nowMs);
    const next = this.nextTickAt(hosted);
    if (next !== undefined && next < atMs) atMs = Math.max(next, nowMs);
    if (hosted.tick !== undefined) clock.clearTimeout(hosted.tick);
    hosted.tickAtMs = atMs;
    hosted.tick = clock.setTimeout(() => {
      hosted.tick = undefined;
      hosted.tickAtMs = Infinity;
      if (hosted.dead) return;
      const firedMs = clock.nowMs();
      const next = this.nextTickAt(hosted);
      if (next !== undefined && next > firedMs && firedMs < hosted.tickDueByMs) { this.armTick(hosted); return; }
      hosted.tickDueByMs = firedMs + hosted.kind.tickMs;
      this.dispatch(hosted, { type: 'tick', nowMs: firedMs } satisfies RuntimeEvent);
      if (!hosted.dead) this.armTick(hosted);
    }, atMs - nowMs);
  }

  private nextTickAt(hosted: Hosted): number | undefined {
    if (hosted.kind.nextTickAt === undefined) return undefined;
    const snapshot = hosted.actor.getSnapshot();
    return snapshot.status === 'active' ? hosted.kind.nextTickAt(snapshot.context as never) : undefined;
  }

  /** After an event: a deadline sooner than the armed tick brings the tick forward. */
  private rearmIfSooner(hosted: Hosted): void {
    if (hosted.dead || hosted.kind.tickMs <= 0 || hosted.kind.nextTickAt === undefined) return;
    const next = this.nextTickAt(hosted);
    if (next !== undefined && next < hosted.tickAtMs) this.armTick(hosted);
  }

  private addAlias(address: string, primary: string): void {
    const owner = this.aliases.get(address);
    if (owner !== undefined && owner !== primary) throw new Error(`${address} is already an alias of ${owner}`);
    this.aliases.set(address, primary);
    const hosted = this.actors.get(primary);
    if (hosted) this.options.transport.listen(address, hosted.receive);
  }

  private dropAlias(address: string, primary: string): void {
    if (this.aliases.get(address) !== primary) return;
    this.aliases.delete(address);
    this.options.transport.unlisten(address);
  }

  private providedMachine(machine: AnyStateMachine): AnyStateMachine {
    let provided = this.provided.get(machine);
    if (provided === undefined) {
      const actions: Record<string, EffectBody> = {};
      for (const name of Object.keys(effectActions)) {
        actions[name] = (args, params) => {
          const hosted = this.bySession.get((args as { self: { sessionId: string } }).self.sessionId);
          if (hosted !== undefined) this.effects[name]?.(hosted, params);
        };
      }
      provided = machine.provide({ actions });
      this.provided.set(machine, provided);
    }
    return provided;
  }

  /** A completion (storage done, read done) comes back to its actor as an event, unless the actor has stopped. */
  private complete(hosted: Hosted, event: RuntimeEvent): void {
    if (!hosted.dead) this.dispatch(hosted, event);
  }

  private store(hosted: Hosted): NodeStore {
    if (!this.options.store) throw new Error(`actor ${hosted.address} used storage on a host without a store`);
    return this.options.store;
  }

  private stored(hosted: Hosted, token: number): (error: StorageError | undefined) => void {
    return (error) => this.complete(hosted, error ? { type: 'stored', token, error: error.code } : { type: 'stored', token });
  }

  /** The effect bodies of every actor of this host. Completions come back as events through `complete`. */
  private readonly effects: Record<string, HostEffect> = {
    send: (hosted, params: SendParams) => {
      const envelope: Envelope = { to: params.to, from: hosted.address, type: params.type, body: params.body };
      if (params.corr !== undefined) envelope.corr = params.corr;
      if (params.replyTo !== undefined) envelope.replyTo = params.replyTo;
      try {
        this.options.transport.send(envelope, params.failFast === true ? { failFast: true } : undefined);
      } catch (error) {
        this.options.logger.log('error', 'sendFailed', { from: hosted.address, to: params.to, type: params.type, error: String(error) });
      }
    },
    append: (hosted, params: { token: number; log: string; entries: LogEntryData[]; sync: boolean }) => {
      const { bugs } = this.options;
      if (bugs?.dropAppend(this.options.name, params.log) === true) return this.store(hosted).bounds(params.log, () => this.stored(hosted, params.token)(undefined));
      const entries: LogEntry[] = params.entries.map((e) => ({ offset: e.offset, value: valueCodec.pack(e.value) }));
      const done = this.stored(hosted, params.token);
      this.store(hosted).append(params.log, entries, { sync: params.sync }, bugs === undefined ? done
        : (error) => done(error !== undefined && bugs.hideWriteError(this.options.name, params.log) ? undefined : error));
    },
    truncateFrom: (hosted, params: { token: number; log: string; offset: number }) => {
      if (this.options.bugs?.skipTruncation() === true) return this.store(hosted).bounds(params.log, () => this.stored(hosted, params.token)(undefined));
      this.store(hosted).truncateFrom(params.log, params.offset, this.stored(hosted, params.token));
    },
    deleteBefore: (hosted, params: { token: number; log: string; offset: number }) =>
      this.store(hosted).deleteBefore(params.log, params.offset, this.stored(hosted, params.token)),
    putMeta: (hosted, params: { token: number; entries: Array<[string, unknown]>; sync: boolean }) => {
      const { bugs } = this.options;
      const kept = bugs ? params.entries.filter(([k]) => !bugs.forgetMeta(k)) : params.entries;
      if (kept.length === 0) return this.store(hosted).bounds('ctl', () => this.stored(hosted, params.token)(undefined));
      const entries = kept.map(([k, v]) => [k, v === undefined ? undefined : valueCodec.pack(v)] as const);
      this.store(hosted).putMetas(entries, { sync: params.sync }, this.stored(hosted, params.token));
    },
    read: (hosted, params: { token: number; log: string; fromOffset: number; bytesMax: number }) =>
      this.store(hosted).read(params.log, params.fromOffset, params.bytesMax, (error, entries) => this.complete(hosted, error
        ? { type: 'readDone', token: params.token, entries: [], error: error.code }
        : { type: 'readDone', token: params.token, entries: entries.map(decodeEntry) })),
    readBounds: (hosted, params: { token: number; log: string }) =>
      this.store(hosted).bounds(params.log, (error, bounds) => this.complete(hosted, error
        ? { type: 'boundsRead', token: params.token, first: undefined, last: undefined, error: error.code }
        : { type: 'boundsRead', token: params.token, first: bounds.first, last: bounds.last && decodeEntry(bounds.last) })),
    getMeta: (hosted, params: { token: number; key: string }) =>
      this.store(hosted).getMeta(params.key, (error, value) => this.complete(hosted, error
        ? { type: 'metaRead', token: params.token, value: undefined, error: error.code }
        : { type: 'metaRead', token: params.token, value: value === undefined ? undefined : valueCodec.unpack(value) })),
    listen: (hosted, params: { address: string }) => {
      hosted.extraAddresses.add(params.address);
      this.addAlias(params.address, hosted.address);
    },
    unlisten: (hosted, params: { address: string }) => {
      hosted.extraAddresses.delete(params.address);
      this.dropAlias(params.address, hosted.address);
    },
    log: (hosted, params: { level: 'debug' | 'info' | 'warn' | 'error'; event: string; detail?: Record<string, unknown> }) =>
      // The logger stamps every line with its own time base (epoch ms): no second clock in the line.
      this.options.logger.log(params.level, params.event, { actor: hosted.address, ...params.detail }),
    report: (hosted, params: { kind: string; data: Record<string, unknown> }) =>
      this.options.onReport?.(hosted.address, params.kind, params.data),
    deliver: (hosted, params: { requestId: number; result: unknown }) =>
      this.options.onDeliver?.(hosted.address, params.requestId, params.result),
    notify: (hosted, params: { notice: unknown }) => this.options.onNotify?.(hosted.address, params.notice),
  };
}

function decodeEntry(entry: LogEntry): LogEntryData {
  return { offset: entry.offset, value: valueCodec.unpack(entry.value) };
}

/** Exposed for tools that read a node's store directly (debug dumps, simulation checkers). */
export function decodeStoredValue(bytes: Uint8Array): unknown { return valueCodec.unpack(bytes); }
export function encodeStoredValue(value: unknown): Uint8Array { return valueCodec.pack(value); }
