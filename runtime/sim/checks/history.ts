/**
 * A Jepsen-shaped client history (simulation.md section 2) and the recorder the simulated workload
 * writes it with. Ops are `invoke` then exactly one of `ok` (it happened), `fail` (it definitely
 * did not happen) or `info` (unknown: a timeout, or an error after a possible append). Unlike
 * Jepsen, one process may have several ops in flight (a producer pipelines sends), so a completion
 * names its invocation by `invoke` instead of being paired by process.
 *
 * The checker for these histories is in history-check.ts (re-exported here).
 */
import { assert } from '../../../actors/assert.js';

export type OpType = 'invoke' | 'ok' | 'info' | 'fail';
export type OpF = 'send' | 'poll' | 'assign' | 'commit';

/** A send. `value` is unique across the run ("p3:17"); `partition` and `offset` are known on `ok`. */
export interface SendValue {
  topic: string;
  partition?: number;
  key?: string;
  value: string;
  offset?: number;
  idempotent: boolean;
  acks: 'all' | '1';
}

/** One record a poll (or a final read) returned. */
export interface PolledRecord { topic: string; partition: number; offset: number; value: string }

/** The partitions a consumer takes over (or seeks in): positions are not tracked across it. */
export interface TopicPartition { topic: string; partition: number }
export interface CommitValue { topic: string; partition: number; offset: number }

/** What `value` holds for each `f`; a poll's invoke (and fail/info) carries an empty list. */
export interface OpValues {
  send: SendValue;
  poll: PolledRecord[];
  assign: TopicPartition[];
  commit: CommitValue[];
}

interface OpBase<F extends OpF> {
  index: number;
  timeMs: number;
  process: string;
  type: OpType;
  f: F;
  value: OpValues[F];
  /** On a completion: the index of its invoke. */
  invoke?: number;
}

export type SendOp = OpBase<'send'>;
export type PollOp = OpBase<'poll'>;
export type AssignOp = OpBase<'assign'>;
export type CommitOp = OpBase<'commit'>;
export type HistoryOp = SendOp | PollOp | AssignOp | CommitOp;

/** Final reads per partition, keyed "topic/partition": everything the liveness phase read back. */
export type FinalReads = ReadonlyMap<string, ReadonlyArray<{ offset: number; value: string }>>;

export { checkHistory, partitionKey, parsePartitionKey, violations } from './history-check.js';
export type { Anomaly, AnomalyName, CheckHistoryOptions } from './history-check.js';

/**
 * Records a history. `invoke` returns the op id (the invoke's index) that `complete` takes; time
 * stamps come from the injected clock so that the same seed gives the same history.
 */
export class HistoryRecorder {
  private readonly ops: HistoryOp[] = [];
  private readonly open = new Map<number, OpF>();

  constructor(private readonly nowMs: () => number) {}

  invoke<F extends OpF>(process: string, f: F, value: OpValues[F]): number {
    const index = this.ops.length;
    if (f === 'send') this.assertSend(value as SendValue);
    this.ops.push({ index, timeMs: this.nowMs(), process, type: 'invoke', f, value } as HistoryOp);
    this.open.set(index, f);
    return index;
  }

  complete<F extends OpF>(opId: number, type: Exclude<OpType, 'invoke'>, value: OpValues[F]): void {
    const f = this.open.get(opId);
    assert(f !== undefined, `op ${opId} is not in flight`);
    const invoked = this.ops[opId];
    assert(invoked !== undefined && invoked.type === 'invoke', `op ${opId} is an invoke`);
    if (f === 'send' && type === 'ok') {
      const sent = value as SendValue;
      assert(sent.value === (invoked.value as SendValue).value, 'a send completes with its own value');
      assert(sent.partition !== undefined && sent.offset !== undefined, 'an ok send knows its partition and offset');
    }
    this.open.delete(opId);
    const index = this.ops.length;
    this.ops.push({ index, timeMs: this.nowMs(), process: invoked.process, type, f, value, invoke: opId } as HistoryOp);
  }

  /** Ops still in flight when the run ends become `info`: they may or may not have happened. */
  closeOpen(): void {
    for (const opId of [...this.open.keys()].sort((a, b) => a - b)) {
      const invoked = this.ops[opId];
      assert(invoked !== undefined, 'open ops were invoked');
      this.complete(opId, 'info', invoked.value);
    }
  }

  get inFlight(): number { return this.open.size; }

  history(): readonly HistoryOp[] { return this.ops; }

  private assertSend(value: SendValue): void {
    assert(value.value.length > 0, 'send values are non-empty');
    assert(value.acks === 'all' || value.acks === '1', 'acks is all or 1');
  }
}
