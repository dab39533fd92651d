/**
 * The liveness phase of a group run: after healing, ask the group's coordinator (found like a
 * client finds it) until the group is stable with every partition assigned, then read its
 * committed offsets. What comes back feeds GroupChecker.checkFinal.
 */
import { METADATA } from '../../actors/kit/addresses.js';
import type { DescribeGroupReply, FindCoordinatorReply, OffsetFetchReply } from '../../actors/coordinator/protocol.js';
import type { Rpc } from '../rpc.js';
import type { SimWorld } from './world.js';
import type { GroupFinalState } from './checks/groups.js';

export interface GroupFinalRead { ok: boolean; reason: string; final: GroupFinalState | undefined }

/**
 * Polls describeGroup every 100 ms until the group settles (or `deadlineMs`), then fetches its
 * offsets; `onFetchSent` runs as each offsetFetch goes out (the checker judges the answer against
 * the commits acknowledged by then).
 */
export function readGroupFinal(world: SimWorld, rpc: Rpc, groupId: string, partitions: number, deadlineMs: number, onFetchSent: () => void = () => {}): GroupFinalRead {
  let coordinator: string | undefined;
  let described: Extract<DescribeGroupReply, { code: 'OK' }> | undefined;
  let committed: Map<string, number> | undefined;
  let reason = 'no coordinator found';
  let busy = false;
  let nextAtMs = 0;
  const settled = (d: Extract<DescribeGroupReply, { code: 'OK' }>): boolean => {
    const owners = new Map<string, number>();
    for (const m of d.members) for (const tp of m.assignment) for (const p of tp.partitions) owners.set(`${tp.topic}/${p}`, (owners.get(`${tp.topic}/${p}`) ?? 0) + 1);
    return d.state === 'stable' && owners.size === partitions && [...owners.values()].every((n) => n === 1) && d.members.every((m) => m.memberEpoch === d.groupEpoch);
  };
  const step = (): void => {
    if (busy || committed !== undefined || world.scheduler.nowMs < nextAtMs) return;
    busy = true;
    nextAtMs = world.scheduler.nowMs + 100;
    if (coordinator === undefined) {
      rpc.call(METADATA, 'findCoordinator', { groupId }, {}, (r) => {
        busy = false;
        const body = r.ok ? (r.envelope.body as FindCoordinatorReply) : undefined;
        if (body?.code === 'OK' && 'address' in body) coordinator = body.address; else reason = `findCoordinator: ${body?.code ?? 'no reply'}`;
      });
    } else if (described === undefined || !settled(described)) {
      rpc.call(coordinator, 'describeGroup', { groupId }, {}, (r) => {
        busy = false;
        const body = r.ok ? (r.envelope.body as DescribeGroupReply) : undefined;
        if (body?.code === 'OK' && 'members' in body) { described = body; reason = `group ${groupId} is ${body.state} at epoch ${body.groupEpoch}`; return; }
        reason = `describeGroup: ${body?.code ?? 'no reply'}`;
        if (body?.code === 'NOT_COORDINATOR' || body === undefined) coordinator = undefined;
      });
    } else {
      onFetchSent();
      rpc.call(coordinator, 'offsetFetch', { groupId }, {}, (r) => {
        busy = false;
        const body = r.ok ? (r.envelope.body as OffsetFetchReply) : undefined;
        if (body?.code === 'OK' && 'offsets' in body) committed = new Map(body.offsets.map((o) => [`${o.topic}/${o.partition}`, o.offset]));
        else { reason = `offsetFetch: ${body?.code ?? 'no reply'}`; coordinator = undefined; described = undefined; }
      });
    }
  };
  const done = world.runUntil(deadlineMs, () => { step(); return committed !== undefined; });
  if (!done || described === undefined || committed === undefined) return { ok: false, reason, final: undefined };
  const final: GroupFinalState = {
    state: described.state, groupEpoch: described.groupEpoch, committed,
    members: described.members.map((m) => ({ memberEpoch: m.memberEpoch, assignment: m.assignment.flatMap((tp) => tp.partitions.map((partition) => ({ topic: tp.topic, partition }))) })),
  };
  return { ok: true, reason: 'settled', final };
}
