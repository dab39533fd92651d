/**
 * A coordinator driven by xstate's pure `transition()`: every event's input snapshot is checked to
 * be untouched by the transition, the invariants run after each step, and the replica it writes
 * to is a small fake log (offsets, HW = LEO, log start) that answers produce, fetch and
 * deleteRecords at once unless the test holds or fails writes.
 */
import { isDeepStrictEqual } from 'node:util';
import { initialTransition, transition } from 'xstate';
import type { SendParams } from '../../../actors/effects.js';
import { coordinatorMachine, invariants, type CoordinatorEvent, type CoordinatorInput } from '../../../actors/coordinator.js';
import { batchDefect, toStoredBatch, type BatchInput, type StoredBatch } from '../../../actors/partition/batch.js';
import { fromBatch, type CoordRecord } from '../../../actors/coordinator/records.js';
import { applyBatch, checkSequence, type ProducerTable } from '../../../actors/partition/producer-state.js';
import { fetchAddress, produceAddress, replicaAddress } from '../../../actors/kit/addresses.js';

/** The replica the coordinator writes to (its produce address) and reads from (its fetch address); replies come from the first. */
export const PARTITION_ADDRESS = produceAddress('__consumer_offsets', 0, 1);
const PARTITION_FETCH_ADDRESS = fetchAddress('__consumer_offsets', 0, 1);
/** deleteRecords goes to the replica's node-only address. */
const PARTITION_REPLICA_ADDRESS = replicaAddress('__consumer_offsets', 0, 1);

export class FakeLog {
  batches: StoredBatch[] = [];
  logStart = 0;
  get leo(): number { return this.batches.length === 0 ? this.logStart : (this.batches[this.batches.length - 1] as StoredBatch).lastOffset + 1; }
  /** Idempotent producers checked as the partition replica checks them (actors/partition/producer-state.ts). */
  readonly producers: ProducerTable = new Map();
  /** The offset of the batch (a duplicate's original one), or the partition's refusal. */
  append(batch: BatchInput, epoch: number): number | { code: string; message: string } {
    const defect = batchDefect(batch);
    if (defect !== undefined) return { code: 'CORRUPT_MESSAGE', message: defect };
    const check = checkSequence(this.producers, batch);
    if (check.kind === 'refuse') return { code: check.code, message: check.message };
    if (check.kind === 'duplicate') return check.baseOffset;
    const stored = toStoredBatch(batch, this.leo, epoch);
    this.batches.push(stored);
    applyBatch(this.producers, stored, 1000);
    return stored.baseOffset;
  }
  records(): CoordRecord[] { return this.batches.flatMap((b) => fromBatch(b).records).filter((r) => r.kind !== 'barrier'); }
}

type Snapshot = ReturnType<typeof initialTransition<typeof coordinatorMachine>>[0];

export class Coord {
  snapshot: Snapshot;
  /** Sends to anyone but the replica (replies, probes), in order. */
  out: SendParams[] = [];
  reports: Array<{ kind: string; data: Record<string, unknown> }> = [];
  /** Produces not yet answered (when `hold` is set). */
  held: SendParams[] = [];
  hold = false;
  failWith: { code: string; leaderEpoch?: number } | undefined;
  nowMs: number;

  constructor(readonly log: FakeLog = new FakeLog(), input: Partial<CoordinatorInput> = {}, options: { hold?: boolean } = {}) {
    this.hold = options.hold ?? false;
    this.nowMs = input.nowMs ?? 1000;
    const [snapshot, actions] = initialTransition(coordinatorMachine, {
      // A 1 s session keeps the timing arithmetic of these tests short (the default is longer).
      partition: 0, nodeId: 1, leaderEpoch: 3, seed: 42, nowMs: this.nowMs, topics: { t: 4, u: 2 }, ...input,
      knobs: { sessionTimeoutMs: 1000, ...input.knobs },
    });
    this.snapshot = snapshot;
    this.run(actions);
  }

  get ctx() { return this.snapshot.context; }
  get state(): string { return String(this.snapshot.value); }

  send(event: CoordinatorEvent): void {
    const before = structuredClone(this.snapshot.context);
    const [next, actions] = transition(coordinatorMachine, this.snapshot, event);
    if (!isDeepStrictEqual(before, this.snapshot.context)) throw new Error(`${event.type} changed its input snapshot`);
    this.snapshot = next;
    invariants(next.context);
    this.run(actions);
  }

  tick(ms: number): void { this.nowMs += ms; this.send({ type: 'tick', nowMs: this.nowMs }); }

  /** The replies of one type sent so far, their bodies, in order. */
  replies(type: string): Array<Record<string, unknown>> {
    return this.out.filter((s) => s.type === `${type}Reply`).map((s) => s.body as Record<string, unknown>);
  }
  lastReply(type: string): Record<string, unknown> { return this.replies(type).at(-1) as Record<string, unknown>; }

  release(): void {
    const held = this.held;
    this.held = [];
    for (const p of held) this.answerProduce(p);
  }

  /** Answers one held produce (taken out of `held`), as the replica would on receiving it now. */
  answer(p: SendParams): void {
    this.held = this.held.filter((h) => h !== p);
    this.answerProduce(p);
  }

  private run(actions: ReadonlyArray<{ type: string; params?: unknown }>): void {
    for (const a of actions) {
      if (a.type === 'report') this.reports.push(a.params as { kind: string; data: Record<string, unknown> });
      if (a.type !== 'send') continue;
      const p = a.params as SendParams;
      if (p.to === PARTITION_ADDRESS && p.type === 'produce') { if (this.hold) this.held.push(p); else this.answerProduce(p); }
      else if (p.to === PARTITION_FETCH_ADDRESS && p.type === 'fetch') this.answerFetch(p);
      else if (p.to === PARTITION_REPLICA_ADDRESS && p.type === 'deleteRecords') this.answerDeleteRecords(p);
      else this.out.push(p);
    }
  }

  private answerProduce(p: SendParams): void {
    const body = p.body as { leaderEpoch: number; batch: BatchInput };
    if (this.failWith !== undefined) return this.send({ type: 'produceReply', from: PARTITION_ADDRESS, corr: p.corr as number, body: this.failWith as never });
    const baseOffset = this.log.append(body.batch, body.leaderEpoch);
    if (typeof baseOffset !== 'number') return this.send({ type: 'produceReply', from: PARTITION_ADDRESS, corr: p.corr as number, body: baseOffset as never });
    this.send({ type: 'produceReply', from: PARTITION_ADDRESS, corr: p.corr as number, body: { code: 'OK', baseOffset, logStartOffset: this.log.logStart } });
  }

  private answerFetch(p: SendParams): void {
    const { fetchOffset } = p.body as { fetchOffset: number };
    const body = fetchOffset < this.log.logStart
      ? { code: 'OFFSET_OUT_OF_RANGE' as const }
      : { code: 'OK' as const, hw: this.log.leo, logStartOffset: this.log.logStart, batches: this.log.batches.filter((b) => b.lastOffset >= fetchOffset).slice(0, 3) };
    this.send({ type: 'fetchReply', from: PARTITION_ADDRESS, corr: p.corr as number, body });
  }

  private answerDeleteRecords(p: SendParams): void {
    const { offset } = p.body as { offset: number };
    this.log.batches = this.log.batches.filter((b) => b.lastOffset >= offset);
    this.log.logStart = Math.max(this.log.logStart, offset);
    this.send({ type: 'deleteRecordsReply', from: PARTITION_ADDRESS, corr: p.corr as number, body: { code: 'OK', logStartOffset: this.log.logStart } });
  }
}

let nextCorr = 1;

export function heartbeat(fields: { groupId?: string; memberId?: string; memberEpoch: number; owned?: Array<[string, number[]]>;
  topics?: string[]; regex?: string; instanceId?: string; from?: string; assignor?: string }): CoordinatorEvent {
  return {
    type: 'groupHeartbeat', from: fields.from ?? 'client/a', corr: nextCorr++, groupId: fields.groupId ?? 'g', memberId: fields.memberId ?? '',
    memberEpoch: fields.memberEpoch, ownedPartitions: (fields.owned ?? []).map(([topic, partitions]) => ({ topic, partitions })),
    rebalanceTimeoutMs: 30_000, clientId: 'c',
    ...(fields.topics !== undefined ? { subscribedTopics: fields.topics } : {}), ...(fields.regex !== undefined ? { subscribedRegex: fields.regex } : {}),
    ...(fields.instanceId !== undefined ? { instanceId: fields.instanceId } : {}), ...(fields.assignor !== undefined ? { assignor: fields.assignor } : {}),
  };
}

export function commit(memberId: string, memberEpoch: number, offsets: Array<[string, number, number]>, groupId = 'g'): CoordinatorEvent {
  return { type: 'offsetCommit', from: 'client/a', corr: nextCorr++, groupId, memberId, memberEpoch,
    offsets: offsets.map(([topic, partition, offset]) => ({ topic, partition, offset })) };
}

export function request<T extends CoordinatorEvent['type']>(type: T, body: Record<string, unknown>): CoordinatorEvent {
  return { type, from: 'client/admin', corr: nextCorr++, ...body } as unknown as CoordinatorEvent;
}

/** The partitions of a heartbeat reply's assignment, as `topic:p` strings. */
export function assigned(reply: Record<string, unknown>): string[] {
  return ((reply['assignment'] ?? []) as Array<{ topic: string; partitions: number[] }>).flatMap((t) => t.partitions.map((p) => `${t.topic}:${p}`));
}
