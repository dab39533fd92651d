// Goal: initProducerId costs one metadata record per block of producer ids, not one per producer,
// and no id is ever handed out twice — across a leader change and a block lost with its leader.
// Method: three real controller actors in the seeded in-test world of harness.ts; no real time.
import test from 'ava';
import { Cluster } from './harness.js';
import { CONTROLLER_FOR_PRODUCERS } from '../../../actors/kit/addresses.js';
import { PRODUCER_ID_BLOCK } from '../../../actors/metadata/decide.js';

function initProducerIds(c: Cluster, count: number): number[] {
  const corrs = Array.from({ length: count }, () => c.request(CONTROLLER_FOR_PRODUCERS, 'initProducerId', {}));
  c.advance(100);
  return corrs.map((corr) => {
    const reply = c.reply(corr);
    if (reply?.['code'] !== 'OK') throw new Error(`initProducerId answered ${String(reply?.['code'])}`);
    return reply['producerId'] as number;
  });
}

test('a stable leader hands out producer ids from one committed block: one metadata record for many producers', (t) => {
  const c = new Cluster([1, 2, 3], 21);
  const leader = c.elect();
  c.advance(100);
  const before = leader.ctx.commitIndex;
  const first = initProducerIds(c, 1);
  const rest = initProducerIds(c, 50);
  t.deepEqual([...first, ...rest], Array.from({ length: 51 }, (_, i) => (first[0] as number) + i), 'consecutive ids');
  t.is(leader.ctx.commitIndex - before, 1, 'one record for 51 producers');
  t.is(leader.ctx.image.nextProducerId, (first[0] as number) + PRODUCER_ID_BLOCK, 'the log holds the whole block');
});

test('a block runs out and the next one is allocated; ids stay unique', (t) => {
  const c = new Cluster([1, 2, 3], 22);
  c.elect();
  c.advance(100);
  const ids: number[] = [];
  for (let round = 0; round < 5; round++) ids.push(...initProducerIds(c, 450));
  t.is(new Set(ids).size, ids.length, 'no id twice');
  t.is(c.leader().ctx.image.nextProducerId, 3 * PRODUCER_ID_BLOCK, '2,250 producers took three blocks');
});

test('a new leader never hands out an id of its predecessor\'s block, committed or lost', (t) => {
  const c = new Cluster([1, 2, 3], 23);
  const old = c.elect();
  c.advance(100);
  // The whole first block is handed out, so the next request needs a block of its own.
  const before = initProducerIds(c, PRODUCER_ID_BLOCK);
  // The old leader proposes that block cut off from both followers, so it cannot commit, and dies.
  for (const id of [1, 2, 3]) if (id !== old.nodeId) c.isolated.add(id);
  const lostCorr = c.request(CONTROLLER_FOR_PRODUCERS, 'initProducerId', {});
  c.advance(20);
  t.true(old.ctx.producerIds !== undefined && old.ctx.producerIds.index > old.ctx.commitIndex, 'the old leader holds a block it has not committed');
  t.is(c.reply(lostCorr), undefined, 'and hands out no id from it');
  c.isolated.clear();
  c.kill(old.nodeId);
  c.advance(2000);
  const leader = c.leader();
  t.not(leader.nodeId, old.nodeId);
  const after = initProducerIds(c, 10);
  const all = [...before, ...after];
  t.is(new Set(all).size, all.length, `no id twice (the new leader's: ${after.join(',')})`);
  t.true(Math.min(...after) >= (before[0] as number) + PRODUCER_ID_BLOCK, 'the new leader starts past the committed block');
});
