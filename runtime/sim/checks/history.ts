/**
 * A Jepsen-shaped client history (simulation.md section 2) and the recorder the simulated workload
 * writes it with. Ops are `invoke` then exactly one of `ok` (it happened), `fail` (it definitely
 * did not happen) or `info` (unknown: a timeout, or an error after a possible append). Unlike
 * Jepsen, one process may have several ops in flight (a producer pipelines sends), so a completion
 * names its invocation by `invoke` instead of being paired by process.
 *
 * The op types are in history-types.ts and the checker for these histories is in history-check.ts
 * (both re-exported here).
 */
import { assert } from '../../../actors/assert.js';
import type { HistoryOp, OpF, OpType, OpValues, SendValue } from './history-types.js';

export type * from './history-types.js';
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
