/**
 * In-sync replica tracking on the leader (Kafka's Partition ISR logic, KIP-497 AlterPartition).
 *
 * A follower is caught up when a fetch of its reached the leader's LEO; it falls out of sync when
 * it has not been caught up for `replicaLagTimeMaxMs`. The leader proposes ISR changes to the
 * controller one at a time; while a proposal is pending the HW is computed over the maximal ISR
 * (current ∪ proposed), so that a shrink cannot commit offsets the leaving follower lacks and an
 * expand counts the joining follower at once. Pending and committed ISRs are separate variants.
 */
import { assert } from '../assert.js';

export type IsrState =
  | { kind: 'committed'; isr: number[] }
  | { kind: 'pendingExpand'; isr: number[]; proposed: number[]; corr: number; deadlineMs: number }
  | { kind: 'pendingShrink'; isr: number[]; proposed: number[]; corr: number; deadlineMs: number };

/** What the leader knows of one follower, learnt from its fetches in the current leader epoch. */
export interface FollowerProgress {
  /** The follower's LEO (its last consistent fetch offset); -1 until it fetched in this epoch. */
  leo: number;
  lastCaughtUpMs: number;
  lastFetchMs: number;
  /** The leader's LEO at the follower's previous fetch (Kafka's lastFetchLeaderLogEndOffset). */
  lastFetchLeaderLeo: number;
  nodeEpoch: number;
}

export function maximalIsr(state: IsrState): number[] {
  if (state.kind === 'committed') return state.isr;
  const union = new Set([...state.isr, ...state.proposed]);
  return [...union].sort((a, b) => a - b);
}

export function initialProgress(nowMs: number): FollowerProgress {
  return { leo: -1, lastCaughtUpMs: nowMs, lastFetchMs: nowMs, lastFetchLeaderLeo: -1, nodeEpoch: -1 };
}

/** A consistent follower fetch at `fetchOffset` when the leader's LEO is `leaderLeo`. */
export function recordFetch(p: FollowerProgress, fetchOffset: number, leaderLeo: number, nowMs: number, nodeEpoch: number): FollowerProgress {
  assert(fetchOffset <= leaderLeo, 'a consistent follower is never ahead of the leader');
  let lastCaughtUpMs = p.lastCaughtUpMs;
  if (fetchOffset >= leaderLeo) lastCaughtUpMs = nowMs;
  else if (fetchOffset >= p.lastFetchLeaderLeo && p.lastFetchLeaderLeo >= 0) lastCaughtUpMs = Math.max(lastCaughtUpMs, p.lastFetchMs);
  return { leo: fetchOffset, lastCaughtUpMs, lastFetchMs: nowMs, lastFetchLeaderLeo: leaderLeo, nodeEpoch: Math.max(nodeEpoch, p.nodeEpoch) };
}

/**
 * HW = min LEO over the maximal ISR; a member the leader has not heard from in this epoch holds
 * it where it is. Never moves backwards.
 */
export function computeHw(hw: number, leaderLeo: number, leaderId: number, isr: readonly number[], followers: ReadonlyMap<number, FollowerProgress>): number {
  assert(hw <= leaderLeo, 'computeHw: the HW never passes the leader\'s LEO');
  assert(isr.includes(leaderId), 'the leader is in the ISR it computes the HW over');
  let min = leaderLeo;
  for (const id of isr) {
    if (id === leaderId) continue;
    const leo = followers.get(id)?.leo ?? -1;
    if (leo < min) min = leo;
  }
  return Math.max(hw, min);
}

/** ISR members (not the leader) that have not been caught up for longer than the lag limit. */
export function laggingFollowers(isr: readonly number[], leaderId: number, followers: ReadonlyMap<number, FollowerProgress>,
    nowMs: number, lagMaxMs: number): number[] {
  return isr.filter((id) => id !== leaderId && nowMs - (followers.get(id)?.lastCaughtUpMs ?? -Infinity) > lagMaxMs);
}

/**
 * A replica outside the ISR that may join: its LEO reached the HW and the start of the current
 * leader epoch (so it holds everything this leader may have committed).
 */
export function joiningFollower(replicas: readonly number[], isr: readonly number[], followers: ReadonlyMap<number, FollowerProgress>,
    hw: number, epochStart: number): number | undefined {
  assert(hw >= 0 && epochStart >= 0, 'offsets');
  assert(isr.length > 0, 'a leader is always in its ISR');
  for (const id of replicas) {
    if (isr.includes(id)) continue;
    const leo = followers.get(id)?.leo ?? -1;
    if (leo >= hw && leo >= epochStart) return id;
  }
  return undefined;
}

export function isrWithout(isr: readonly number[], removed: readonly number[]): number[] {
  return isr.filter((id) => !removed.includes(id));
}

export function isrWith(isr: readonly number[], added: number): number[] {
  assert(!isr.includes(added), 'isrWith: already a member');
  return [...isr, added].sort((a, b) => a - b);
}
