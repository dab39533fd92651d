// Goal: an operator can follow a partition through a fault from info-level lines: leadership
// taken and given up, ISR changes, and a stalled high watermark reported once when it stalls and
// once when it moves again, never once per produce.
// Method: real replica actors in the in-test harness; followers cut off to stall the HW.
import test from 'ava';
import { Cluster, produceBody, state } from './harness.js';
import { HW_STALL_LOG_MS } from '../../../actors/partition/watch.js';

function events(c: Cluster, id: number, event: string): Array<Record<string, unknown>> {
  return c.get(id).logs.filter((l) => l.level === 'info' && l.event === event).map((l) => l.detail);
}

test('leadership, following and ISR changes each give one info line naming the partition', (t) => {
  const c = new Cluster(state());
  c.settle();
  t.like(events(c, 1, 'partitionLeading')[0], { topic: 't', partition: 0, leaderEpoch: 1, isr: [1, 2, 3] });
  t.like(events(c, 2, 'partitionFollowing')[0], { topic: 't', partition: 0, leader: 1, leaderEpoch: 1 });
  c.get(1).send({ type: 'metadataChanged', state: state({ isr: [1, 2], partitionEpoch: 2 }) });
  t.like(events(c, 1, 'isrChanged')[0], { topic: 't', partition: 0, isr: [1, 2], before: [1, 2, 3], partitionEpoch: 2 });
  const next = state({ leader: 2, leaderEpoch: 2, partitionEpoch: 3, isr: [1, 2] });
  for (const id of [1, 2, 3]) c.get(id).send({ type: 'metadataChanged', state: next });
  t.like(events(c, 1, 'partitionLeaderResigned')[0], { topic: 't', partition: 0, leaderEpoch: 1, leader: 2, newLeaderEpoch: 2 });
  t.like(events(c, 2, 'partitionLeading')[0], { leaderEpoch: 2 });
  t.is(events(c, 1, 'isrChanged').length, 1, 'an ISR that did not change is not logged again');
});

test('a stalled HW is reported once while produces wait, and its resumption once', (t) => {
  const c = new Cluster(state());
  c.settle();
  c.isolated.add(2);
  c.isolated.add(3);
  for (let corr = 1; corr <= 20; corr++) c.request(1, 'produce', corr, produceBody(1, -1, { timeoutMs: 60_000 }));
  c.settle();
  c.advance(HW_STALL_LOG_MS - 100);
  t.is(events(c, 1, 'hwStalled').length, 0, 'not before the threshold');
  c.advance(HW_STALL_LOG_MS);
  const stalled = events(c, 1, 'hwStalled');
  t.is(stalled.length, 1);
  t.like(stalled[0], { topic: 't', partition: 0, hw: 0, leo: 20, waiting: 20, isr: [1, 2, 3] });
  c.isolated.clear();
  c.advance(1000);
  const resumed = events(c, 1, 'hwResumed');
  t.is(resumed.length, 1);
  t.like(resumed[0], { topic: 't', partition: 0, hw: 20 });
  t.true((resumed[0]?.['stalledMs'] as number) >= HW_STALL_LOG_MS);
  t.is(events(c, 1, 'hwStalled').length, 1);
});

test('an idle partition is not stalled: the first produce after a long quiet spell starts the clock', (t) => {
  const c = new Cluster(state());
  c.settle();
  c.advance(5 * HW_STALL_LOG_MS, 100);
  c.request(1, 'produce', 1, produceBody(1, -1));
  c.settle();
  c.advance(50);
  t.like(c.replies(1)[0], { body: { code: 'OK' } });
  t.is(events(c, 1, 'hwStalled').length, 0);
});
