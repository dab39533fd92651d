/**
 * The fetch loop: per assigned partition one outstanding request to its leader — listOffsets
 * while the start is 'earliest'/'latest', then long-poll fetches from the position. Replies are
 * decoded into the partition's buffer in offset order (records below the position, from a batch
 * that starts earlier, are skipped). Leader moves refresh metadata and retry after a backoff;
 * OFFSET_OUT_OF_RANGE follows autoOffsetReset; anything else is handed to the next poll and the
 * partition stops until the application seeks. Fetching pauses while buffers are full.
 */
import { assert } from '../assert.js';
import { ERRORS } from '../errors.js';
import { backoffMs } from '../client/backoff.js';
import { send, sendFailFast, type Fx } from '../kit/fx.js';
import { newCorr } from '../kit/ops.js';
import { leaderRoute, routeKey } from '../client/metadata.js';
import { LEADER_CHECK_AFTER_MS, LEADER_CHECK_EVERY_MS } from '../client/leader-watch.js';
import { decodeRecords } from '../client/record-codec.js';
import { decompressRecords } from '../client/compression.js';
import type { FetchedBatch, FetchReplyEvent, ListOffsetsReplyEvent } from '../client/messages.js';
import { partitionKey, reportOwned } from './partitions.js';
import type { ConsumerContext, ConsumerRecord, ErrorInfo, PartitionFetch } from './types.js';

const EARLIEST = -2;
const LATEST = -1;
/** Buffer accounting per record on top of key and value bytes. */
export const RECORD_OVERHEAD_BYTES = 48;

function canFetch(ctx: ConsumerContext, p: PartitionFetch): boolean {
  return p.resolve !== undefined
    || (p.bufferedBytes < ctx.config.partitionBytesMax && ctx.bufferedBytes < ctx.config.bufferBytesMax);
}

/** Starts a request on every partition that may have one now. */
export function pump(ctx: ConsumerContext, fx: Fx): void {
  if (ctx.closed) return;
  for (const [key, p] of ctx.partitions) {
    if (p.request !== undefined || p.paused || p.halted || ctx.nowMs < p.retryAtMs || !canFetch(ctx, p)) continue;
    const route = leaderRoute(ctx.metadata, p.topic, p.partition);
    if (route === undefined) {
      ctx.metadata.stale = true;
      continue;
    }
    const corr = newCorr(ctx);
    assert(ctx.corrs.get(corr) === undefined, `corr ${corr} already names a request`);
    ctx.corrs.set(corr, key);
    const leader = { leaderId: route.leaderId, leaderEpoch: route.leaderEpoch };
    // Fail-fast until this leader has answered once (PartitionFetch.heardFrom).
    const request = p.heardFrom === routeKey(route.leaderId, route.leaderEpoch) ? send : sendFailFast;
    if (p.resolve !== undefined) {
      p.request = { corr, kind: 'listOffsets', deadlineMs: ctx.nowMs + ctx.config.requestTimeoutMs, discard: false,
        ...leader, overdueAtMs: ctx.nowMs + LEADER_CHECK_AFTER_MS };
      request(fx, route.address, 'listOffsets', { timestamp: p.resolve === 'earliest' ? EARLIEST : LATEST, leaderEpoch: route.leaderEpoch }, corr);
      continue;
    }
    assert(p.position !== undefined, 'a resolved partition has a position');
    p.request = { corr, kind: 'fetch', deadlineMs: ctx.nowMs + ctx.config.maxWaitMs + ctx.config.requestTimeoutMs, discard: false,
      ...leader, overdueAtMs: ctx.nowMs + ctx.config.maxWaitMs + LEADER_CHECK_AFTER_MS };
    request(fx, route.address, 'fetch', { replicaId: -1, fetchOffset: p.position, lastFetchedEpoch: -1, leaderEpoch: route.leaderEpoch,
      maxWaitMs: ctx.config.maxWaitMs, minBytes: ctx.config.minBytes, bytesMax: Math.min(ctx.config.partitionBytesMax, ctx.config.fetchBytesMax) }, corr);
  }
}

/** The partition whose request `corr` is, with the request cleared; undefined for stale answers. */
function answered(ctx: ConsumerContext, corr: number, kind: 'fetch' | 'listOffsets', code: string): PartitionFetch | undefined {
  const key = ctx.corrs.get(corr);
  if (key === undefined) return undefined;
  ctx.corrs.delete(corr);
  const p = ctx.partitions.get(key);
  assert(p !== undefined && p.request?.corr === corr && p.request.kind === kind, 'a live corr maps to its partition request');
  // Any answer but the transport's "nobody listens" comes from the replica itself.
  if (code !== 'UNKNOWN_ADDRESS') p.heardFrom = routeKey(p.request.leaderId, p.request.leaderEpoch);
  const discard = p.request.discard;
  p.request = undefined;
  assert(![...ctx.corrs.values()].includes(key), `${key}: a second request outstanding`);
  return discard ? undefined : p;
}

export function onFetchReply(ctx: ConsumerContext, event: FetchReplyEvent): void {
  const p = answered(ctx, event.corr, 'fetch', event.body.code);
  if (p === undefined) return;
  if (event.body.code !== 'OK') return onError(ctx, p, { code: event.body.code, message: event.body.message ?? ERRORS[event.body.code].text });
  const from = p.position;
  assert(from !== undefined && p.resolve === undefined, 'a fetch goes out from a resolved position');
  p.failures = 0;
  // Every batch's records are gathered first and buffered once: a reply carries up to a few
  // thousand batches, and growing the buffer per batch would copy it per batch.
  const added: ConsumerRecord[] = [];
  for (const batch of event.body.batches) {
    const error = appendBatch(ctx, p, batch, added);
    if (error !== undefined) {
      buffer(p, added); // What came before the bad batch is delivered, as it always was.
      return halt(p, error);
    }
  }
  buffer(p, added);
  if (!(p.position !== undefined && p.position >= from)) assert(false, `${p.topic}/${p.partition}: the position went back from ${from} to ${p.position}`);
}

/** Decodes one fetched batch onto `added` and moves the position past it. */
function appendBatch(ctx: ConsumerContext, p: PartitionFetch, batch: FetchedBatch, added: ConsumerRecord[]): ErrorInfo | undefined {
  const position = p.position;
  assert(position !== undefined, 'fetching from a position');
  if (batch.lastOffset < position) return undefined;
  const blob = decompressRecords(batch.attributes ?? 0, batch.records);
  if (!blob.ok) return { code: blob.code, message: `${p.topic}/${p.partition} at ${batch.baseOffset}: ${blob.message}` };
  const decoded = decodeRecords(blob.bytes, batch.baseOffset, batch.firstTimestamp, batch.recordCount);
  if (!decoded.ok) return { code: decoded.code, message: `${p.topic}/${p.partition} at ${batch.baseOffset}: ${decoded.message}` };
  if (decoded.records.length !== batch.recordCount) return { code: 'CORRUPT_MESSAGE', message: `batch at ${batch.baseOffset} holds ${decoded.records.length} of ${batch.recordCount} records` };
  const last = added.length > 0 ? added[added.length - 1] : p.buffer[p.buffer.length - 1];
  const before = added.length;
  for (const r of decoded.records) {
    if (r.offset < position) continue; // The batch starts before the fetch offset.
    added.push({ topic: p.topic, partition: p.partition, offset: r.offset, timestamp: r.timestamp, key: r.key, value: r.value, headers: r.headers });
    const bytes = recordBytes(r.key, r.value);
    p.bufferedBytes += bytes;
    ctx.bufferedBytes += bytes;
  }
  const first = added[before];
  if (!(last === undefined || first === undefined || last.offset < first.offset)) assert(false, `${p.topic}/${p.partition}: records buffered out of offset order`);
  p.position = batch.lastOffset + 1;
  return undefined;
}

/** Appends gathered records to the partition's buffer. */
function buffer(p: PartitionFetch, added: readonly ConsumerRecord[]): void {
  if (added.length === 0) return;
  // A new array: the buffer may be shared with the snapshot this event started from.
  p.buffer = p.buffer.concat(added);
}

export function recordBytes(key: Uint8Array | null, value: Uint8Array | null): number {
  return (key?.byteLength ?? 0) + (value?.byteLength ?? 0) + RECORD_OVERHEAD_BYTES;
}

export function onListOffsetsReply(ctx: ConsumerContext, fx: Fx, event: ListOffsetsReplyEvent): void {
  const p = answered(ctx, event.corr, 'listOffsets', event.body.code);
  if (p === undefined) return;
  if (event.body.code !== 'OK') return onError(ctx, p, { code: event.body.code, message: event.body.message ?? ERRORS[event.body.code].text });
  assert(event.body.offset >= 0, 'earliest and latest always have an offset');
  assert(p.resolve !== undefined, 'a listOffsets answers a partition resolving its start (a seek since discards it)');
  p.failures = 0;
  p.position = event.body.offset;
  p.resolve = undefined;
  if (ctx.group !== undefined && !p.ownedReported) reportOwned(ctx, fx, p, true, p.position);
}

function onError(ctx: ConsumerContext, p: PartitionFetch, error: ErrorInfo): void {
  assert(!p.halted, 'a halted partition sends no request, so gets no error');
  assert(p.request === undefined, 'an error answers the request of the partition, now cleared');
  if (error.code === 'OFFSET_OUT_OF_RANGE' && ctx.config.autoOffsetReset !== 'none') {
    p.resolve = ctx.config.autoOffsetReset;
    p.position = undefined;
    return;
  }
  const entry = ERRORS[error.code];
  if (error.code === 'OFFSET_OUT_OF_RANGE' || !entry.retriable) return halt(p, error);
  if (entry.refreshMetadata) ctx.metadata.stale = true;
  backOff(ctx, p);
}

function backOff(ctx: ConsumerContext, p: PartitionFetch): void {
  p.failures++;
  const [delayMs, prng] = backoffMs(ctx.metadataPolicy.backoff, p.failures, ctx.prng);
  ctx.prng = prng;
  p.retryAtMs = ctx.nowMs + delayMs;
}

function halt(p: PartitionFetch, error: ErrorInfo): void {
  p.halted = true;
  p.error = error;
}

/** Tick: a request held longer than its leader may hold it makes metadata stale (actors/client/leader-watch.ts). */
export function checkOverdueRequests(ctx: ConsumerContext): void {
  // Set one period ahead of a clock that never goes back: further ahead, time went backwards.
  assert(ctx.leaderCheckAtMs <= ctx.nowMs + LEADER_CHECK_EVERY_MS, 'the next leader check is at most one period away');
  if (ctx.nowMs < ctx.leaderCheckAtMs) return;
  for (const p of ctx.partitions.values()) {
    if (p.request === undefined || ctx.nowMs < p.request.overdueAtMs) continue;
    assert(ctx.corrs.get(p.request.corr) === partitionKey(p.topic, p.partition), `${p.topic}/${p.partition}: an overdue request's corr names another partition`);
    ctx.metadata.stale = true;
    ctx.leaderCheckAtMs = ctx.nowMs + LEADER_CHECK_EVERY_MS;
    return;
  }
}

/** After a metadata refresh: a request addressed to an older leader epoch is dropped; pump sends it again. */
export function abandonMovedRequests(ctx: ConsumerContext): void {
  for (const p of ctx.partitions.values()) {
    if (p.request === undefined) continue;
    const route = leaderRoute(ctx.metadata, p.topic, p.partition);
    if (route === undefined || route.leaderEpoch <= p.request.leaderEpoch) continue;
    assert(ctx.corrs.get(p.request.corr) === partitionKey(p.topic, p.partition), `${p.topic}/${p.partition}: its request's corr names another partition`);
    ctx.corrs.delete(p.request.corr);
    p.request = undefined;
  }
  assert([...ctx.corrs.values()].every((key) => ctx.partitions.get(key)?.request !== undefined), 'every corr left belongs to a request in flight');
}

/** Requests without an answer in time are retried (the leader may have moved: refresh too). */
export function expireRequests(ctx: ConsumerContext): void {
  for (const p of ctx.partitions.values()) {
    if (p.request === undefined || ctx.nowMs < p.request.deadlineMs) continue;
    assert(ctx.corrs.get(p.request.corr) === partitionKey(p.topic, p.partition), `${p.topic}/${p.partition}: its request's corr names another partition`);
    ctx.corrs.delete(p.request.corr);
    p.request = undefined;
    ctx.metadata.stale = true;
    backOff(ctx, p);
    assert(p.retryAtMs >= ctx.nowMs, `${p.topic}/${p.partition}: a retry scheduled in the past`);
  }
}
