/**
 * The liveness phase's goal: after every fault is healed, the controller quorum has a leader and
 * every node has applied the same metadata, at least up to the highest index ever committed.
 */
import type { ClusterSim } from '../cluster.js';
import { stableJson } from '../world.js';
import { controllerVoter } from '../../../actors/kit/addresses.js';

export interface Convergence { ok: boolean; reason: string }

export function metadataConverged(sim: ClusterSim, commitIndexMin: number): Convergence {
  const nodes = sim.up();
  if (nodes.length !== sim.nodes.size) return { ok: false, reason: `${sim.nodes.size - nodes.length} nodes down` };
  const leaders = nodes.filter((n) => n.brook?.host.snapshot(controllerVoter(n.id))?.value === 'leader');
  if (leaders.length !== 1) return { ok: false, reason: `${leaders.length} controller leaders` };
  const images = nodes.map((n) => n.brook?.metadata.image);
  const offsets = images.map((i) => i?.offset ?? -1);
  if (Math.min(...offsets) < commitIndexMin) return { ok: false, reason: `image offsets ${offsets.join(',')} below committed ${commitIndexMin}` };
  const first = stableJson(images[0]);
  if (images.some((i) => stableJson(i) !== first)) return { ok: false, reason: `images differ (offsets ${offsets.join(',')})` };
  if (nodes.some((n) => n.brook?.state !== 'serving')) return { ok: false, reason: `a node is not serving (${nodes.map((n) => n.brook?.state).join(',')})` };
  return { ok: true, reason: 'converged' };
}
