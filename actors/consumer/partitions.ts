/**
 * The set of partitions the consumer fetches: adding one at a start offset, moving it, dropping it.
 * Shared by `assign` (the application picks partitions) and group membership (the coordinator
 * does); in group mode every start and stop is reported as a `groupOwned` fact for the checker.
 */
import { assert } from '../assert.js';
import { report, type Fx } from '../kit/fx.js';
import { wantTopic } from '../client/metadata.js';
import type { ConsumerContext, OffsetSpec, PartitionFetch } from './types.js';

export function partitionKey(topic: string, partition: number): string { return `${topic}/${partition}`; }

export function newFetch(topic: string, partition: number): PartitionFetch {
  return { topic, partition, position: undefined, resolve: undefined, paused: false, halted: false, error: undefined, request: undefined,
    retryAtMs: -Infinity, failures: 0, heardFrom: undefined, consumed: undefined, ownedReported: false, buffer: [], head: 0, bufferedBytes: 0 };
}

/** Drops buffered records and any answer in flight, then starts from `offset`. */
export function reposition(ctx: ConsumerContext, p: PartitionFetch, offset: OffsetSpec): void {
  assert(typeof offset !== 'number' || (Number.isSafeInteger(offset) && offset >= 0), `${p.topic}/${p.partition}: position ${offset}`);
  assert(p.bufferedBytes >= 0 && ctx.bufferedBytes >= p.bufferedBytes, 'the consumer\'s buffer holds each partition\'s');
  ctx.bufferedBytes -= p.bufferedBytes;
  p.buffer = [];
  p.head = 0;
  p.bufferedBytes = 0;
  p.halted = false;
  p.error = undefined;
  p.failures = 0;
  p.retryAtMs = -Infinity;
  if (p.request !== undefined) p.request = { ...p.request, discard: true }; // Still the one outstanding request; its answer is dropped.
  p.position = typeof offset === 'number' ? offset : undefined;
  p.resolve = typeof offset === 'number' ? undefined : offset;
}

/** Group mode: starts fetching a newly owned partition (reported owned once its start offset is known). */
export function addGroupPartition(ctx: ConsumerContext, fx: Fx, topic: string, partition: number, offset: OffsetSpec): PartitionFetch {
  assert(ctx.group !== undefined, 'group mode');
  assert(!ctx.partitions.has(partitionKey(topic, partition)), `${topic}/${partition} is started once`);
  const p = newFetch(topic, partition);
  reposition(ctx, p, offset);
  ctx.partitions.set(partitionKey(topic, partition), p);
  wantTopic(ctx.metadata, topic);
  if (p.position !== undefined) reportOwned(ctx, fx, p, true, p.position);
  return p;
}

/** Stops fetching a partition and forgets its buffer; in group mode reports it no longer owned. */
export function removePartition(ctx: ConsumerContext, fx: Fx, key: string): PartitionFetch | undefined {
  const p = ctx.partitions.get(key);
  if (p === undefined) return undefined;
  assert(p.request === undefined || ctx.corrs.get(p.request.corr) === key, `${key}: its request's corr names another partition`);
  reposition(ctx, p, 0);
  if (p.request !== undefined) ctx.corrs.delete(p.request.corr);
  p.request = undefined;
  ctx.partitions.delete(key);
  assert(![...ctx.corrs.values()].includes(key), `${key}: a request outlives its partition`);
  if (p.ownedReported) reportOwned(ctx, fx, p, false, p.consumed);
  return p;
}

/** `groupOwned`: the consumer starts (with its start offset) or stops (with its consumed position) fetching a group partition. */
export function reportOwned(ctx: ConsumerContext, fx: Fx, p: PartitionFetch, owned: boolean, offset: number | undefined): void {
  const g = ctx.group;
  if (g === undefined || g.subscription === undefined && g.closing === undefined && owned) return;
  // The checker pairs each start with a stop: a partition is reported owned and released in turn.
  assert(owned !== p.ownedReported, `${p.topic}/${p.partition} reported ${owned ? 'owned' : 'released'} twice`);
  assert(offset === undefined || offset >= 0, `${p.topic}/${p.partition}: offset ${offset}`);
  p.ownedReported = owned;
  const data: Record<string, unknown> = { groupId: g.groupId, memberId: g.memberId, clientId: ctx.config.clientId,
    topic: p.topic, partition: p.partition, owned };
  if (offset !== undefined) data['offset'] = offset;
  report(fx, 'groupOwned', data);
}
