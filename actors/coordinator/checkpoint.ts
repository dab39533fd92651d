/**
 * The bounded log: Brook's answer to log compaction for `__consumer_offsets`. Every
 * `checkpointEveryRecords` appended records, the coordinator re-appends the current value of every
 * live key (a checkpoint, which says everything the log before it says) and, once the whole
 * checkpoint is acknowledged, asks its replica to move the log start to the checkpoint's first
 * offset (`deleteRecords`, Kafka's DeleteRecords). The log then holds about one checkpoint plus
 * the records since, however long the groups live.
 */
import { assert } from '../assert.js';
import { logLine, send, type Fx } from '../kit/fx.js';
import { newCorr } from '../kit/ops.js';
import { groupRecord, memberRecord, targetRecord } from './group.js';
import { recordBytes, recordKey, type CoordRecord } from './records.js';
import { tpParse } from './tp.js';
import type { CoordinatorContext, DeleteRecordsReply, WriteBatch } from './types.js';
import { countPending } from './write-state.js';

/** The current value of every live key. */
export function liveRecords(ctx: CoordinatorContext): CoordRecord[] {
  const records: CoordRecord[] = [{ kind: 'barrier', value: null }];
  for (const group of Object.values(ctx.groups)) {
    records.push(groupRecord(group), targetRecord(group));
    for (const m of Object.values(group.members)) records.push(memberRecord(group.groupId, m));
  }
  for (const [groupId, offsets] of Object.entries(ctx.offsets)) {
    for (const [key, value] of Object.entries(offsets)) {
      const { topic, partition } = tpParse(key);
      records.push({ kind: 'offset', groupId, topic, partition, value });
    }
  }
  // A key twice would let the older value win on a load that starts at the checkpoint.
  assert(new Set(records.map(recordKey)).size === records.length, 'a checkpoint holds each key once');
  assert(records.every((r) => r.kind === 'barrier' || r.value !== null), 'a checkpoint holds live values, no tombstones');
  return records;
}

/** Queues a checkpoint when enough records were appended since the last one and none is on its way. */
export function maybeCheckpoint(ctx: CoordinatorContext): void {
  const w = ctx.writes;
  if (w.recordsSinceCheckpoint < ctx.knobs.checkpointEveryRecords) return;
  if (w.pipeline.some((p) => p.batch.checkpoint !== undefined) || w.queue.some((b) => b.checkpoint !== undefined)) return;
  const batches: WriteBatch[] = [];
  let current: WriteBatch = { records: [], bytes: 0, outbox: { replies: [], effects: [] } };
  const live = liveRecords(ctx);
  for (const r of live) {
    const bytes = recordBytes(r);
    if (current.records.length > 0 && current.bytes + bytes > ctx.knobs.batchBytesMax) { batches.push(current); current = { records: [], bytes: 0, outbox: current.outbox }; }
    current = { ...current, records: [...current.records, r], bytes: current.bytes + bytes };
  }
  batches.push(current);
  const marked = batches.map((b, i): WriteBatch => ({ ...b, outbox: { replies: [], effects: [] },
    checkpoint: batches.length === 1 ? 'only' : i === 0 ? 'first' : i === batches.length - 1 ? 'last' : 'middle' }));
  assert(marked.every((b) => b.records.length > 0), 'a checkpoint batch has records');
  assert(marked.reduce((n, b) => n + b.records.length, 0) === live.length, 'a checkpoint writes every live key');
  ctx.writes = { ...w, queue: [...w.queue, ...marked], recordsSinceCheckpoint: 0 };
  countPending(ctx, marked.flatMap((b) => b.records), 1);
}

export function onCheckpointWritten(ctx: CoordinatorContext, fx: Fx, batch: WriteBatch, baseOffset: number): void {
  assert(batch.checkpoint !== undefined, 'a checkpoint batch');
  const start = batch.checkpoint === 'first' || batch.checkpoint === 'only' ? baseOffset : ctx.writes.checkpointStart;
  // Batches drain in order and a failed write empties the pipeline: a checkpoint's later batches follow its first.
  assert(start !== undefined && start <= baseOffset, `a checkpoint batch at ${baseOffset} without its first batch before it`);
  ctx.writes = { ...ctx.writes, checkpointStart: start };
  if (start === undefined || (batch.checkpoint !== 'last' && batch.checkpoint !== 'only')) return;
  ctx.writes = { ...ctx.writes, checkpointStart: undefined };
  send(fx, ctx.trimAt, 'deleteRecords', { offset: start, leaderEpoch: ctx.leaderEpoch }, newCorr(ctx));
  logLine(fx, 'debug', 'groupCheckpoint', { partition: ctx.partition, logStart: start });
}

export function onDeleteRecordsReply(_ctx: CoordinatorContext, fx: Fx, body: DeleteRecordsReply): void {
  // A refused trim only leaves the log longer; the next checkpoint tries again.
  if (body.code !== 'OK') logLine(fx, 'info', 'groupTrimRefused', { code: body.code });
}
