// Goal: a decision's records commit whole or not at all. As one Raft entry each, a controller
// failover could commit a prefix of a decision: a topic with only some of its partitions (seed
// 943485: __consumer_offsets with two of its three), a fenced node still leading.
// Method: three controller actors in harness.ts; appendEntries carries one entry at a time and
// voter messages take 10 ms, so a follower holds part of the log when the leader dies.
import test from 'ava';
import { Cluster, registerAll } from './harness.js';
import { CONTROLLER_FOR_ADMIN } from '../../../actors/kit/addresses.js';
import { lastIndex, slice } from '../../../actors/controller/log.js';
import { asOneEntry, recordsOf, type MetadataRecord } from '../../../actors/metadata/records.js';
import { parseRecord } from '../../../actors/metadata/validate.js';
import { replay } from '../../../actors/metadata/replay.js';
import { emptyImage } from '../../../actors/metadata/image.js';

test('a topic\'s creation is one entry: a batch of the topic and all its partitions', (t) => {
  const c = new Cluster([1, 2, 3], 41);
  const leader = c.elect();
  registerAll(c, [1, 2, 3]);
  const before = lastIndex(leader.ctx.log);
  t.is(c.reply(c.request(CONTROLLER_FOR_ADMIN, 'createTopic', { name: 'e', partitions: 3, replicationFactor: 2, configs: {} }))?.['code'], 'OK');
  c.advance(100);
  t.is(lastIndex(leader.ctx.log), before + 1, 'one entry');
  const entry = leader.ctx.log.entries[leader.ctx.log.entries.length - 1];
  t.deepEqual(recordsOf(entry?.record ?? { type: 'batch', records: [] }).map((r) => r.type), ['topicCreated', 'partitionAdded', 'partitionAdded', 'partitionAdded']);
  for (const id of [1, 2, 3]) t.is(c.get(id).ctx.image.topics['e']?.partitions.length, 3, `controller ${id} applied the whole creation`);
});

test('a leader dying while its followers hold part of the log: the next one commits a creation whole or not at all', (t) => {
  for (let seed = 1; seed <= 30; seed++) {
    const c = new Cluster([1, 2, 3], seed, { appendEntriesMax: 1 });
    const old = c.elect();
    registerAll(c, [1, 2, 3]);
    c.delayMs = 10;
    for (const name of ['a', 'b']) c.request(CONTROLLER_FOR_ADMIN, 'createTopic', { name, partitions: 3, replicationFactor: 2, configs: {} });
    c.advance(10 + (seed % 4) * 10); // the followers hold some of the new entries, not all
    c.kill(old.nodeId);
    c.delayMs = 0;
    const next = c.elect();
    t.not(next.nodeId, old.nodeId);
    c.advance(200);
    for (const name of ['a', 'b']) {
      const count = next.ctx.image.topics[name]?.partitions.length;
      t.true(count === undefined || count === 3, `seed ${seed}: topic ${name} has ${String(count)} of its 3 partitions`);
    }
  }
});

test('a batch record: parsed with its records, refused empty or nested; replayed whole at one offset', (t) => {
  const added = (partition: number): MetadataRecord => ({ type: 'partitionAdded', topicId: 'a'.repeat(32), partition, replicas: [1], isr: [1], leader: 1, leaderEpoch: 0, partitionEpoch: 0 });
  const batch: MetadataRecord = { type: 'batch', records: [{ type: 'topicCreated', name: 'e', topicId: 'a'.repeat(32), configs: {} }, added(0), added(1)] };
  t.deepEqual(parseRecord(structuredClone(batch)), batch);
  t.is(parseRecord({ type: 'batch', records: [] }), undefined, 'an empty batch');
  t.is(parseRecord({ type: 'batch', records: [batch] }), undefined, 'a nested batch');
  t.is(parseRecord({ type: 'batch', records: [{ type: 'nosuch' }] }), undefined, 'a batch of something else');
  const image = replay(emptyImage(), batch, 7);
  t.is(image.offset, 7);
  t.is(image.topics['e']?.partitions.length, 2);
  t.deepEqual(asOneEntry([added(0)]), added(0), 'a single record stays itself');
  t.deepEqual(asOneEntry([batch, added(2)]), { type: 'batch', records: [...recordsOf(batch), added(2)] }, 'batches are flattened, never nested');
});

test('appendEntries and heartbeat replies count a batch by its records, and a batch over the limit goes alone', (t) => {
  const noop = (term: number): MetadataRecord => ({ type: 'leaderChanged', leaderId: 1, term });
  const log = { snapshotIndex: 10, snapshotTerm: 1, entries: [{ term: 2, record: noop(2) }, { term: 2, record: asOneEntry([noop(2), noop(2), noop(2)]) }, { term: 2, record: noop(2) }] };
  t.is(slice(log, 11, 2).length, 1, 'the batch behind the first entry would pass the limit');
  t.is(slice(log, 12, 2).length, 1, 'a batch over the limit goes alone');
  t.is(slice(log, 11, 4).length, 2);
  t.is(slice(log, 11, 100, 12).length, 2, 'never past `to`');
  t.is(slice(log, 14, 100).length, 0, 'nothing past the end');
});
