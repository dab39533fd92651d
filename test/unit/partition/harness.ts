/**
 * A tiny in-test world for partition replicas: each replica is a real actor whose effects are
 * captured; storage operations wait in a queue until the test completes them (from one in-memory
 * store per node); messages between replicas are routed through the real validator; replies to
 * clients and proposals to the controller are collected for assertions. No timers: time moves
 * only when the test ticks.
 */
import { createActor, type Actor } from 'xstate';
import type { LogEntryData, RuntimeEvent, SendParams } from '../../../actors/effects.js';
import { clientAddress, CONTROLLER_FOR_NODES, fetchAddress, produceAddress, replicaAddress } from '../../../actors/kit/addresses.js';
import {
  invariants, parsePartitionMessage, partitionMachine, type BatchInput, type PartitionContext, type PartitionEvent,
  type PartitionInput, type PartitionState, type StoredBatch,
} from '../../../actors/partition.js';

export const TOPIC = 't';
export const TOPIC_ID = 'tid';

/** One node's storage: logs of entries keyed by base offset, and meta keys. */
export class MemoryStore {
  logs = new Map<string, Map<number, unknown>>();
  meta = new Map<string, unknown>();
  /** Every meta key written, in order (a key once per write). */
  metaWrites: string[] = [];

  log(name: string): Map<number, unknown> {
    let log = this.logs.get(name);
    if (!log) { log = new Map(); this.logs.set(name, log); }
    return log;
  }

  sortedOffsets(name: string): number[] { return [...this.log(name).keys()].sort((a, b) => a - b); }

  batches(name: string): StoredBatch[] { return this.sortedOffsets(name).map((o) => this.log(name).get(o) as StoredBatch); }
}

type StorageOp = () => RuntimeEvent;

export interface Report { kind: string; data: Record<string, unknown> }

export class Replica {
  actor: Actor<typeof partitionMachine>;
  sent: SendParams[] = [];
  reports: Report[] = [];
  logs: Array<{ level: string; event: string; detail: Record<string, unknown> }> = [];
  appends: Array<{ log: string; entries: LogEntryData[]; sync: boolean }> = [];
  listening = new Set<string>();
  storage: StorageOp[] = [];
  errors: unknown[] = [];
  /** Log reads asked for (recovery scans, fetches the tail cache could not serve). */
  reads = 0;

  /** `clock`: the time the host stamps on each event it hands this replica (actors/effects.ts Stamped). */
  constructor(readonly nodeId: number, readonly store: MemoryStore, input: PartitionInput, readonly clock: () => number = () => input.nowMs) {
    const machine = partitionMachine.provide({ actions: this.effects() as never });
    this.actor = createActor(machine, { input });
    this.actor.subscribe({ error: (error) => { this.errors.push(error); } });
    this.actor.start();
  }

  get address(): string { return replicaAddress(TOPIC, 0, this.nodeId); }
  get ctx(): PartitionContext { return this.actor.getSnapshot().context; }
  get stateValue(): string { return String(this.actor.getSnapshot().value); }

  send(event: PartitionEvent): void {
    this.actor.send(event);
    if (this.actor.getSnapshot().status === 'active') invariants(this.ctx);
  }

  /** Completes every queued storage operation (and the ones they start), in order. */
  flushStorage(): number {
    let n = 0;
    while (this.storage.length > 0) {
      const op = this.storage.shift() as StorageOp;
      this.send({ ...op(), nowMs: this.clock() } as PartitionEvent);
      n++;
    }
    return n;
  }

  /** Takes the messages this replica sent so far. */
  takeSent(): SendParams[] {
    const out = this.sent;
    this.sent = [];
    return out;
  }

  private effects(): Record<string, (args: unknown, params: never) => void> {
    const store = this.store;
    const queue = (op: StorageOp): void => { this.storage.push(op); };
    return {
      send: (_a, p: SendParams) => { this.sent.push(p); },
      report: (_a, p: Report) => { this.reports.push(p); },
      log: (_a, p: { level: string; event: string; detail: Record<string, unknown> }) => { this.logs.push(p); },
      listen: (_a, p: { address: string }) => { this.listening.add(p.address); },
      unlisten: (_a, p: { address: string }) => { this.listening.delete(p.address); },
      append: (_a, p: { token: number; log: string; entries: LogEntryData[]; sync: boolean }) => {
        this.appends.push(p);
        queue(() => {
          for (const e of p.entries) store.log(p.log).set(e.offset, e.value);
          return { type: 'stored', token: p.token };
        });
      },
      truncateFrom: (_a, p: { token: number; log: string; offset: number }) => queue(() => {
        for (const o of store.sortedOffsets(p.log)) if (o >= p.offset) store.log(p.log).delete(o);
        return { type: 'stored', token: p.token };
      }),
      deleteBefore: (_a, p: { token: number; log: string; offset: number }) => queue(() => {
        for (const o of store.sortedOffsets(p.log)) if (o < p.offset) store.log(p.log).delete(o);
        return { type: 'stored', token: p.token };
      }),
      putMeta: (_a, p: { token: number; entries: Array<[string, unknown]> }) => queue(() => {
        for (const [k, v] of p.entries) { store.metaWrites.push(k); if (v === undefined) store.meta.delete(k); else store.meta.set(k, structuredClone(v)); }
        return { type: 'stored', token: p.token };
      }),
      getMeta: (_a, p: { token: number; key: string }) => queue(() => ({ type: 'metaRead', token: p.token, value: structuredClone(store.meta.get(p.key)) })),
      readBounds: (_a, p: { token: number; log: string }) => queue(() => {
        const offsets = store.sortedOffsets(p.log);
        const first = offsets[0];
        const lastOffset = offsets[offsets.length - 1];
        const last = lastOffset === undefined ? undefined : { offset: lastOffset, value: store.log(p.log).get(lastOffset) };
        return { type: 'boundsRead', token: p.token, first, last };
      }),
      read: (_a, p: { token: number; log: string; fromOffset: number; bytesMax: number }) => queue(() => {
        this.reads++;
        const entries: LogEntryData[] = [];
        let bytes = 0;
        for (const o of store.sortedOffsets(p.log)) {
          const batch = store.log(p.log).get(o) as StoredBatch;
          if (batch.lastOffset < p.fromOffset) continue;
          if (entries.length > 0 && bytes + batch.bytes > p.bytesMax) break;
          entries.push({ offset: o, value: batch });
          bytes += batch.bytes;
        }
        return { type: 'readDone', token: p.token, entries };
      }),
    };
  }
}

export interface ClientReply { to: string; type: string; corr: number | undefined; body: Record<string, unknown> }

export function state(partial: Partial<PartitionState> = {}): PartitionState {
  return { replicas: [1, 2, 3], isr: [1, 2, 3], leader: 1, leaderEpoch: 1, partitionEpoch: 1, ...partial };
}

export function input(nodeId: number, s: PartitionState, extra: Partial<PartitionInput> = {}): PartitionInput {
  return {
    nodeId, nodeEpoch: 1, topic: TOPIC, topicId: TOPIC_ID, partition: 0, seed: 7, nowMs: 0, wallMs: 1_000_000, state: s,
    configs: { minInsyncReplicas: 2 }, knobs: { tickMs: 10, retentionCheckMs: 100, hwCheckpointMs: 100 }, ...extra,
  };
}

/** Several replicas of partition t/0 plus the network between them. */
export class Cluster {
  replicas = new Map<number, Replica>();
  stores = new Map<number, MemoryStore>();
  clientInbox: ClientReply[] = [];
  controllerInbox: SendParams[] = [];
  /** Node ids whose inbound and outbound messages are dropped. */
  isolated = new Set<number>();
  /** Node ids whose storage operations settle() leaves in flight (the test completes or fails them). */
  heldStorage = new Set<number>();
  /** Sees every message settle() would deliver; false drops it (a message lost on the way). */
  onSend: ((fromNode: number, m: SendParams) => boolean) | undefined;
  nowMs = 0;

  constructor(s: PartitionState, extra: Partial<PartitionInput> = {}) {
    for (const id of s.replicas) this.start(id, s, extra);
  }

  start(id: number, s: PartitionState, extra: Partial<PartitionInput> = {}): Replica {
    const store = this.stores.get(id) ?? new MemoryStore();
    this.stores.set(id, store);
    const replica = new Replica(id, store, input(id, s, { nowMs: this.nowMs, wallMs: 1_000_000 + this.nowMs, ...extra }), () => this.nowMs);
    this.replicas.set(id, replica);
    return replica;
  }

  get(id: number): Replica {
    const r = this.replicas.get(id);
    if (!r) throw new Error(`no replica ${id}`);
    return r;
  }

  /** Delivers one message through the validator, as the host would. */
  deliver(from: string, m: SendParams): void {
    // A replica receives on its replica address and on its produce and fetch addresses.
    const direct = /^(?:n\/repl|c\/produce|c\/fetch)\/t\/0\/(\d+)$/.exec(m.to);
    const target = direct ? this.replicas.get(Number(direct[1])) : undefined;
    if (m.to.startsWith('client/')) { this.clientInbox.push({ to: m.to, type: m.type, corr: m.corr, body: m.body as Record<string, unknown> }); return; }
    if (m.to === CONTROLLER_FOR_NODES) { this.controllerInbox.push(m); return; }
    if (!target || this.isolated.has(target.nodeId)) return;
    const parsed = parsePartitionMessage({ type: m.type, from, body: m.body, ...(m.corr !== undefined ? { corr: m.corr } : {}),
      ...(m.replyTo !== undefined ? { replyTo: m.replyTo } : {}) });
    if (!parsed.ok) throw new Error(`harness: ${m.type} refused by the validator: ${parsed.message}`);
    target.send({ ...parsed.event, nowMs: this.nowMs }); // stamped, as the host stamps every event
  }

  /** Client request straight to a replica (parsed like a real envelope). */
  request(id: number, type: string, corr: number, body: unknown): void {
    const to = type === 'produce' ? produceAddress(TOPIC, 0, id) : fetchAddress(TOPIC, 0, id);
    this.deliver(clientAddress('c1'), { to, type, corr, body });
  }

  /** Storage and network until nothing moves (parked fetches stay parked). */
  settle(rounds = 200): void {
    for (let i = 0; i < rounds; i++) {
      let moved = 0;
      for (const r of this.replicas.values()) if (!this.heldStorage.has(r.nodeId)) moved += r.flushStorage();
      for (const r of this.replicas.values()) {
        const out = r.takeSent();
        moved += out.length;
        if (this.isolated.has(r.nodeId)) continue;
        for (const m of out) if (this.onSend?.(r.nodeId, m) !== false) this.deliver(r.address, m);
      }
      if (moved === 0) return;
    }
    throw new Error('harness: cluster did not settle');
  }

  tick(ms: number): void {
    this.nowMs += ms;
    for (const r of this.replicas.values()) r.send({ type: 'tick', nowMs: this.nowMs });
  }

  /** Ticks in steps, settling after each. */
  advance(ms: number, stepMs = 10): void {
    for (let t = 0; t < ms; t += stepMs) { this.tick(stepMs); this.settle(); }
  }

  replies(corr: number): ClientReply[] { return this.clientInbox.filter((m) => m.corr === corr); }
}

export function batch(records: number, extra: Partial<BatchInput> = {}): BatchInput {
  return { recordCount: records, firstTimestamp: 1000, maxTimestamp: 1000, producerId: -1, producerEpoch: -1, baseSequence: -1,
    records: new Uint8Array(records * 10).fill(7), ...extra };
}

export function produceBody(records: number, acks: 0 | 1 | -1, extra: Record<string, unknown> = {}, batchExtra: Partial<BatchInput> = {}): Record<string, unknown> {
  return { acks, timeoutMs: 1000, batch: batch(records, batchExtra), ...extra };
}
