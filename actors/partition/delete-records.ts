/**
 * DeleteRecords (Kafka's): the leader moves the log start forward on request, as retention does —
 * never past the HW, and to the start of the batch holding the offset (Brook's log start is a
 * batch boundary). Followers follow the leader's log start from fetch replies. The group
 * coordinator uses it to trim `__consumer_offsets` behind its checkpoints.
 */
import { assert } from '../assert.js';
import { indexFind } from './log-cache.js';
import { advanceLogStart } from './log.js';
import { epochMismatch } from './step.js';
import { reply, type Fx } from '../kit/fx.js';
import type { DeleteRecordsRequest, PartitionContext } from './types.js';

export function onDeleteRecords(ctx: PartitionContext, fx: Fx, request: DeleteRecordsRequest): void {
  assert(ctx.leader !== undefined, 'only a leader deletes records');
  assert(request.offset >= 0, 'offsets were validated at the edge');
  const mismatch = epochMismatch(ctx, request.leaderEpoch);
  if (mismatch) return reply(fx, request, mismatch);
  if (request.offset > ctx.hw) return reply(fx, request, { code: 'OFFSET_OUT_OF_RANGE', message: `offset ${request.offset} > hw ${ctx.hw}` });
  const start = indexFind(ctx.index, request.offset)?.baseOffset ?? request.offset;
  if (start > ctx.logStart) {
    if (ctx.retention.inFlight) return reply(fx, request, { code: 'REPLICA_BUSY', message: 'a log start move is in flight' });
    advanceLogStart(ctx, fx, start);
  }
  reply(fx, request, { code: 'OK', logStartOffset: ctx.logStart });
}
