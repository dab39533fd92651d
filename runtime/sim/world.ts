/**
 * A simulated world: one scheduler, one seeded random (forked per subsystem), one simulated
 * network and, per node, a simulated clock, store and actor host — the real runtime over simulated
 * seams. Node behaviour comes from a `boot` function, called again on every restart with the
 * node's fresh host: memory is lost, the store keeps what the crash model says survived.
 *
 * `run()` is one synchronous loop inside the tripwire (runtime/sim/tripwire.ts): nothing in it may
 * await, arm a real timer or read the real clock.
 */
import { SimNetwork, type SimNetworkOptions } from '../../transport/simulated.js';
import type { Transport } from '../../transport/transport.js';
import { ActorHost, type ActorTap } from '../host.js';
import { createLogger, RingSink, type Logger } from '../log.js';
import { SeededRandom, type Random } from '../random.js';
import { SimStore, type SimStoreKnobs } from '../storage/sim-store.js';
import { Scheduler, SchedulerLimitError } from './scheduler.js';
import { SimClock } from './sim-clock.js';
import { Trace } from './trace.js';
import { withSimGlobals } from './tripwire.js';
import { sometimes } from './sometimes.js';
import { plantedBugs, resetBugRun } from './bugs.js';

export type CrashKind = 'process' | 'power' | 'wipe';

export interface SimWorldOptions {
  seed: number;
  network?: Partial<SimNetworkOptions>;
  store?: Partial<SimStoreKnobs>;
  /** Check every actor's invariants after every event (default true). */
  checkInvariants?: boolean;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** How many of the newest log lines the world keeps (2000 unless told; a debugging run asks for more). */
  logLines?: number;
  /** Records every actor's input and events (tests replaying them through `transition()`). */
  tap?: ActorTap;
}

export type Boot = (node: SimNode) => void;
export type ReportListener = (node: SimNode, address: string, kind: string, data: Record<string, unknown>) => void;

export class SimNode {
  readonly clock: SimClock;
  readonly store: SimStore;
  readonly random: Random;
  transport!: Transport;
  host!: ActorHost;
  logger!: Logger;
  up = false;
  incarnation = 0;
  /** Results of client-side actors hosted on this node (`deliver` effects). */
  onDeliver: ((address: string, requestId: number, result: unknown) => void) | undefined;

  constructor(readonly world: SimWorld, readonly name: string, private readonly boot: Boot) {
    this.clock = new SimClock(world.scheduler);
    this.random = world.random.fork(`node/${name}`);
    this.store = new SimStore({ schedule: (d, fn) => world.scheduler.at(d, fn), random: world.random.fork(`disk/${name}`) }, world.options.store);
  }

  start(): void {
    if (this.up) return;
    this.up = true;
    this.incarnation++;
    this.world.trace.add(this.world.scheduler.nowMs, 'start', this.name, this.incarnation);
    this.logger = createLogger(this.world.logs.sink, { level: this.world.options.logLevel ?? 'warn', bindings: { node: this.name }, nowMs: () => this.world.scheduler.nowMs });
    this.transport = this.world.network.endpoint(this.name);
    this.host = new ActorHost({
      name: this.name, transport: this.transport, store: this.store, clock: this.clock, logger: this.logger,
      checkInvariants: this.world.options.checkInvariants ?? true,
      onReport: (address, kind, data) => this.world.report(this, address, kind, data),
      onDeliver: (address, requestId, result) => this.onDeliver?.(address, requestId, result),
      onActorError: (address, error) => this.world.fail(`${this.name} ${address} failed: ${(error as Error)?.stack ?? String(error)}`),
      onTrace: (address, type) => this.world.trace.add(this.world.scheduler.nowMs, 'ev', address, type),
      bugs: plantedBugs,
      ...(this.world.options.tap ? { tap: this.world.options.tap } : {}),
    });
    this.boot(this);
  }

  /** Memory is gone; storage keeps what the crash kind promises. Timers and completions die. */
  crash(kind: CrashKind): void {
    if (!this.up) return;
    this.up = false;
    this.world.trace.add(this.world.scheduler.nowMs, 'crash', this.name, kind);
    this.clock.crash();
    this.host.close();
    this.world.network.crash(this.name);
    if (kind === 'process') this.store.crashProcess();
    else if (kind === 'power') this.store.losePower();
    else this.store.wipe();
  }

  restart(): void {
    if (this.up) return;
    this.store.restart();
    this.start();
  }
}

export class SimWorld {
  readonly scheduler = new Scheduler();
  readonly random: SeededRandom;
  readonly trace = new Trace(200, 1000);
  readonly network: SimNetwork;
  readonly nodes = new Map<string, SimNode>();
  readonly logs: RingSink;
  readonly failures: string[] = [];
  private readonly reportListeners: ReportListener[] = [];
  /** xstate's own `Math.random` draws (ids of delayed sends) come from this stream. */
  private readonly globalsRandom: Random;

  constructor(readonly options: SimWorldOptions) {
    resetBugRun();
    this.logs = new RingSink(options.logLines ?? 2000);
    this.random = new SeededRandom(options.seed);
    this.globalsRandom = this.random.fork('globals');
    const scheduler = this.scheduler;
    this.network = new SimNetwork({
      nowMs: () => scheduler.nowMs,
      schedule: (delayMs, fn) => scheduler.at(delayMs, fn),
      random: this.random.fork('network'),
    }, options.network ?? {});
  }

  addNode(name: string, boot: Boot): SimNode {
    if (this.nodes.has(name)) throw new Error(`node ${name} exists`);
    const node = new SimNode(this, name, boot);
    this.nodes.set(name, node);
    return node;
  }

  onReport(listener: ReportListener): void { this.reportListeners.push(listener); }

  report(node: SimNode, address: string, kind: string, data: Record<string, unknown>): void {
    this.trace.add(this.scheduler.nowMs, 'report', address, kind, stableJson(data));
    coverReport(kind, data);
    for (const listener of this.reportListeners) listener(node, address, kind, data);
  }

  fail(message: string): void {
    this.failures.push(`t=${this.scheduler.nowMs} ${message}`);
    this.trace.add(this.scheduler.nowMs, 'failure', message.split('\n')[0]);
  }

  /** Runs the world synchronously until `untilMs`, or until a failure is recorded. */
  run(untilMs: number): void {
    this.within(() => this.failOnLimit(() => {
      while (this.scheduler.nowMs < untilMs && this.failures.length === 0) {
        this.scheduler.runUntil(Math.min(untilMs, this.scheduler.nowMs + 100));
      }
    }));
  }

  /** Runs until `done()` holds or `untilMs` passes. */
  runUntil(untilMs: number, done: () => boolean): boolean {
    return this.within(() => this.failOnLimit(() => this.scheduler.runWhile(untilMs, () => done() || this.failures.length > 0))) === true
      && this.failures.length === 0;
  }

  /** A scheduler limit ends the run as a failure of this seed (one `brook sim` sweep goes on to the next). */
  private failOnLimit<T>(fn: () => T): T | undefined {
    try {
      return fn();
    } catch (error) {
      if (!(error instanceof SchedulerLimitError)) throw error;
      this.fail(error.message);
      return undefined;
    }
  }

  /** Any code that touches actors (starting nodes, driving clients) runs inside the tripwire. */
  within<T>(fn: () => T): T {
    return withSimGlobals(() => this.scheduler.nowMs, this.globalsRandom, fn);
  }

  digest(): string { return this.trace.digest(); }
}

/** JSON with sorted keys and byte arrays summarised, so trace lines do not depend on key order. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof Uint8Array) return `b${v.byteLength}`;
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return v;
  });
}

/** Coverage marks for interesting situations the actors report (listed by `brook sim` sweeps). */
function coverReport(kind: string, data: Record<string, unknown>): void {
  sometimes(`report:${kind}`);
  if (kind === 'raftLeader') sometimes('controller-failover', Number(data['term']) > 1);
  if (kind === 'partitionLeader') sometimes('partition-leader-change', Number(data['leaderEpoch']) > 0);
  if (kind === 'partitionTruncate') sometimes('follower-truncated-on-divergence');
  if (kind === 'raftSnapshot') sometimes('raft-snapshot-installed', data['installed'] === true);
}

/** The situations a healthy sweep is expected to reach at least once. */
export const EXPECTED_COVERAGE = ['report:raftLeader', 'report:raftCommit', 'report:partitionAppend', 'report:partitionHw', 'report:partitionLeader',
  'controller-failover', 'partition-leader-change', 'follower-truncated-on-divergence', 'knobs-extreme'];
