/**
 * The bounded log: Brook's answer to log compaction for `__consumer_offsets`. Every
 * `checkpointEveryRecords` appended records, the coordinator re-appends the current value of every
 * live key (a checkpoint, which says everything the log before it says) and, once the whole
 * checkpoint is acknowledged, asks its replica to move the log start to the checkpoint's first
 * offset (`deleteRecords`, Kafka's DeleteRecords). The log then holds about one checkpoint plus
 * the records since, however long the groups live.
 */
import { logLine, send, type Fx } from '../kit/fx.js';
import { newCorr } from '../kit/ops.js';
import { groupRecord, memberRecord, targetRecord } from './group.js';
import { recordBytes, type CoordRecord } from './records.js';
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
  return records;
}

/** Queues a checkpoint when enough records were appended since the last one and none is on its way. */
export function maybeCheckpoint(ctx: CoordinatorContext): void {
  const w = ctx.writes;
  if (w.recordsSinceCheckpoint < ctx.knobs.checkpointEveryRecords) return;
  if (w.pipeline.some((p) => p.batch.checkpoint !== undefined) || w.queue.some((b) => b.checkpoint !== undefined)) return;
  const batches: WriteBatch[] = [];
  let current: WriteBatch = { records: [], bytes: 0, outbox: { replies: [], effects: [] } };
  for (const r of liveRecords(ctx)) {
    const bytes = recordBytes(r);
    if (current.records.length > 0 && current.bytes + bytes > ctx.knobs.batchBytesMax) { batches.push(current); current = { records: [], bytes: 0, outbox: current.outbox }; }
    current = { ...current, records: [...current.records, r], bytes: current.bytes + bytes };
  }
  batches.push(current);
  const marked = batches.map((b, i): WriteBatch => ({ ...b, outbox: { replies: [], effects: [] },
    checkpoint: batches.length === 1 ? 'only' : i === 0 ? 'first' : i === batches.length - 1 ? 'last' : 'middle' }));
  ctx.writes = { ...w, queue: [...w.queue, ...marked], recordsSinceCheckpoint: 0 };
  countPending(ctx, marked.flatMap((b) => b.records), 1);
}

export function onCheckpointWritten(ctx: CoordinatorContext, fx: Fx, batch: WriteBatch, baseOffset: number): void {
  const start = batch.checkpoint === 'first' || batch.checkpoint === 'only' ? baseOffset : ctx.writes.checkpointStart;
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
