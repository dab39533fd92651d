/**
 * The SDK's commands: assign (replaces the assignment, like Kafka's `assign`), seek, pause,
 * resume, poll and close. A poll is answered as soon as records or an error are buffered,
 * round-robin over partitions so one busy partition cannot starve the others; otherwise it is
 * held until data arrives or its timeout passes (checked on ticks).
 */
import { assert, unreachable } from '../assert.js';
import { deliver, type Fx } from '../kit/fx.js';
import { wantTopic } from '../client/metadata.js';
import { recordBytes } from './fetcher.js';
import { closeGroup, onCommit, onCommitted, onSubscribe, takeGroupNews } from './group.js';
import { newFetch, partitionKey, removePartition, reposition } from './partitions.js';
import { onAckRevoked } from './reconcile.js';
import type { CommandResult, ConsumerCommand, ConsumerContext, ConsumerRecord, OffsetSpec, PartitionFetch, PollResult, TopicPartition } from './types.js';

export { partitionKey };

function validOffset(offset: unknown): offset is OffsetSpec {
  return offset === 'earliest' || offset === 'latest' || (Number.isSafeInteger(offset) && (offset as number) >= 0);
}

function onAssign(ctx: ConsumerContext, fx: Fx, command: ConsumerCommand & { type: 'assign' }): CommandResult {
  if (ctx.group?.subscription !== undefined) return { ok: false, code: 'INVALID_REQUEST', message: 'assign and subscribe are exclusive: the consumer is subscribed' };
  const reset = ctx.config.autoOffsetReset;
  for (const tp of command.partitions) {
    const offset = tp.offset ?? (reset === 'none' ? undefined : reset);
    if (offset === undefined) return { ok: false, code: 'INVALID_REQUEST', message: `${tp.topic}/${tp.partition}: no offset and autoOffsetReset is none` };
    if (!validOffset(offset) || !Number.isSafeInteger(tp.partition) || tp.partition < 0 || tp.topic.length === 0) {
      return { ok: false, code: 'INVALID_REQUEST', message: `bad assignment ${tp.topic}/${tp.partition}@${String(offset)}` };
    }
  }
  const next = new Map<string, PartitionFetch>();
  for (const tp of command.partitions) {
    const key = partitionKey(tp.topic, tp.partition);
    const p = ctx.partitions.get(key) ?? newFetch(tp.topic, tp.partition);
    reposition(ctx, p, tp.offset ?? (reset as 'earliest' | 'latest'));
    next.set(key, p);
    wantTopic(ctx.metadata, tp.topic);
  }
  for (const key of [...ctx.partitions.keys()]) if (!next.has(key)) removePartition(ctx, fx, key);
  assert([...ctx.corrs.values()].every((key) => next.has(key)), 'no request of an unassigned partition stays');
  assert([...next.values()].every((p) => p.bufferedBytes === 0 && p.head === 0), 'an assignment starts every partition afresh');
  ctx.partitions = next;
  return { ok: true };
}

function lookup(ctx: ConsumerContext, tp: TopicPartition): PartitionFetch | CommandResult {
  return ctx.partitions.get(partitionKey(tp.topic, tp.partition))
    ?? { ok: false, code: 'INVALID_REQUEST', message: `${tp.topic}/${tp.partition} is not assigned` };
}

function setPaused(ctx: ConsumerContext, partitions: TopicPartition[], paused: boolean): CommandResult {
  const assigned = ctx.partitions.size;
  for (const tp of partitions) {
    const p = lookup(ctx, tp);
    if ('ok' in p) return p;
  }
  for (const tp of partitions) {
    const key = partitionKey(tp.topic, tp.partition);
    ctx.partitions.set(key, { ...(ctx.partitions.get(key) as PartitionFetch), paused });
  }
  assert(ctx.partitions.size === assigned, 'pausing or resuming assigns no partition');
  assert([...ctx.corrs.values()].every((key) => ctx.partitions.get(key)?.request !== undefined), 'a paused partition keeps its request in flight');
  return { ok: true };
}

export function onCommand(ctx: ConsumerContext, fx: Fx, command: Exclude<ConsumerCommand, { type: 'poll' }>): void {
  // The SDK keys its waiting callers by request id: one that is no integer would never be answered.
  assert(Number.isSafeInteger(command.requestId), `a ${command.type} command carries a request id`);
  if (ctx.closed || ctx.group?.closing !== undefined) return deliver(fx, command.requestId, { ok: false, code: 'CLIENT_CLOSED', message: 'the consumer is closed' } satisfies CommandResult);
  let result: CommandResult;
  switch (command.type) {
    case 'assign': result = onAssign(ctx, fx, command); break;
    case 'subscribe': result = onSubscribe(ctx, command); break;
    case 'commit': return onCommit(ctx, fx, command);
    case 'committed': return onCommitted(ctx, fx, command);
    case 'ackRevoked': result = onAckRevoked(ctx, command.noticeId); break;
    case 'seek': {
      const p = lookup(ctx, command);
      if ('ok' in p) result = p;
      else if (!validOffset(command.offset)) result = { ok: false, code: 'INVALID_REQUEST', message: `bad offset ${String(command.offset)}` };
      else { reposition(ctx, p, command.offset); result = { ok: true }; }
      break;
    }
    case 'pause': result = setPaused(ctx, command.partitions, true); break;
    case 'resume': result = setPaused(ctx, command.partitions, false); break;
    case 'close':
      if (ctx.poll !== undefined) deliver(fx, ctx.poll.requestId, { ok: true, records: [] } satisfies PollResult);
      ctx.poll = undefined;
      if (ctx.group !== undefined) return closeGroup(ctx, fx, command.requestId); // Answered once it has committed and left.
      result = close(ctx);
      break;
    default: return unreachable(command);
  }
  deliver(fx, command.requestId, result);
}

function close(ctx: ConsumerContext): CommandResult {
  ctx.corrs.clear();
  for (const [key, p] of ctx.partitions) ctx.partitions.set(key, { ...p, request: undefined });
  ctx.closed = true;
  return { ok: true };
}

export function onPoll(ctx: ConsumerContext, fx: Fx, command: ConsumerCommand & { type: 'poll' }): void {
  if (ctx.closed || ctx.group?.closing !== undefined) return deliver(fx, command.requestId, { ok: true, records: [] } satisfies PollResult);
  assert(Number.isSafeInteger(command.maxRecords) && command.maxRecords > 0, 'maxRecords > 0');
  // One poll at a time: a newer poll replaces a held one, which returns empty-handed.
  if (ctx.poll !== undefined) deliver(fx, ctx.poll.requestId, { ok: true, records: [] } satisfies PollResult);
  ctx.poll = { requestId: command.requestId, maxRecords: command.maxRecords, deadlineMs: ctx.nowMs + (command.timeoutMs ?? Infinity) };
}

/** Answers the held poll when there is something to give, or when its timeout passed. */
export function answerPoll(ctx: ConsumerContext, fx: Fx): void {
  const poll = ctx.poll;
  if (poll === undefined) return;
  const news = takeGroupNews(ctx);
  if (news !== undefined) {
    ctx.poll = undefined;
    if ('error' in news) return deliver(fx, poll.requestId, { ok: false, ...news.error } satisfies PollResult);
    return deliver(fx, poll.requestId, { ok: true, records: [], notice: news.notice } satisfies PollResult);
  }
  for (const p of ctx.partitions.values()) {
    if (p.error === undefined) continue;
    ctx.poll = undefined;
    deliver(fx, poll.requestId, { ok: false, ...p.error, topic: p.topic, partition: p.partition } satisfies PollResult);
    p.error = undefined;
    return;
  }
  const records = collect(ctx, poll.maxRecords);
  assert(records.length <= poll.maxRecords, `${records.length} records for a poll of ${poll.maxRecords}`);
  // The application sees each partition's records in offset order, none twice.
  const lastOffsets = new Map<string, number>();
  for (const r of records) {
    const key = partitionKey(r.topic, r.partition);
    if (!((lastOffsets.get(key) ?? -1) < r.offset)) assert(false, `${key}: offset ${r.offset} delivered after ${lastOffsets.get(key)}`);
    lastOffsets.set(key, r.offset);
  }
  if (records.length === 0 && ctx.nowMs < poll.deadlineMs) return;
  ctx.poll = undefined;
  deliver(fx, poll.requestId, { ok: true, records } satisfies PollResult);
}

function collect(ctx: ConsumerContext, maxRecords: number): ConsumerRecord[] {
  const out: ConsumerRecord[] = [];
  const list = [...ctx.partitions.values()];
  for (let i = 0; i < list.length && out.length < maxRecords; i++) {
    const p = list[(ctx.cursor + i) % list.length] as PartitionFetch;
    if (p.paused) continue;
    take(ctx, p, maxRecords - out.length, out);
  }
  ctx.cursor = list.length === 0 ? 0 : (ctx.cursor + 1) % list.length;
  assert(maxRecords > 0, 'a poll asks for records');
  assert(out.length <= maxRecords, `${out.length} records collected for at most ${maxRecords}`);
  return out;
}

function take(ctx: ConsumerContext, p: PartitionFetch, n: number, out: ConsumerRecord[]): void {
  assert(n > 0 && p.head <= p.buffer.length, 'records to take, from within the buffer');
  const start = p.head;
  const end = Math.min(p.buffer.length, p.head + n);
  for (let i = p.head; i < end; i++) {
    const r = p.buffer[i] as ConsumerRecord;
    out.push(r);
    const bytes = recordBytes(r.key, r.value);
    p.bufferedBytes -= bytes;
    ctx.bufferedBytes -= bytes;
  }
  assert(p.bufferedBytes >= 0 && ctx.bufferedBytes >= 0, 'never more taken than was buffered');
  p.head = end;
  if (end > start) p.consumed = (p.buffer[end - 1] as ConsumerRecord).offset + 1;
  if (p.head === p.buffer.length) { p.buffer = []; p.head = 0; }
  else if (p.head > 1024 && p.head * 2 > p.buffer.length) { p.buffer = p.buffer.slice(p.head); p.head = 0; }
}
