/**
 * Goal: a replica's idempotent-producer table keeps refusing gaps after its log is truncated
 * (a follower cutting a diverged tail, then leading), and survives a checkpoint round trip.
 * Method: the pure table functions on batches built by hand.
 */
import test from 'ava';
import { toStoredBatch, type BatchInput } from '../../../actors/partition/batch.js';
import { applyBatch, checkSequence, producersFromMeta, producersToMeta, truncateProducers, type ProducerTable } from '../../../actors/partition/producer-state.js';

const input = (baseSequence: number, recordCount: number): BatchInput => ({ recordCount, firstTimestamp: 0, maxTimestamp: 0,
  producerId: 7, producerEpoch: 0, baseSequence, records: new Uint8Array(recordCount * 10) });

/** Producer 7 wrote sequences 0..6 at offsets 10..16, one record per batch; the table remembers the last five. */
function table(): ProducerTable {
  const t: ProducerTable = new Map();
  for (let seq = 0; seq < 7; seq++) applyBatch(t, toStoredBatch(input(seq, 1), 10 + seq, 0), 100);
  return t;
}

test('after a truncation removed every remembered batch, only the first removed sequence is accepted', (t) => {
  const producers = table();
  truncateProducers(producers, 12); // sequences 2..6, all it remembers, are cut
  t.is(checkSequence(producers, input(3, 1)).kind, 'refuse', 'sequence 3 ahead of the missing 2 is a gap');
  t.is(checkSequence(producers, input(1, 1)).kind, 'refuse', 'sequence 1 is in the log at an offset no longer known');
  t.is(checkSequence(producers, input(2, 1)).kind, 'append', 'sequence 2 continues the log');
  applyBatch(producers, toStoredBatch(input(2, 1), 12, 1), 100);
  t.is(checkSequence(producers, input(3, 1)).kind, 'append');
});

test('a truncation that keeps some batches continues after the newest kept one', (t) => {
  const producers = table();
  truncateProducers(producers, 14);
  t.deepEqual(checkSequence(producers, input(3, 1)), { kind: 'duplicate', baseOffset: 13, lastOffset: 13 });
  t.is(checkSequence(producers, input(5, 1)).kind, 'refuse');
  t.is(checkSequence(producers, input(4, 1)).kind, 'append');
});

test('the sequence a truncation left survives the producers checkpoint', (t) => {
  const producers = table();
  truncateProducers(producers, 12);
  const loaded = producersFromMeta(producersToMeta(producers, 12), 12).table;
  t.is(checkSequence(loaded, input(3, 1)).kind, 'refuse');
  t.is(checkSequence(loaded, input(2, 1)).kind, 'append');
});
