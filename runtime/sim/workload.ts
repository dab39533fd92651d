/**
 * The simulation workload: producer and consumer actors (the SDK's real machines) hosted on client
 * nodes of the simulated world, driven by seeded timers, recording a Jepsen-shaped history.
 * Values are unique per producer (`p<i>:<seq>`), so the checker can follow every write.
 */
import { consumerKind, producerKind } from '../sdk/kinds.js';
import { clientAddress } from '../../actors/kit/addresses.js';
import { isErrorCode, isRetriable } from '../../actors/errors.js';
import type { Random } from '../random.js';
import type { SimNode, SimWorld } from './world.js';
import { HistoryRecorder, type PolledRecord } from './checks/history.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export interface ProducerSpec { idempotent: boolean; acks: 'all' | '1'; intervalMs: number; recordsMax: number }

/** Codes after which a send certainly did not happen (anything else may have: `info`). */
const DEFINITE_FAILURES = new Set(['MESSAGE_TOO_LARGE', 'CORRUPT_MESSAGE', 'INVALID_REQUEST', 'UNKNOWN_TOPIC_OR_PARTITION', 'INVALID_PRODUCER_EPOCH', 'BUFFER_FULL', 'CLIENT_CLOSED']);

interface SendResult { ok: boolean; partitions?: number[]; offsets?: number[]; code?: string }
interface PollResult { ok: boolean; records?: Array<{ topic: string; partition: number; offset: number; value: Uint8Array | null }>; code?: string }

export class Workload {
  readonly recorder: HistoryRecorder;
  acked = 0;
  sendsInvoked = 0;
  polled = 0;
  stopped = false;
  private readonly clients: SimNode[] = [];

  constructor(private readonly world: SimWorld, private readonly random: Random, readonly topic: string) {
    this.recorder = new HistoryRecorder(() => world.scheduler.nowMs);
  }

  addProducer(index: number, spec: ProducerSpec): void {
    const name = `client-p${index}`;
    let seq = 0;
    let requestId = 0;
    const pending = new Map<number, Array<{ op: number; value: string }>>();
    const address = clientAddress(`p${index}`);
    const node = this.world.addNode(name, (sim) => {
      sim.host.spawn(producerKind, address, { clientId: `p${index}`, seed: sim.random.u32(), acks: spec.acks === 'all' ? -1 : 1, idempotent: spec.idempotent,
        lingerMs: 2, requestTimeoutMs: 1000, deliveryTimeoutMs: 8000, nowMs: sim.clock.nowMs(), wallMs: sim.clock.wallMs() });
    });
    node.onDeliver = (_address, id, raw) => {
      const ops = pending.get(id);
      if (!ops) return;
      pending.delete(id);
      const result = raw as SendResult;
      ops.forEach(({ op, value }, i) => {
        if (result.ok) {
          this.acked++;
          this.recorder.complete(op, 'ok', { topic: this.topic, partition: result.partitions?.[i] as number, offset: result.offsets?.[i] as number, value, idempotent: spec.idempotent, acks: spec.acks });
        } else {
          this.recorder.complete(op, DEFINITE_FAILURES.has(String(result.code)) ? 'fail' : 'info', { topic: this.topic, value, idempotent: spec.idempotent, acks: spec.acks });
          // An idempotent producer rides through single faults with retriable errors only (KIP-360).
          if (spec.idempotent && i === 0 && !(isErrorCode(result.code) && isRetriable(result.code))) {
            this.world.fail(`idempotent-send-failed: p${index} ${value} failed with ${String(result.code)}${result.partitions?.[0] !== undefined ? ` on partition ${result.partitions[0]}` : ''}`);
          }
        }
      });
    };
    this.clients.push(node);
    const random = this.random.fork(name);
    const tick = (): void => {
      if (this.stopped) return;
      const count = random.int(1, spec.recordsMax);
      const values: string[] = [];
      for (let i = 0; i < count; i++) values.push(`p${index}:${seq++}`);
      const ops = values.map((value) => ({ op: this.recorder.invoke(`p${index}`, 'send', { topic: this.topic, value, idempotent: spec.idempotent, acks: spec.acks }), value }));
      this.sendsInvoked += count;
      const id = ++requestId;
      pending.set(id, ops);
      const records = values.map((value) => ({ key: encoder.encode(value.slice(0, value.indexOf(':') + 2)), value: encoder.encode(value), timestamp: Math.floor(node.clock.wallMs()) }));
      if (!node.host.send(address, { type: 'send', requestId: id, topic: this.topic, records, nowMs: node.clock.nowMs() })) pending.delete(id);
      this.world.scheduler.at(random.int(spec.intervalMs / 2, spec.intervalMs * 2), tick);
    };
    this.world.scheduler.at(random.int(0, spec.intervalMs), tick);
  }

  /** A consumer of every partition from the earliest offset, polling until stopped. */
  addConsumer(index: number, partitions: number, onRecords?: (records: PolledRecord[]) => void): SimNode {
    const name = `client-c${index}`;
    const address = clientAddress(`c${index}`);
    let requestId = 0;
    let pollOp: number | undefined;
    const node = this.world.addNode(name, (sim) => {
      sim.host.spawn(consumerKind, address, { clientId: `c${index}`, seed: sim.random.u32(), autoOffsetReset: 'earliest', maxWaitMs: 100, requestTimeoutMs: 1000, nowMs: sim.clock.nowMs() });
    });
    const poll = (): void => {
      if (this.stopped && onRecords === undefined) return;
      pollOp = this.recorder.invoke(`c${index}`, 'poll', []);
      node.host.send(address, { type: 'poll', requestId: ++requestId, maxRecords: 500, timeoutMs: 200, nowMs: node.clock.nowMs() });
    };
    node.onDeliver = (_address, _id, raw) => {
      const result = raw as PollResult;
      if (pollOp === undefined || !('records' in result || 'code' in result)) return;
      const op = pollOp;
      pollOp = undefined;
      const records: PolledRecord[] = (result.records ?? []).map((r) => ({ topic: r.topic, partition: r.partition, offset: r.offset, value: r.value ? decoder.decode(r.value) : '' }));
      this.polled += records.length;
      this.recorder.complete(op, result.ok ? 'ok' : 'info', records);
      onRecords?.(records);
      this.world.scheduler.at(5, poll);
    };
    this.clients.push(node);
    this.world.scheduler.at(1, () => {
      const assignment = Array.from({ length: partitions }, (_, partition) => ({ topic: this.topic, partition, offset: 'earliest' as const }));
      this.recorder.complete(this.recorder.invoke(`c${index}`, 'assign', assignment.map((a) => ({ topic: a.topic, partition: a.partition }))), 'ok', assignment.map((a) => ({ topic: a.topic, partition: a.partition })));
      node.host.send(address, { type: 'assign', requestId: ++requestId, partitions: assignment, nowMs: node.clock.nowMs() });
      this.world.scheduler.at(5, poll);
    });
    return node;
  }

  startClients(): void { this.world.within(() => { for (const c of this.clients) c.start(); }); }
}
