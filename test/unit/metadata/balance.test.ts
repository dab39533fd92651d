// Goal: the balancing planner evens replicas and preferred leaders over placeable nodes and racks,
// moves little, never puts two replicas of a partition on one node, and plans nothing for a
// balanced cluster.
// Method: images built by topic creation (the real placement), then nodes added or drained.
import test from 'ava';
import { emptyImage, type MetadataImage } from '../../../actors/metadata/image.js';
import { replay } from '../../../actors/metadata/replay.js';
import type { MetadataRecord } from '../../../actors/metadata/records.js';
import { decideCreateTopic } from '../../../actors/metadata/decide.js';
import { planBalance, planEvacuation, type Move } from '../../../actors/metadata/balance.js';

/** Replays records into the test's image holder (replay itself returns a new image and changes none). */
function apply(image: MetadataImage, records: MetadataRecord[]): void { for (const r of records) Object.assign(image, replay(image, r, image.offset + 1)); }

function addNode(image: MetadataImage, id: number, rack?: string): void {
  apply(image, [{ type: 'nodeRegistered', nodeId: id, nodeEpoch: image.offset + 1, incarnationId: `i${id}`, address: `node/${id}`, ...(rack ? { rack } : {}) }]);
  apply(image, [{ type: 'nodeUnfenced', nodeId: id, nodeEpoch: image.nodes[String(id)]?.nodeEpoch as number }]);
}

let topicSeq = 0;
function createTopic(image: MetadataImage, partitions: number, rf: number): void {
  const topicId = (++topicSeq).toString(16).padStart(32, '0');
  const d = decideCreateTopic(image, { name: `t${topicSeq}`, partitions, replicationFactor: rf, configs: {}, topicId });
  if (d.reply.code !== 'OK') throw new Error(d.reply.code);
  apply(image, d.records);
}

/** The image after running every move (the final replica lists). */
function after(image: MetadataImage, moves: Move[]): Map<number, { replicas: number; leaders: number }> {
  const finals = new Map<string, number[]>(moves.map((m) => [`${m.topic}/${m.partition}`, m.target]));
  const load = new Map<number, { replicas: number; leaders: number }>();
  for (const topic of Object.values(image.topics)) {
    topic.partitions.forEach((p, i) => {
      const replicas = finals.get(`${topic.name}/${i}`) ?? p.replicas;
      if (new Set(replicas).size !== replicas.length) throw new Error('two replicas on one node');
      for (const id of replicas) { const l = load.get(id) ?? { replicas: 0, leaders: 0 }; l.replicas++; load.set(id, l); }
      const l = load.get(replicas[0] as number) ?? { replicas: 0, leaders: 0 }; l.leaders++; load.set(replicas[0] as number, l);
    });
  }
  return load;
}

function spread(load: Map<number, { replicas: number; leaders: number }>, nodes: number[], what: 'replicas' | 'leaders'): number {
  const values = nodes.map((id) => load.get(id)?.[what] ?? 0);
  return Math.max(...values) - Math.min(...values);
}

const moved = (moves: Move[]): number => moves.reduce((n, m) => n + m.target.filter((id) => !m.replicas.includes(id)).length, 0);

test('a balanced cluster yields an empty plan', (t) => {
  const image = emptyImage();
  for (const id of [1, 2, 3]) addNode(image, id);
  createTopic(image, 6, 3);
  createTopic(image, 5, 2);
  t.deepEqual(planBalance(image), []);
});

test('a new empty node gets its share with the fewest replica moves, leaders too', (t) => {
  const image = emptyImage();
  for (const id of [1, 2, 3]) addNode(image, id);
  createTopic(image, 6, 3);
  addNode(image, 4);
  const moves = planBalance(image);
  const load = after(image, moves);
  t.is(spread(load, [1, 2, 3, 4], 'replicas'), 1);
  t.true((load.get(4)?.replicas ?? 0) >= 4, 'node 4 holds its share (18 / 4)');
  t.is(moved(moves), 4, 'exactly the replicas node 4 needs move');
  t.true(spread(load, [1, 2, 3, 4], 'leaders') <= 1);
  t.deepEqual(planBalance(image), moves, 'deterministic');
});

test('racks are respected: a move never lowers the racks a partition spans', (t) => {
  const image = emptyImage();
  addNode(image, 1, 'a'); addNode(image, 2, 'b'); addNode(image, 3, 'c');
  createTopic(image, 6, 3);
  addNode(image, 4, 'a');
  const moves = planBalance(image);
  t.true(moves.length > 0);
  const rack = (id: number): string => image.nodes[String(id)]?.rack as string;
  for (const m of moves) t.is(new Set(m.target.map(rack)).size, 3, `${m.topic}/${m.partition} keeps three racks`);
  for (const m of moves) for (const id of m.target.filter((x) => !m.replicas.includes(x))) t.is(id, 4);
});

test('evacuation moves every replica off a draining node and nothing else', (t) => {
  const image = emptyImage();
  for (const id of [1, 2, 3, 4]) addNode(image, id);
  createTopic(image, 8, 2);
  apply(image, [{ type: 'nodeDecommissioning', nodeId: 2 }]);
  const moves = planEvacuation(image, [2]);
  const load = after(image, moves);
  t.is(load.get(2)?.replicas ?? 0, 0);
  for (const m of moves) t.true(m.replicas.includes(2), 'only partitions on node 2 move');
  t.true(spread(load, [1, 3, 4], 'replicas') <= 2, JSON.stringify([...load]));
  const full = planBalance(image);
  t.is(after(image, full).get(2)?.replicas ?? 0, 0, 'the full plan evacuates draining nodes too');
});

test('a fenced node keeps its replicas; partitions being reassigned are not planned', (t) => {
  const image = emptyImage();
  for (const id of [1, 2, 3]) addNode(image, id);
  createTopic(image, 3, 2);
  addNode(image, 4);
  apply(image, [{ type: 'nodeFenced', nodeId: 1, nodeEpoch: image.nodes['1']?.nodeEpoch as number }]);
  for (const m of planBalance(image)) {
    t.false(m.target.includes(1) && !m.replicas.includes(1));
    t.deepEqual(m.replicas.filter((id) => id === 1), m.target.filter((id) => id === 1), 'replicas on fenced node 1 stay');
  }
});
