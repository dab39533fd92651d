// Goal: an alterConfigs reply goes only once every live unfenced node's heartbeat says it applied the
// change (so the next produce to any partition leader is checked against it), and a node that
// stops heartbeating, or never catches up, holds it at most a node session timeout.
// Method: three controllers in harness.ts; nodes are simulated by heartbeats sent to the controller leader.
import test from 'ava';
import { Cluster } from './harness.js';
import { CONTROLLER_FOR_ADMIN, CONTROLLER_FOR_NODES, nodeAddress } from '../../../actors/kit/addresses.js';

const NODES = [1, 2, 3];

/** Three registered, unfenced nodes that applied everything committed; returns their epochs. */
function nodesUp(c: Cluster): Map<number, number> {
  const epochs = new Map<number, number>();
  for (const id of NODES) {
    const corr = c.request(CONTROLLER_FOR_NODES, 'registerNode', { nodeId: id, incarnationId: `inc-${id}`, clusterId: 'c1', address: nodeAddress(id) });
    c.advance(30);
    epochs.set(id, c.reply(corr)?.['nodeEpoch'] as number);
  }
  for (const id of NODES) beat(c, epochs, id, c.leader().ctx.commitIndex);
  c.advance(30);
  for (const id of NODES) beat(c, epochs, id, c.leader().ctx.commitIndex);
  return epochs;
}

function beat(c: Cluster, epochs: Map<number, number>, id: number, appliedOffset: number): void {
  const hb = c.reply(c.request(CONTROLLER_FOR_NODES, 'nodeHeartbeat', { nodeId: id, nodeEpoch: epochs.get(id) as number, appliedOffset }));
  if (hb?.['code'] !== 'OK') throw new Error(`heartbeat of ${id}: ${JSON.stringify(hb)}`);
}

/** A topic, then a lowered max.message.bytes whose reply is held; returns the alter's corr and the change's offset. */
function alter(c: Cluster, epochs: Map<number, number>, beating = NODES): { corr: number; offset: number } {
  const created = c.request(CONTROLLER_FOR_ADMIN, 'createTopic', { name: 't', partitions: 3, replicationFactor: 2, configs: {} });
  c.advance(30);
  if (c.reply(created)?.['code'] !== 'OK') throw new Error('createTopic');
  for (const id of beating) beat(c, epochs, id, c.leader().ctx.commitIndex);
  const corr = c.request(CONTROLLER_FOR_ADMIN, 'alterConfigs', { name: 't', configs: { 'max.message.bytes': '1000' } });
  c.advance(30);
  const held = c.leader().ctx.appliedWaiters;
  if (held.length !== 1) throw new Error(`held: ${JSON.stringify(held)}`);
  return { corr, offset: (held[0] as { index: number }).index };
}

test('the reply waits until every unfenced node applied the change', (t) => {
  const c = new Cluster([1, 2, 3], 51);
  c.elect();
  const epochs = nodesUp(c);
  const { corr, offset } = alter(c, epochs);
  t.true(offset <= c.leader().ctx.commitIndex, 'the change is committed');
  t.is(c.reply(corr), undefined, 'committed, but no node applied it yet');
  beat(c, epochs, 1, offset);
  beat(c, epochs, 2, offset + 5);
  beat(c, epochs, 3, offset - 1);
  c.advance(30);
  t.is(c.reply(corr), undefined, 'node 3 is one record behind');
  beat(c, epochs, 3, offset);
  t.like(c.reply(corr), { code: 'OK', metadataOffset: offset });
  t.deepEqual(c.leader().ctx.appliedWaiters, []);
});

test('a node that stops heartbeating holds the reply only until its session expires', (t) => {
  const c = new Cluster([1, 2, 3], 53);
  c.elect();
  const epochs = nodesUp(c);
  // Node 3 falls silent 1 s before the change: its session runs out long before the reply's own deadline.
  for (let i = 0; i < 10; i++) { c.advance(100); beat(c, epochs, 1, c.leader().ctx.commitIndex); beat(c, epochs, 2, c.leader().ctx.commitIndex); }
  const { corr, offset } = alter(c, epochs, [1, 2]);
  beat(c, epochs, 1, offset);
  beat(c, epochs, 2, offset);
  let waitedMs = 0;
  while (c.reply(corr) === undefined && waitedMs < 3000) {
    c.advance(100);
    waitedMs += 100;
    beat(c, epochs, 1, c.leader().ctx.commitIndex);
    beat(c, epochs, 2, c.leader().ctx.commitIndex);
  }
  const sessionMs = c.leader().ctx.knobs.nodeSessionTimeoutMs;
  t.like(c.reply(corr), { code: 'OK' });
  t.is(c.leader().ctx.image.nodes['3']?.state, 'fenced');
  t.true(waitedMs <= sessionMs - 800, `released after ${waitedMs} ms, when node 3's session ran out (its deadline was ${sessionMs} ms)`);
});

test('a node that heartbeats but never applies the change holds the reply one session timeout at most', (t) => {
  const c = new Cluster([1, 2, 3], 57);
  c.elect();
  const epochs = nodesUp(c);
  const { corr, offset } = alter(c, epochs);
  let waitedMs = 0;
  while (c.reply(corr) === undefined && waitedMs < 3000) {
    beat(c, epochs, 1, c.leader().ctx.commitIndex);
    beat(c, epochs, 2, c.leader().ctx.commitIndex);
    beat(c, epochs, 3, offset - 1);
    c.advance(100);
    waitedMs += 100;
  }
  const sessionMs = c.leader().ctx.knobs.nodeSessionTimeoutMs;
  t.like(c.reply(corr), { code: 'OK' });
  t.is(c.leader().ctx.image.nodes['3']?.state, 'unfenced', 'node 3 kept its session');
  t.true(waitedMs >= sessionMs - 100 && waitedMs <= sessionMs + 200, `released after ${waitedMs} ms, the deadline is ${sessionMs} ms`);
});

test('a failed alterConfigs is answered at once', (t) => {
  const c = new Cluster([1, 2, 3], 59);
  c.elect();
  nodesUp(c);
  const corr = c.request(CONTROLLER_FOR_ADMIN, 'alterConfigs', { name: 'missing', configs: { 'max.message.bytes': '1000' } });
  c.advance(30);
  t.like(c.reply(corr), { code: 'UNKNOWN_TOPIC_OR_PARTITION' });
});
