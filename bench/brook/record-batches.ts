// The record lists a Brook bench sends: `perSend` records each, built once, every value of the
// payload pool used once before any repeats (bench/lib/payload.ts), so that no batch a producer
// forms holds one value twice.
import type { ProducerRecordInput } from '../../runtime/sdk/index.js';
import type { Payloads } from '../lib/payload.js';

export class RecordBatches {
  private readonly lists: ProducerRecordInput[][];
  private next = 0;

  constructor(readonly payloads: Payloads, readonly perSend: number) {
    if (!(Number.isInteger(perSend) && perSend > 0)) throw new RangeError(`perSend ${perSend}`);
    const lists = Math.max(1, Math.ceil(payloads.count / perSend));
    this.lists = Array.from({ length: lists }, (_, l) =>
      Array.from({ length: perSend }, (_, i) => ({ value: payloads.at(l * perSend + i) })));
  }

  /** The next send's records: `count` of them, at most `perSend`. */
  take(count: number = this.perSend): ProducerRecordInput[] {
    const list = this.lists[this.next] as ProducerRecordInput[];
    this.next = (this.next + 1) % this.lists.length;
    return count === this.perSend ? list : list.slice(0, count);
  }
}
