/**
 * The liveness phase's goal: after every fault is healed, the controller quorum has a leader that
 * knows every voter holds what was committed, and every node has applied the same metadata,
 * at least up to the highest index ever committed.
 */
import type { ClusterSim } from '../cluster.js';
import { stableJson } from '../world.js';
import { controllerVoter } from '../../../actors/kit/addresses.js';
import type { ControllerContext } from '../../../actors/controller/types.js';

export interface Convergence { ok: boolean; reason: string }

export function metadataConverged(sim: ClusterSim, commitIndexMin: number): Convergence {
  const nodes = sim.up();
  if (nodes.length !== sim.nodes.size) return { ok: false, reason: `${sim.nodes.size - nodes.length} nodes down` };
  const leaders = nodes.filter((n) => n.brook?.host.snapshot(controllerVoter(n.id))?.value === 'leader');
  if (leaders.length !== 1) return { ok: false, reason: `${leaders.length} controller leaders` };
  // A voter left behind costs nothing while the other two answer, and the quorum the moment either fails.
  const behind = votersBehind(leaders[0]?.brook?.host.snapshot(controllerVoter(leaders[0].id))?.context as ControllerContext | undefined, commitIndexMin);
  if (behind !== '') return { ok: false, reason: `controller voters behind the leader (${behind})` };
  const images = nodes.map((n) => n.brook?.metadata.image);
  const offsets = images.map((i) => i?.offset ?? -1);
  if (Math.min(...offsets) < commitIndexMin) return { ok: false, reason: `image offsets ${offsets.join(',')} below committed ${commitIndexMin}` };
  const first = stableJson(images[0]);
  if (images.some((i) => stableJson(i) !== first)) return { ok: false, reason: `images differ (offsets ${offsets.join(',')})` };
  if (nodes.some((n) => n.brook?.state !== 'serving')) return { ok: false, reason: `a node is not serving (${nodes.map((n) => n.brook?.state).join(',')})` };
  return { ok: true, reason: 'converged' };
}

/**
 * The voters the leader does not know to hold everything committed during the faults, as
 * `id:matchIndex/commitIndexMin`; '' if none. Not the leader's last index: a cluster that keeps
 * committing (ISR changes on a slow, lossy network) always has a record or two in flight.
 */
function votersBehind(leader: ControllerContext | undefined, commitIndexMin: number): string {
  if (leader === undefined) return 'no leader context';
  return Object.entries(leader.followers).filter(([, p]) => p.matchIndex < commitIndexMin).map(([id, p]) => `${id}:${p.matchIndex}/${commitIndexMin}`).join(',');
}
