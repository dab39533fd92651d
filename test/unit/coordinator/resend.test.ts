// Goal: a produce or fetch to the coordinator's replica, or its reply, can be lost. The coordinator
// sends it again (same corr) every resendMs instead of stalling every group of the partition for
// twice the write timeout (seeds 120021, 120093: a lost write held all heartbeat replies for 10 s,
// and the group could not settle after healing). The writes are idempotent: the partition keeps one copy.
import test from 'ava';
import { Coord, FakeLog, heartbeat } from './harness.js';

test('a write without reply is sent again after resendMs, the same corr and sequence; the log keeps one copy', (t) => {
  const c = new Coord(new FakeLog(), {}, { hold: false });
  c.hold = true;
  c.send(heartbeat({ memberEpoch: 0, topics: ['t'], from: 'client/a' }));
  t.is(c.held.length, 1);
  t.is(c.replies('groupHeartbeat').length, 0, 'the reply waits for the write');
  c.tick(500);
  t.is(c.held.length, 1, 'not before resendMs');
  c.tick(550);
  t.is(c.held.length, 2, 'sent again');
  t.is(c.held[1]?.corr, c.held[0]?.corr);
  t.deepEqual(c.held[1]?.to, c.held[0]?.to);
  c.hold = false;
  c.release(); // both copies are appended and answered; the second answer is ignored
  t.is(c.replies('groupHeartbeat').length, 1);
  t.is(c.lastReply('groupHeartbeat')['code'], 'OK');
  t.is(c.log.batches.length, 3, 'the two barriers of the load and one copy: the second is a duplicate of the same producer sequence');
  const reloaded = new Coord(c.log);
  t.deepEqual(reloaded.ctx.groups['g']?.members[c.lastReply('groupHeartbeat')['memberId'] as string]?.assigned, ['t:0', 't:1', 't:2', 't:3']);
  t.is(reloaded.ctx.groups['g']?.groupEpoch, 1);
});
