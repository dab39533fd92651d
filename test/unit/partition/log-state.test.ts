// Goal: the epoch-cache math behind KIP-101/279/595 truncation. Method: pure functions, table cases.
import test from 'ava';
import { assignEpoch, divergence, endOffsetForEpoch, recoverEpochs, truncationOffset } from '../../../actors/partition/log.js';

const cache = [{ epoch: 1, startOffset: 0 }, { epoch: 3, startOffset: 10 }, { epoch: 4, startOffset: 20 }];

test('end offset of an epoch is the next epoch start, or the LEO for the latest', (t) => {
  t.deepEqual(endOffsetForEpoch(cache, 1, 30), { epoch: 1, endOffset: 10 });
  t.deepEqual(endOffsetForEpoch(cache, 2, 30), { epoch: 1, endOffset: 10 }, 'unknown epoch: the largest smaller one');
  t.deepEqual(endOffsetForEpoch(cache, 4, 30), { epoch: 4, endOffset: 30 });
  t.deepEqual(endOffsetForEpoch(cache, 0, 30), { epoch: -1, endOffset: -1 });
});

test('the leader reports divergence only when the follower\'s epoch ends before its fetch offset', (t) => {
  t.is(divergence(cache, 30, 10, 1), undefined);
  t.deepEqual(divergence(cache, 30, 12, 1), { epoch: 1, endOffset: 10 });
  t.deepEqual(divergence(cache, 30, 12, 2), { epoch: 1, endOffset: 10 }, 'epoch 2 never existed here');
  t.is(divergence(cache, 30, 5, -1), undefined, 'an empty follower has nothing to check');
});

test('the follower truncates to the smaller end, or to its own end of a smaller epoch', (t) => {
  const follower = [{ epoch: 1, startOffset: 0 }, { epoch: 2, startOffset: 8 }];
  t.is(truncationOffset(follower, 15, 5, { epoch: 1, endOffset: 10 }), 8, 'own end of epoch 1 is 8');
  t.is(truncationOffset(follower, 15, 5, { epoch: 2, endOffset: 12 }), 12);
  t.is(truncationOffset([{ epoch: 1, startOffset: 0 }], 15, 5, { epoch: 3, endOffset: 12 }), 15, 'an epoch it never had: the end of its own smaller epoch');
  t.is(truncationOffset(follower, 15, 5, { epoch: -1, endOffset: -1 }), 5, 'nothing in common: back to the HW');
});

test('assignEpoch keeps both columns strictly increasing; recovery trims past the log end', (t) => {
  t.is(assignEpoch(cache, 4, 25), undefined);
  t.deepEqual(assignEpoch(cache, 5, 20), [cache[0], cache[1], { epoch: 5, startOffset: 20 }], 'an empty epoch is replaced');
  t.deepEqual(recoverEpochs(cache, 12, 15), [cache[1]], 'entries past the LEO go, those before the log start collapse');
});
