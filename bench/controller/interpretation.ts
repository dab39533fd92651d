/**
 * The interpretation paragraph of the RESULTS.md section, with the run's own figures filled in. The
 * reasoning follows actors/controller/election.ts, leadership.ts and replication.ts: what a
 * failover must wait for, in order.
 */
import { summarizeLatency } from '../lib/stats.js';
import type { RoundResult } from './failover.js';
import type { CreatePhase } from './topics.js';

const f = (value: number): string => value.toFixed(0);

/** The topic-creation sentences: what one create costs, and how 16 in flight compared. */
function creationText(phases: readonly CreatePhase[]): string[] {
  const sequential = phases.find((p) => !p.subset && !p.label.includes('concurrent'));
  const concurrent = phases.find((p) => p.label.includes('concurrent'));
  if (sequential === undefined || concurrent === undefined) return [];
  const ratio = concurrent.createsPerSec / sequential.createsPerSec;
  return [
    `A sequential create costs one Raft commit (leader fsync, one appendEntries to a follower over NATS and its fsync)`,
    `plus the admin round trip: p50 ${sequential.latency.p50Ms.toFixed(1)} ms. With ${concurrent.label.split(',')[0]} creates the rate was`,
    `${ratio.toFixed(2)}× the sequential one (${concurrent.createsPerSec.toFixed(0)} vs ${sequential.createsPerSec.toFixed(0)} creates/s, p99`,
    `${concurrent.latency.p99Ms.toFixed(0)} ms): proposals that arrive while an appendEntries is in flight go to the follower together in`,
    `the next one, but every committed topic also makes all three node processes spawn and open partition replicas on the`,
    `same two cores, and a stall of one of them holds up every create parked behind the next commit.`,
  ];
}

export function interpretation(rounds: readonly RoundResult[], phases: readonly CreatePhase[]): string {
  const t1 = Float64Array.from(rounds.map((r) => r.leaderKnownMs));
  const gap = Float64Array.from(rounds.map((r) => r.writeCommittedMs - r.leaderKnownMs));
  const s1 = summarizeLatency(t1, t1.length);
  const sGap = summarizeLatency(gap, gap.length);
  const t1Min = Math.min(...t1);
  return [
    `Failover is bounded by the election timeout, not by NATS or storage. After the last appendEntries/heartbeat`,
    `(every 50 ms, so 0–50 ms before T0) each survivor waits its own uniform draw in [300, 600) ms; the first to expire`,
    `(the smaller of two draws: 400 ms on average, minus the time since that heartbeat) runs a pre-vote, which the other`,
    `survivor grants because it has not heard from a leader for at least the minimum timeout either; only then does it bump`,
    `its term, store term and vote (fsync), request the vote, have it stored (fsync) and become leader. T1 here was`,
    `${f(t1Min)}–${f(s1.maxMs)} ms (p50 ${f(s1.p50Ms)}, mean ${f(s1.meanMs)}), i.e. the timeout draw plus a few ms of`,
    `message and fsync round trips. The rest, T2−T1 (p50 ${f(sGap.p50Ms)} ms, max ${f(sGap.maxMs)} ms), is the new leader`,
    `subscribing to the controller leader addresses, appending its \`leaderChanged\` no-op (Raft §5.4.2: earlier-term entries and any new`,
    `write commit only behind an entry of its own term), replicating it and the createTopic to the other survivor with`,
    `one appendEntries in flight per follower, each stored with fsync on both, plus up to one 5 ms probe interval.`,
    `So a client that retries through \`c/admin/leader\` sees the controller back within about the election timeout draw; a`,
    `lower \`electionTimeoutMs\` would shorten failover almost one for one, at the price of spurious elections when a`,
    `loaded two-core machine or a GC pause delays heartbeats.`,
    ...creationText(phases),
  ].join('\n');
}
