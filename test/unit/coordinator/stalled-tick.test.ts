// Goal: the coordinator's clock moves only on ticks, so heartbeats handled while its ticks are late
// (the node stalled while messages were still handled) must not count as old: the late tick credits
// them with its own time. Expiring members heard moments ago would hand their partitions to others
// while they still fetch them (seed 120008: every member removed at once at the first tick after a
// 1.6 s stall, one still fetching the partition given to a rejoined member).
import test from 'ava';
import { Coord, heartbeat } from './harness.js';

test('heartbeats handled during a stall of the ticks keep members alive at the late tick', (t) => {
  const c = new Coord();
  c.send(heartbeat({ memberEpoch: 0, topics: ['t'], from: 'client/a' }));
  const id = c.lastReply('groupHeartbeat')['memberId'] as string;
  c.tick(50);
  // 1.6 s without a tick (sessionTimeout 1 s); the member keeps heartbeating, the last just before the tick.
  for (let i = 0; i < 6; i++) c.send(heartbeat({ memberId: id, memberEpoch: 1, owned: [['t', [0, 1, 2, 3]]], from: 'client/a' }));
  c.tick(1600);
  t.truthy(c.ctx.groups['g']?.members[id], 'heard since the last tick: not expired');
  t.is(c.out.filter((s) => s.type === 'memberProbe').length, 0, 'nor probed');
  c.tick(900);
  t.truthy(c.ctx.groups['g']?.members[id], 'the session counts from the late tick');
  c.tick(100);
  t.is(c.ctx.groups['g']?.members[id], undefined, 'silent for a session after it: expired');
});
