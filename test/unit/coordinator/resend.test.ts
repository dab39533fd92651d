// Goal: a produce or fetch to the coordinator's replica, or its reply, can be lost. The coordinator
// sends it again every resendMs instead of stalling every group of the partition for
// twice the write timeout (seeds 120021, 120093: a lost write held all heartbeat replies for 10 s,
// and the group could not settle after healing). The writes are idempotent: the partition keeps one copy.
import test from 'ava';
import { Coord, FakeLog, heartbeat } from './harness.js';

test('a write without reply is sent again after resendMs with its sequence; the log keeps one copy', (t) => {
  const c = new Coord(new FakeLog(), {}, { hold: false });
  c.hold = true;
  c.send(heartbeat({ memberEpoch: 0, topics: ['t'], from: 'client/a' }));
  t.is(c.held.length, 1);
  t.is(c.replies('groupHeartbeat').length, 0, 'the reply waits for the write');
  c.tick(500);
  t.is(c.held.length, 1, 'not before resendMs');
  c.tick(550);
  t.is(c.held.length, 2, 'sent again');
  const sequence = (i: number) => (c.held[i]?.body as { batch: { baseSequence: number } }).batch.baseSequence;
  t.is(sequence(1), sequence(0));
  t.deepEqual(c.held[1]?.to, c.held[0]?.to);
  c.hold = false;
  c.release(); // the first copy is appended and answered; the second is a duplicate, and its answer is ignored
  t.is(c.replies('groupHeartbeat').length, 1);
  t.is(c.lastReply('groupHeartbeat')['code'], 'OK');
  t.is(c.log.batches.length, 2, 'the load\'s barrier and one copy: the second is a duplicate of the same producer sequence');
  const reloaded = new Coord(c.log, { leaderEpoch: 4 });
  t.deepEqual(reloaded.ctx.groups['g']?.members[c.lastReply('groupHeartbeat')['memberId'] as string]?.assigned, ['t:0', 't:1', 't:2', 't:3']);
  t.is(reloaded.ctx.groups['g']?.groupEpoch, 1);
});
