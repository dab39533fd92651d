/**
 * A tiny in-test world for controller replicas: real actors whose effects are captured; storage
 * operations wait in a per-node queue until `settle` completes them against an in-memory store
 * that survives restarts; messages go through the real validator, in an order drawn from a seeded
 * PRNG, with optional loss and partitions. Time moves only when the test ticks.
 */
import { createActor, type Actor } from 'xstate';
import type { LogEntryData, RuntimeEvent, SendParams } from '../../../actors/effects.js';
import { nextRandom } from '../../../actors/prng.js';
import { clientAddress, CONTROLLER_FOR_NODES, controllerVoter, nodeAddress, nodeIdOf, voterIdOf } from '../../../actors/kit/addresses.js';
import {
  controllerMachine, invariants, parseControllerMessage, type ControllerContext, type ControllerEvent, type ControllerKnobs,
} from '../../../actors/controller.js';

export class MemoryStore {
  log = new Map<number, unknown>();
  meta = new Map<string, unknown>();
  sorted(): number[] { return [...this.log.keys()].sort((a, b) => a - b); }
}

export interface Report { kind: string; data: Record<string, unknown> }
type StorageOp = () => RuntimeEvent;

export class Replica {
  actor: Actor<typeof controllerMachine>;
  outbox: SendParams[] = [];
  reports: Report[] = [];
  listening = new Set<string>();
  storage: StorageOp[] = [];
  errors: unknown[] = [];

  constructor(readonly nodeId: number, readonly store: MemoryStore, voters: number[], nowMs: number, knobs: Partial<ControllerKnobs>) {
    const machine = controllerMachine.provide({ actions: this.effects() as never });
    this.actor = createActor(machine, { input: { nodeId, voters, clusterId: 'c1', seed: nodeId * 7919, knobs, nowMs } });
    this.actor.subscribe({ error: (error) => { this.errors.push(error); } });
    this.actor.start();
  }

  get ctx(): ControllerContext { return this.actor.getSnapshot().context; }
  get role(): string { return String(this.actor.getSnapshot().value); }

  send(event: ControllerEvent): void {
    this.actor.send(event);
    if (this.errors.length > 0) throw this.errors[0] as Error;
    invariants(this.ctx);
  }

  private effects(): Record<string, (args: unknown, params: never) => void> {
    const store = this.store;
    const queue = (op: StorageOp): void => { this.storage.push(op); };
    return {
      send: (_a, p: SendParams) => { this.outbox.push(structuredClone(p)); },
      report: (_a, p: Report) => { this.reports.push(p); },
      log: () => {},
      listen: (_a, p: { address: string }) => { this.listening.add(p.address); },
      unlisten: (_a, p: { address: string }) => { this.listening.delete(p.address); },
      append: (_a, p: { token: number; entries: LogEntryData[] }) => queue(() => {
        for (const e of p.entries) store.log.set(e.offset, structuredClone(e.value));
        return { type: 'stored', token: p.token };
      }),
      truncateFrom: (_a, p: { token: number; offset: number }) => queue(() => {
        for (const o of store.sorted()) if (o >= p.offset) store.log.delete(o);
        return { type: 'stored', token: p.token };
      }),
      deleteBefore: (_a, p: { token: number; offset: number }) => queue(() => {
        for (const o of store.sorted()) if (o < p.offset) store.log.delete(o);
        return { type: 'stored', token: p.token };
      }),
      putMeta: (_a, p: { token: number; entries: Array<[string, unknown]> }) => queue(() => {
        for (const [k, v] of p.entries) store.meta.set(k, structuredClone(v));
        return { type: 'stored', token: p.token };
      }),
      getMeta: (_a, p: { token: number; key: string }) => queue(() => ({ type: 'metaRead', token: p.token, value: structuredClone(store.meta.get(p.key)) })),
      read: (_a, p: { token: number; fromOffset: number }) => queue(() => {
        const entries = store.sorted().filter((o) => o >= p.fromOffset).slice(0, 100).map((o) => ({ offset: o, value: structuredClone(store.log.get(o)) }));
        return { type: 'readDone', token: p.token, entries };
      }),
    };
  }
}

export interface ClientReply { to: string; type: string; corr: number | undefined; body: Record<string, unknown> }

export class Cluster {
  replicas = new Map<number, Replica>();
  stores = new Map<number, MemoryStore>();
  inbox: ClientReply[] = [];
  /** What controllers sent to nodes (node addresses: liveness probes). */
  toNodes: SendParams[] = [];
  /** Node ids cut off from everyone. */
  isolated = new Set<number>();
  lossRate = 0;
  /** Each Raft message is delivered twice with this probability (a network that duplicates). */
  duplicateRate = 0;
  /** Messages replicas sent (before any loss or duplication), by `${type} ${to}`. */
  sent = new Map<string, number>();
  /** Raft messages between voters arrive this long after they were sent (0: within the same settle). */
  delayMs = 0;
  private delayed: Array<{ dueMs: number; from: string; m: SendParams }> = [];
  nowMs = 0;
  private prng: number;
  private corr = 1;

  constructor(readonly voters: number[], seed = 1, readonly knobs: Partial<ControllerKnobs> = {}) {
    this.prng = seed;
    for (const id of voters) this.start(id);
  }

  start(id: number): Replica {
    const store = this.stores.get(id) ?? new MemoryStore();
    this.stores.set(id, store);
    const r = new Replica(id, store, this.voters, this.nowMs, this.knobs);
    this.replicas.set(id, r);
    return r;
  }

  /** Crash: memory lost, storage kept. */
  kill(id: number): void { this.get(id).actor.stop(); this.replicas.delete(id); }

  get(id: number): Replica {
    const r = this.replicas.get(id);
    if (!r) throw new Error(`no replica ${id}`);
    return r;
  }

  private random(): number { const [f, s] = nextRandom(this.prng); this.prng = s; return f; }

  leaders(): Replica[] { return [...this.replicas.values()].filter((r) => r.role === 'leader'); }

  leader(): Replica {
    const ls = this.leaders();
    if (ls.length !== 1) throw new Error(`expected one leader, found ${ls.length}`);
    return ls[0] as Replica;
  }

  deliver(from: string, m: SendParams): void {
    if (m.to.startsWith('client/')) { this.inbox.push({ to: m.to, type: m.type, corr: m.corr, body: m.body as Record<string, unknown> }); return; }
    if (nodeIdOf(m.to) !== undefined) { this.toNodes.push(structuredClone(m)); return; }
    const fromId = voterIdOf(from);
    if (fromId !== undefined && this.isolated.has(fromId)) return;
    const voter = voterIdOf(m.to);
    const targets = voter === undefined ? [...this.replicas.values()].filter((r) => r.listening.has(m.to))
      : [this.replicas.get(voter)].filter((r): r is Replica => r !== undefined);
    const target = targets[0];
    if (!target || this.isolated.has(target.nodeId)) return;
    if (this.lossRate > 0 && this.random() < this.lossRate) return;
    const copies = this.duplicateRate > 0 && this.random() < this.duplicateRate ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      const parsed = parseControllerMessage({ type: m.type, from, body: structuredClone(m.body), ...(m.corr !== undefined ? { corr: m.corr } : {}),
        ...(m.replyTo !== undefined ? { replyTo: m.replyTo } : {}) });
      if (!parsed.ok) throw new Error(`harness: ${m.type} refused: ${parsed.message}`);
      target.send(parsed.event);
    }
  }

  /** A client request; returns its corr. */
  request(to: string, type: string, body: Record<string, unknown>): number {
    const corr = this.corr++;
    this.deliver(clientAddress('admin'), { to, type, corr, body });
    return corr;
  }

  reply(corr: number): Record<string, unknown> | undefined { this.settle(); return this.inbox.find((m) => m.corr === corr)?.body; }

  /** Storage and network until nothing moves; messages in a seeded order. */
  settle(rounds = 500): void {
    for (let i = 0; i < rounds; i++) {
      let moved = 0;
      for (const r of [...this.replicas.values()]) {
        while (r.storage.length > 0) { const op = r.storage.shift() as StorageOp; moved++; if (this.replicas.get(r.nodeId) === r) r.send(op() as ControllerEvent); }
      }
      const messages: Array<[string, SendParams]> = [];
      for (const r of this.replicas.values()) {
        for (const m of r.outbox) {
          messages.push([controllerVoter(r.nodeId), m]);
          this.sent.set(`${m.type} ${m.to}`, (this.sent.get(`${m.type} ${m.to}`) ?? 0) + 1);
        }
        r.outbox = [];
      }
      for (let j = messages.length - 1; j > 0; j--) { const k = Math.floor(this.random() * (j + 1)); [messages[j], messages[k]] = [messages[k]!, messages[j]!]; }
      for (const [from, m] of messages) {
        if (this.delayMs > 0 && voterIdOf(m.to) !== undefined) this.delayed.push({ dueMs: this.nowMs + this.delayMs, from, m });
        else this.deliver(from, m);
      }
      const due = this.delayed.filter((d) => d.dueMs <= this.nowMs);
      this.delayed = this.delayed.filter((d) => d.dueMs > this.nowMs);
      for (const d of due) this.deliver(d.from, d.m);
      moved += messages.length + due.length;
      if (moved === 0) return;
    }
    throw new Error('harness: did not settle');
  }

  /** Tick every replica by `ms` in steps of `stepMs`, settling after each. */
  advance(ms: number, stepMs = 10): void {
    for (let t = 0; t < ms; t += stepMs) {
      this.nowMs += stepMs;
      for (const r of [...this.replicas.values()]) r.send({ type: 'tick', nowMs: this.nowMs });
      this.settle();
    }
  }

  /** Advance until exactly one leader exists (at most `ms`). */
  elect(ms = 5000): Replica {
    for (let t = 0; t < ms; t += 10) { this.advance(10); if (this.leaders().length === 1 && this.leader().ctx.commitIndex >= this.leader().ctx.log.snapshotIndex + 1) return this.leader(); }
    throw new Error('no leader elected');
  }
}

/** Registers `ids` with the leader and heartbeats them caught up, so they are unfenced. */
export function registerAll(c: Cluster, ids: number[]): void {
  for (const id of ids) c.request(CONTROLLER_FOR_NODES, 'registerNode', { nodeId: id, incarnationId: `inc-${id}`, clusterId: 'c1', address: nodeAddress(id) });
  c.advance(50);
  for (const id of ids) {
    const epoch = c.leader().ctx.image.nodes[String(id)]?.nodeEpoch ?? -1;
    c.request(CONTROLLER_FOR_NODES, 'nodeHeartbeat', { nodeId: id, nodeEpoch: epoch, appliedOffset: 1_000_000 });
  }
  c.advance(50);
}
