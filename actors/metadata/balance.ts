/**
 * The balancing planner (pure): from the image, the reassignments that even out replicas and
 * preferred leaders over the nodes that may hold replicas, moving as few replicas as it can.
 *
 * - Nodes: unfenced and not decommissioning ("placeable"). Replicas on a draining node must leave
 *   (decommission); replicas on a fenced node stay where they are (it is probably restarting, and
 *   moving its data would cost more than waiting).
 * - Replicas: one move takes a replica from the most loaded node to the least loaded node that does
 *   not hold the partition yet, and never lowers the number of racks the partition spans, until the
 *   loads differ by at most one. A moved replica keeps its position, so a moved preferred leader
 *   hands the preference to its replacement.
 * - Leaders: reorders replicas (no data moves) until preferred-leader counts differ by at most one.
 * - Partitions already being reassigned count with their target replicas and are not planned.
 */
import { assert } from '../assert.js';
import { getNode, placeableNodeIds, reassigning, sortedTopics, type MetadataImage, type TopicImage } from './image.js';
import { targetReplicas } from './reassign.js';

export interface Move { topic: string; partition: number; replicas: number[]; target: number[] }

interface Slot { topic: TopicImage; partition: number; current: number[]; target: number[]; movable: boolean }

export interface PlanOptions {
  /** Nodes whose replicas must all leave (decommission); by default the draining nodes in the image. */
  evacuate?: number[];
}

function rackOf(image: MetadataImage, id: number): string { return getNode(image, id)?.rack ?? `node:${id}`; }

function rackCount(image: MetadataImage, replicas: number[]): number { return new Set(replicas.map((id) => rackOf(image, id))).size; }

class Loads {
  readonly replicas = new Map<number, number>();
  readonly leaders = new Map<number, number>();
  constructor(nodes: number[], slots: Slot[]) {
    for (const id of nodes) { this.replicas.set(id, 0); this.leaders.set(id, 0); }
    for (const s of slots) this.add(s.target, 1);
  }
  add(replicas: number[], sign: number): void {
    for (const id of replicas) if (this.replicas.has(id)) this.replicas.set(id, (this.replicas.get(id) as number) + sign);
    const first = replicas[0] as number;
    if (this.leaders.has(first)) this.leaders.set(first, (this.leaders.get(first) as number) + sign);
  }
}

function sumOf(load: Map<number, number>): number { let n = 0; for (const v of load.values()) n += v; return n; }

/** Nodes by load ascending (ties by id). */
function byLoad(load: Map<number, number>): number[] {
  return [...load.keys()].sort((a, b) => (load.get(a) as number) - (load.get(b) as number) || a - b);
}

function replaceIn(slot: Slot, from: number, to: number): number[] { return slot.target.map((id) => (id === from ? to : id)); }

/** The best node to take `from`'s replica of `slot`: least loaded, not in the partition, racks not fewer. */
function destination(image: MetadataImage, slot: Slot, from: number, loads: Loads, candidates: number[]): number | undefined {
  assert(slot.movable, `${slot.topic.name}/${slot.partition} is being reassigned and cannot be planned`);
  assert(slot.target.includes(from), `node ${from} holds no replica of ${slot.topic.name}/${slot.partition} to move`);
  const racksBefore = rackCount(image, slot.target);
  let best: number | undefined;
  let bestScore: [number, number] = [0, 0];
  for (const to of byLoad(loads.replicas)) {
    if (!candidates.includes(to) || slot.target.includes(to)) continue;
    const racksAfter = rackCount(image, replaceIn(slot, from, to));
    if (racksAfter < racksBefore) continue;
    const score: [number, number] = [-racksAfter, loads.replicas.get(to) as number];
    if (best === undefined || score[0] < bestScore[0] || (score[0] === bestScore[0] && score[1] < bestScore[1])) { best = to; bestScore = score; }
  }
  assert(best === undefined || !slot.target.includes(best), `node ${best} already holds a replica of ${slot.topic.name}/${slot.partition}`);
  return best;
}

function move(slot: Slot, from: number, to: number, loads: Loads): void {
  loads.add(slot.target, -1);
  slot.target = replaceIn(slot, from, to);
  loads.add(slot.target, 1);
}

function evacuate(image: MetadataImage, slots: Slot[], loads: Loads, leaving: Set<number>, nodes: number[]): void {
  assert(nodes.every((id) => !leaving.has(id)), 'a node that is leaving cannot take replicas');
  for (const slot of slots) {
    if (!slot.movable) continue;
    for (const from of slot.target.filter((id) => leaving.has(id))) {
      const to = destination(image, slot, from, loads, nodes);
      if (to !== undefined) move(slot, from, to, loads);
    }
  }
  assert(slots.every((s) => new Set(s.target).size === s.target.length), 'an evacuation never puts two replicas of a partition on one node');
}

/** Moves one replica from the most to the least loaded node while that narrows the spread. */
function evenReplicas(image: MetadataImage, slots: Slot[], loads: Loads, nodes: number[]): void {
  assert(loads.replicas.size > 0, 'evening out replicas needs a node to count');
  const total = sumOf(loads.replicas);
  for (let guard = 0; guard < slots.length * 4 + 16; guard++) {
    const order = byLoad(loads.replicas);
    const min = loads.replicas.get(order[0] as number) as number;
    let moved = false;
    for (const from of [...order].reverse()) {
      if ((loads.replicas.get(from) as number) - min <= 1) break;
      for (const slot of slots) {
        if (!slot.movable || !slot.target.includes(from)) continue;
        const to = destination(image, slot, from, loads, nodes);
        if (to === undefined || (loads.replicas.get(from) as number) - (loads.replicas.get(to) as number) <= 1) continue;
        move(slot, from, to, loads);
        moved = true;
        break;
      }
      if (moved) break;
    }
    if (!moved) break;
  }
  // A move takes a replica from one counted node to another: the total stays.
  assert(sumOf(loads.replicas) === total, `replica count ${total} became ${sumOf(loads.replicas)} while evening out`);
}

/** Swaps a replica to the front of a partition while that narrows the preferred-leader spread. */
function evenLeaders(slots: Slot[], loads: Loads): void {
  const replicasBefore = [...loads.replicas].join(';');
  const leadersBefore = sumOf(loads.leaders);
  for (let guard = 0; guard < slots.length * 2 + 16; guard++) {
    const order = byLoad(loads.leaders);
    let swapped = false;
    for (const from of [...order].reverse()) {
      for (const slot of slots) {
        if (!slot.movable || slot.target[0] !== from) continue;
        const to = slot.target.slice(1).filter((id) => loads.leaders.has(id))
          .sort((a, b) => (loads.leaders.get(a) as number) - (loads.leaders.get(b) as number) || a - b)[0];
        if (to === undefined || (loads.leaders.get(from) as number) - (loads.leaders.get(to) as number) <= 1) continue;
        loads.add(slot.target, -1);
        slot.target = [to, ...slot.target.filter((id) => id !== to)];
        loads.add(slot.target, 1);
        swapped = true;
        break;
      }
      if (swapped) break;
    }
    if (!swapped) break;
  }
  // Reordering moves no data: every node keeps its replicas, and a preferred leader only changes hands.
  assert([...loads.replicas].join(';') === replicasBefore, 'evening out leaders moved a replica');
  assert(sumOf(loads.leaders) === leadersBefore, `preferred-leader count ${leadersBefore} became ${sumOf(loads.leaders)}`);
}

function slotsOf(image: MetadataImage): Slot[] {
  const slots: Slot[] = [];
  for (const topic of sortedTopics(image)) {
    topic.partitions.forEach((p, partition) => {
      slots.push({ topic, partition, current: [...p.replicas], target: targetReplicas(p), movable: !reassigning(p) });
    });
  }
  assert(slots.every((s) => s.target.length > 0), 'every partition keeps at least one target replica');
  assert(slots.every((s) => s.target.every((id) => s.current.includes(id))), 'a target replica is one of the listed replicas');
  return slots;
}

function changedSlots(slots: Slot[]): Move[] {
  return slots.filter((s) => s.movable && s.target.join(',') !== s.current.join(','))
    .map((s) => ({ topic: s.topic.name, partition: s.partition, replicas: s.current, target: s.target }));
}

/** The whole plan: replicas off draining nodes, then replicas and preferred leaders evened out. */
export function planBalance(image: MetadataImage, options: PlanOptions = {}): Move[] {
  const leaving = new Set(options.evacuate ?? Object.values(image.nodes).filter((n) => n.decommission === 'draining').map((n) => n.nodeId));
  const nodes = placeableNodeIds(image).filter((id) => !leaving.has(id));
  if (nodes.length === 0) return [];
  const slots = slotsOf(image);
  const loads = new Loads(nodes, slots);
  evacuate(image, slots, loads, leaving, nodes);
  evenReplicas(image, slots, loads, nodes);
  evenLeaders(slots, loads);
  const moves = changedSlots(slots);
  assert(moves.every((m) => m.target.length === m.replicas.length), 'a balancing move keeps the replication factor');
  assert(moves.every((m) => m.target.every((id) => m.replicas.includes(id) || nodes.includes(id))), 'a balancing move adds only placeable nodes that are staying');
  return moves;
}

/** Only the moves that take replicas off `nodeIds` (decommission leaves the rest of the cluster as it is). */
export function planEvacuation(image: MetadataImage, nodeIds: number[]): Move[] {
  const leaving = new Set(nodeIds);
  const nodes = placeableNodeIds(image).filter((id) => !leaving.has(id));
  if (nodes.length === 0) return [];
  const slots = slotsOf(image);
  evacuate(image, slots, new Loads(nodes, slots), leaving, nodes);
  const moves = changedSlots(slots);
  assert(moves.every((m) => m.replicas.some((id) => leaving.has(id))), 'an evacuation moves only partitions on the leaving nodes');
  assert(moves.every((m) => m.target.every((id) => m.replicas.includes(id) || nodes.includes(id))), 'an evacuation adds only placeable nodes that are staying');
  return moves;
}
