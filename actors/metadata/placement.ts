/**
 * Replica placement for new partitions (pure and deterministic given the image): replicas spread
 * evenly over the unfenced nodes, counting the replicas each node already holds so that repeated
 * creates stay balanced; the preferred leader is the first replica and leaders spread evenly too;
 * when nodes carry racks, each partition's replicas go to distinct racks where possible.
 */
import { assert } from '../assert.js';
import { NO_LEADER } from './records.js';
import { sortedTopics, placeableNodeIds, type MetadataImage } from './image.js';

interface Load { replicas: number; leaders: number; rack: string | undefined }

function loads(image: MetadataImage, nodeIds: number[]): Map<number, Load> {
  const out = new Map<number, Load>();
  for (const id of nodeIds) out.set(id, { replicas: 0, leaders: 0, rack: image.nodes[String(id)]?.rack });
  for (const topic of sortedTopics(image)) {
    for (const p of topic.partitions) {
      for (const r of p.replicas) { const l = out.get(r); if (l) l.replicas++; }
      const preferred = p.replicas[0];
      if (preferred !== undefined && p.leader !== NO_LEADER) { const l = out.get(preferred); if (l) l.leaders++; }
    }
  }
  assert(out.size === nodeIds.length, `placement counted ${out.size} of ${nodeIds.length} nodes: a node id repeats`);
  // A node leads only partitions it is a replica of, so it cannot prefer more leaders than it holds replicas.
  assert([...out.values()].every((l) => l.leaders <= l.replicas), 'a node prefers more leaders than it holds replicas');
  return out;
}

/** The least-loaded candidate; ties go to the lowest node id. */
function pick(candidates: number[], load: Map<number, Load>, score: (l: Load) => number[]): number {
  assert(candidates.every((id) => load.has(id)), 'every candidate has its load counted');
  let best: number | undefined;
  let bestScore: number[] = [];
  for (const id of candidates) {
    const s = score(load.get(id) as Load);
    if (best === undefined || lexLess(s, bestScore)) { best = id; bestScore = s; }
  }
  assert(best !== undefined, 'pick needs a candidate');
  return best;
}

function lexLess(a: number[], b: number[]): boolean {
  assert(a.length > 0, 'a score has at least one criterion');
  assert(a.length === b.length, `scores of ${a.length} and ${b.length} criteria do not compare`);
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    if (x !== y) return x < y;
  }
  return false;
}

/** Replica lists for `count` new partitions; each list's first node is the preferred leader. */
export function placeReplicas(image: MetadataImage, count: number, replicationFactor: number): number[][] {
  const nodeIds = placeableNodeIds(image);
  assert(replicationFactor >= 1 && replicationFactor <= nodeIds.length, 'replication factor checked before placement');
  assert(Number.isSafeInteger(count) && count >= 0, 'partition count checked before placement');
  const load = loads(image, nodeIds);
  const out: number[][] = [];
  for (let p = 0; p < count; p++) {
    const leader = pick(nodeIds, load, (l) => [l.leaders, l.replicas]);
    const replicas = [leader];
    const racks = new Set<string | undefined>([load.get(leader)?.rack]);
    while (replicas.length < replicationFactor) {
      const candidates = nodeIds.filter((id) => !replicas.includes(id));
      // A rack already used by this partition costs more than any replica count difference.
      const next = pick(candidates, load, (l) => [l.rack !== undefined && racks.has(l.rack) ? 1 : 0, l.replicas]);
      replicas.push(next);
      racks.add(load.get(next)?.rack);
    }
    for (const id of replicas) (load.get(id) as Load).replicas++;
    (load.get(leader) as Load).leaders++;
    assert(new Set(replicas).size === replicationFactor, 'distinct replicas');
    out.push(replicas);
  }
  return out;
}
