/**
 * The history checker: the non-transactional subset of Jepsen's kafka checker (simulation.md
 * section 2), written from its documented definitions. Anomalies keep Jepsen's names:
 *   lost-write            an ok acks=all send is not in the final reads at its offset;
 *   unseen                ok sends never observed by any poll or final read (one per partition
 *                         and acks level; acks=1 writes may legitimately be lost to a crash);
 *   duplicate             one value at more than one offset (legitimate for at-least-once
 *                         retries of a non-idempotent producer, so it carries `idempotent`);
 *   inconsistent-offsets  one offset observed with two different values;
 *   poll-skip             a consumer's successive polls jump over offsets known to hold values;
 *   nonmonotonic-poll     a consumer's successive polls go backwards (or repeat an offset);
 *   nonmonotonic-send     a producer's acknowledged sends to a partition get offsets out of their
 *                         invocation order (checked only when order is promised: an idempotent
 *                         producer, or one send in flight per partition; and only for acks=all,
 *                         since an acks=1 write may be lost and its offset given to a later one);
 *   G1a                   a poll or final read saw a value whose send definitely failed.
 * Consumer positions are per (process, partition) and forgotten at every `assign` of the process.
 * "Observed" means: in an ok poll or in the final reads.
 */
import { assert } from '../../../actors/assert.js';
import type { FinalReads, HistoryOp, PollOp, SendOp, SendValue, TopicPartition } from './history-types.js';

export type AnomalyName = 'lost-write' | 'unseen' | 'duplicate' | 'inconsistent-offsets' | 'poll-skip'
  | 'nonmonotonic-poll' | 'nonmonotonic-send' | 'G1a';

export interface Anomaly {
  name: AnomalyName;
  topic: string;
  partition: number;
  detail: string;
  /** duplicate: whether the value's producer was idempotent (only then is it a violation). */
  idempotent?: boolean;
  /** unseen: the acks level of the unseen sends. */
  acks?: 'all' | '1';
}

export interface CheckHistoryOptions {
  /** Per "topic/partition": offsets below this were deleted by retention, so lost-write skips them. */
  logStartOffsets?: ReadonlyMap<string, number>;
}

export function partitionKey(topic: string, partition: number): string { return `${topic}/${partition}`; }

export function parsePartitionKey(key: string): TopicPartition {
  const slash = key.lastIndexOf('/');
  assert(slash > 0, `partition key ${key} is "topic/partition"`);
  const partition = Number(key.slice(slash + 1));
  assert(Number.isSafeInteger(partition) && partition >= 0, `partition key ${key} ends in a partition number`);
  return { topic: key.slice(0, slash), partition };
}

/** Anomalies that break Brook's contract: all but non-idempotent duplicates and unseen acks=1 sends. */
export function violations(anomalies: readonly Anomaly[]): Anomaly[] {
  return anomalies.filter((a) => !(a.name === 'duplicate' && a.idempotent === false) && !(a.name === 'unseen' && a.acks === '1'));
}

/** One send: its invoke, its completion (undefined while open), and the value as best known. */
interface Send { process: string; invokeIndex: number; endIndex: number; type: SendOp['type']; value: SendValue }

/** Everything observed per partition key: offset → values, value → offsets. */
interface Observed {
  valuesAt: Map<string, Map<number, Set<string>>>;
  offsetsOf: Map<string, Map<string, Set<number>>>;
  values: Set<string>;
}

export function checkHistory(history: readonly HistoryOp[], finalReads: FinalReads, options: CheckHistoryOptions = {}): Anomaly[] {
  const sends = collectSends(history);
  const observed = collectObserved(history, finalReads);
  const out: Anomaly[] = [];
  checkLostWrites(sends, finalReads, options.logStartOffsets ?? new Map(), out);
  checkUnseen(sends, observed, out);
  checkDuplicates(sends, observed, out);
  checkInconsistentOffsets(observed, out);
  checkPolls(history, observed, out);
  checkSendOrder(sends, out);
  checkAbortedReads(sends, observed, out);
  return out.sort(compareAnomalies);
}

function compareAnomalies(a: Anomaly, b: Anomaly): number {
  return a.name.localeCompare(b.name) || a.topic.localeCompare(b.topic) || a.partition - b.partition || a.detail.localeCompare(b.detail);
}

function collectSends(history: readonly HistoryOp[]): Send[] {
  const byInvoke = new Map<number, Send>();
  const valuesSeen = new Set<string>();
  for (const op of history) {
    if (op.f !== 'send') continue;
    if (op.type === 'invoke') {
      assert(!valuesSeen.has(op.value.value), `send value ${op.value.value} is unique in the history`);
      valuesSeen.add(op.value.value);
      byInvoke.set(op.index, { process: op.process, invokeIndex: op.index, endIndex: Infinity, type: 'invoke', value: op.value });
      continue;
    }
    const send = op.invoke === undefined ? undefined : byInvoke.get(op.invoke);
    assert(send !== undefined && send.type === 'invoke', `completion ${op.index} follows exactly one send invoke`);
    send.type = op.type;
    send.endIndex = op.index;
    // Only an ok completion's partition and offset are facts; other completions keep the invoke's value.
    if (op.type === 'ok') send.value = { ...send.value, partition: op.value.partition, offset: op.value.offset };
  }
  return [...byInvoke.values()];
}

function collectObserved(history: readonly HistoryOp[], finalReads: FinalReads): Observed {
  const observed: Observed = { valuesAt: new Map(), offsetsOf: new Map(), values: new Set() };
  for (const op of history) {
    if (op.f !== 'poll' || op.type !== 'ok') continue;
    for (const r of op.value) observe(observed, partitionKey(r.topic, r.partition), r.offset, r.value);
  }
  for (const key of [...finalReads.keys()].sort()) {
    for (const r of finalReads.get(key) ?? []) observe(observed, key, r.offset, r.value);
  }
  return observed;
}

function observe(observed: Observed, key: string, offset: number, value: string): void {
  assert(Number.isSafeInteger(offset) && offset >= 0, `observed offset ${offset} is an offset`);
  let valuesAt = observed.valuesAt.get(key);
  if (valuesAt === undefined) observed.valuesAt.set(key, (valuesAt = new Map()));
  let offsetsOf = observed.offsetsOf.get(key);
  if (offsetsOf === undefined) observed.offsetsOf.set(key, (offsetsOf = new Map()));
  let values = valuesAt.get(offset);
  if (values === undefined) valuesAt.set(offset, (values = new Set()));
  let offsets = offsetsOf.get(value);
  if (offsets === undefined) offsetsOf.set(value, (offsets = new Set()));
  values.add(value);
  offsets.add(offset);
  observed.values.add(value);
}

function anomaly(name: AnomalyName, key: string, detail: string, extra: Partial<Anomaly> = {}): Anomaly {
  return { name, ...parsePartitionKey(key), detail, ...extra };
}

function okSendKey(send: Send): string | undefined {
  if (send.type !== 'ok' || send.value.partition === undefined) return undefined;
  return partitionKey(send.value.topic, send.value.partition);
}

function checkLostWrites(sends: readonly Send[], finalReads: FinalReads, logStarts: ReadonlyMap<string, number>, out: Anomaly[]): void {
  const finalAt = new Map<string, Map<number, string>>();
  for (const [key, records] of finalReads) finalAt.set(key, new Map(records.map((r) => [r.offset, r.value])));
  for (const send of sends) {
    const key = okSendKey(send);
    const offset = send.value.offset;
    if (key === undefined || offset === undefined || send.value.acks !== 'all') continue;
    if (offset < (logStarts.get(key) ?? 0)) continue;
    const log = finalAt.get(key) ?? new Map<number, string>();
    const there = log.get(offset);
    if (there === send.value.value) continue;
    const elsewhere = [...log].filter(([, v]) => v === send.value.value).map(([o]) => o);
    const found = elsewhere.length > 0 ? `found at ${elsewhere.join(',')}` : 'absent from the final reads';
    out.push(anomaly('lost-write', key, `${send.value.value} acknowledged at ${offset} by ${send.process}: ${found}` +
      (there === undefined ? '' : `; offset ${offset} holds ${there}`)));
  }
}

function checkUnseen(sends: readonly Send[], observed: Observed, out: Anomaly[]): void {
  const unseen = new Map<string, string[]>(); // "key|acks" → values, in invocation order
  for (const send of sends) {
    const key = okSendKey(send);
    if (key === undefined || observed.values.has(send.value.value)) continue;
    const group = `${key}|${send.value.acks}`;
    const values = unseen.get(group) ?? [];
    values.push(send.value.value);
    unseen.set(group, values);
  }
  for (const [group, values] of unseen) {
    const [key, acks] = group.split('|') as [string, 'all' | '1'];
    const shown = values.slice(0, 10).join(',') + (values.length > 10 ? ',…' : '');
    out.push(anomaly('unseen', key, `${values.length} acknowledged acks=${acks} sends never observed: ${shown}`, { acks }));
  }
}

function checkDuplicates(sends: readonly Send[], observed: Observed, out: Anomaly[]): void {
  const idempotentOf = new Map(sends.map((s) => [s.value.value, s.value.idempotent]));
  for (const [key, offsetsOf] of observed.offsetsOf) {
    for (const [value, offsets] of offsetsOf) {
      if (offsets.size < 2) continue;
      const idempotent = idempotentOf.get(value) ?? false;
      const list = [...offsets].sort((a, b) => a - b).join(',');
      out.push(anomaly('duplicate', key, `${value} at offsets ${list}${idempotent ? ' (idempotent producer)' : ''}`, { idempotent }));
    }
  }
}

function checkInconsistentOffsets(observed: Observed, out: Anomaly[]): void {
  for (const [key, valuesAt] of observed.valuesAt) {
    for (const [offset, values] of valuesAt) {
      if (values.size > 1) out.push(anomaly('inconsistent-offsets', key, `offset ${offset} holds ${[...values].sort().join(' and ')}`));
    }
  }
}

/** poll-skip and nonmonotonic-poll: each consumer's successive ok polls, per partition. */
function checkPolls(history: readonly HistoryOp[], observed: Observed, out: Anomaly[]): void {
  const positions = new Map<string, Map<string, number>>(); // process → key → last offset polled
  for (const op of history) {
    if (op.f === 'assign') positions.delete(op.process);
    if (op.f !== 'poll' || op.type !== 'ok') continue;
    let last = positions.get(op.process);
    if (last === undefined) positions.set(op.process, (last = new Map()));
    checkOnePoll(op, last, observed, out);
  }
}

function checkOnePoll(op: PollOp, last: Map<string, number>, observed: Observed, out: Anomaly[]): void {
  for (const r of op.value) {
    const key = partitionKey(r.topic, r.partition);
    const previous = last.get(key);
    last.set(key, r.offset);
    if (previous === undefined) continue;
    if (r.offset <= previous) {
      out.push(anomaly('nonmonotonic-poll', key, `${op.process} polled ${r.offset} after ${previous} (op ${op.index})`));
      continue;
    }
    const known = observed.valuesAt.get(key);
    const skipped: number[] = [];
    for (let o = previous + 1; o < r.offset && known !== undefined; o++) if (known.has(o)) skipped.push(o);
    if (skipped.length > 0) {
      out.push(anomaly('poll-skip', key, `${op.process} polled ${r.offset} after ${previous}, skipping ${skipped.join(',')} (op ${op.index})`));
    }
  }
}

/** nonmonotonic-send: per (producer, partition), in invocation order, when the producer promised order. */
function checkSendOrder(sends: readonly Send[], out: Anomaly[]): void {
  const byProducerKey = new Map<string, Send[]>();
  for (const send of sends) {
    const key = okSendKey(send);
    if (key === undefined || send.value.acks !== 'all') continue;
    const group = `${send.process}\u0000${key}`;
    const list = byProducerKey.get(group) ?? [];
    list.push(send);
    byProducerKey.set(group, list);
  }
  for (const [group, oks] of byProducerKey) {
    const [process, key] = group.split('\u0000') as [string, string];
    if (!oks.every((s) => s.value.idempotent) && hadConcurrentSends(sends, process, key)) continue;
    for (let i = 1; i < oks.length; i++) {
      const before = oks[i - 1] as Send;
      const after = oks[i] as Send;
      if ((after.value.offset as number) > (before.value.offset as number)) continue;
      out.push(anomaly('nonmonotonic-send', key, `${process} sent ${before.value.value}@${before.value.offset} then ${after.value.value}@${after.value.offset}`));
    }
  }
}

/** Did `process` ever have two sends in flight that may have gone to partition `key`? */
function hadConcurrentSends(sends: readonly Send[], process: string, key: string): boolean {
  const { topic, partition } = parsePartitionKey(key);
  const mine = sends.filter((s) => s.process === process && s.value.topic === topic
    && (s.value.partition === undefined || s.value.partition === partition));
  let endMax = -1; // mine is in invocation order; a send overlaps any earlier one still open
  for (const send of mine) {
    if (send.invokeIndex < endMax) return true;
    endMax = Math.max(endMax, send.endIndex);
  }
  return false;
}

function checkAbortedReads(sends: readonly Send[], observed: Observed, out: Anomaly[]): void {
  for (const send of sends) {
    if (send.type !== 'fail' || !observed.values.has(send.value.value)) continue;
    for (const [key, offsetsOf] of observed.offsetsOf) {
      const offsets = offsetsOf.get(send.value.value);
      if (offsets === undefined) continue;
      out.push(anomaly('G1a', key, `${send.value.value} failed for ${send.process} but was read at ${[...offsets].sort((a, b) => a - b).join(',')}`));
    }
  }
}
