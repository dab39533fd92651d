/**
 * Topic metadata changes (partitions added, topics deleted, new topics matching a regex): every
 * group whose target assignment would change gets a new group epoch and target, written at once.
 */
import { assert } from '../assert.js';
import type { Fx } from '../kit/fx.js';
import { groupPartition, OFFSETS_TOPIC } from './protocol.js';
import { bumpEpoch, computeTarget, memberCount, putGroup, sameTarget } from './group.js';
import type { CoordRecord } from './records.js';
import type { CoordinatorContext, Outbox } from './types.js';
import { write } from './writes.js';

export function setTopics(ctx: CoordinatorContext, topics: Readonly<Record<string, number>>): void { ctx.topics = topics; }

export function onTopicsChanged(ctx: CoordinatorContext, fx: Fx, topics: Readonly<Record<string, number>>): void {
  assert(ctx.phase === 'serving', 'a serving coordinator re-targets its groups; a loading one only keeps the topics');
  setTopics(ctx, topics);
  const records: CoordRecord[] = [];
  const outbox: Outbox = { replies: [], effects: [] };
  for (const group of Object.values(ctx.groups)) {
    if (memberCount(group) === 0 || sameTarget(computeTarget(group, topics), group.target)) continue;
    const bumped = bumpEpoch(group, topics, records, outbox.effects);
    // The assignors are pure: the target computed for the bump is the one that differed.
    assert(!sameTarget(bumped.target, group.target), `${group.groupId}: a new group epoch for an unchanged target`);
    putGroup(ctx, bumped);
  }
  if (records.length > 0) write(ctx, fx, records, outbox);
}

/**
 * Whether this coordinator's partition is the group's under the `__consumer_offsets` partition
 * count it knows (true when it knows none). A member sent here by a node that hashed the group
 * over a topic still being created must look again: two coordinators serving one group would
 * each hand out every partition.
 */
export function servesGroup(ctx: CoordinatorContext, groupId: string): boolean {
  const count = ctx.topics[OFFSETS_TOPIC];
  return count === undefined || count <= 0 || groupPartition(groupId, count) === ctx.partition;
}
