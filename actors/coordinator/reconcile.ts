/**
 * Reconciliation of one member towards its target (KIP-848), the rule that keeps every partition
 * in at most one assigned set: a partition outside the target is first revoked (left out of the
 * reply) and leaves the assigned set only once the member no longer reports owning it; a target
 * partition joins the assigned set only when no other member's assigned set holds it, and only
 * once the member has nothing left to revoke. Then its epoch becomes the assignment epoch.
 */
import { assert } from '../assert.js';
import { sortTps } from './tp.js';
import type { Group, Member, TpKey } from './types.js';

/** The member after reconciling; `owned` is what its heartbeat reports owning (undefined: no report). */
export function reconcileMember(group: Group, member: Member, owned: ReadonlySet<TpKey> | undefined): Member {
  assert(member.memberEpoch <= group.assignmentEpoch, `member ${member.memberId}: epoch ${member.memberEpoch} ahead of its group's assignment`);
  const target = new Set(group.target[member.memberId] ?? []);
  let assigned = owned === undefined ? member.assigned : member.assigned.filter((k) => target.has(k) || owned.has(k));
  if (assigned.some((k) => !target.has(k))) return assigned.length === member.assigned.length ? member : { ...member, assigned };
  const mine = new Set(assigned);
  const wanted = [...target].filter((k) => !mine.has(k));
  if (wanted.length > 0) {
    const held = new Set<TpKey>();
    for (const other of Object.values(group.members)) if (other.memberId !== member.memberId) for (const k of other.assigned) held.add(k);
    const free = wanted.filter((k) => !held.has(k));
    if (free.length > 0) assigned = sortTps([...assigned, ...free]);
  }
  assert(new Set(assigned).size === assigned.length, `member ${member.memberId}: a partition twice in its assigned set`);
  const epochChanged = member.memberEpoch !== group.assignmentEpoch;
  if (!epochChanged && assigned.length === member.assigned.length) return member;
  return { ...member, assigned, ...(epochChanged ? { memberEpoch: group.assignmentEpoch, previousEpoch: member.memberEpoch } : {}) };
}

/** What the member may own now: its assigned set without the partitions being revoked. */
export function allowed(group: Group, member: Member): TpKey[] {
  const target = new Set(group.target[member.memberId] ?? []);
  return member.assigned.filter((k) => target.has(k));
}
