// Goal: over random event sequences (joins, heartbeats reporting random owned sets, leaves,
// commits, ticks, topic changes, failed, held, reordered and lost writes, probe answers) no
// transition changes its input snapshot and the invariants hold after every event — in particular
// no partition is ever in two members' assigned sets. The harness checks both on every event. Once
// the replica answers again, every write goes through: the pipeline empties.
import test from 'ava';
import { nextInt } from '../../../actors/prng.js';
import { Coord, FakeLog, assigned, commit, heartbeat, request } from './harness.js';

function run(seed: number, steps: number): Coord {
  let s = seed;
  const pick = (n: number): number => { const [v, next] = nextInt(s, 0, n - 1); s = next; return v; };
  const c = new Coord(new FakeLog(), { seed, knobs: { checkpointEveryRecords: 20 } });
  const told = new Map<string, string[]>(); // member → what its last reply allowed
  for (let i = 0; i < steps; i++) {
    const members = Object.values(c.ctx.groups['g']?.members ?? {});
    const m = members.length > 0 ? members[pick(members.length)] : undefined;
    switch (pick(10)) {
      case 0: c.send(heartbeat({ memberEpoch: 0, topics: pick(2) === 0 ? ['t'] : ['t', 'u'], from: `client/${i}`, ...(pick(3) === 0 ? { instanceId: `i${pick(3)}` } : {}) })); break;
      case 1: case 2: case 3: if (m) {
        const owned = (told.get(m.memberId) ?? []).filter(() => pick(4) !== 0);
        c.send(heartbeat({ memberId: m.memberId, memberEpoch: pick(5) === 0 ? m.memberEpoch + 1 : m.memberEpoch, owned: owned.map((k) => [k.split(':')[0] as string, [Number(k.split(':')[1])]]), from: m.address || 'client/x' }));
        const r = c.lastReply('groupHeartbeat');
        if (r !== undefined && r['code'] === 'OK' && r['memberId'] === m.memberId) told.set(m.memberId, assigned(r));
      } break;
      case 4: if (m) c.send(heartbeat({ memberId: m.memberId, memberEpoch: pick(2) === 0 ? -1 : -2, ...(m.instanceId ? { instanceId: m.instanceId } : {}) })); break;
      case 5: if (m) c.send(commit(m.memberId, m.memberEpoch, [['t', pick(4), pick(100)]])); else c.send(commit('', -1, [['t', pick(4), pick(100)]])); break;
      case 6: c.tick(pick(400)); break;
      case 7: c.send({ type: 'topicsChanged', topics: pick(2) === 0 ? { t: 4, u: 2 } : { t: 6, u: 1, v: 3 } }); break;
      case 8: {
        const mode = pick(6);
        const held = c.held[pick(Math.max(1, c.held.length))];
        if (mode === 0) c.hold = !c.hold;
        if (mode === 1) c.release();
        if (mode === 2) c.failWith = pick(2) === 0 ? { code: 'NOT_ENOUGH_REPLICAS' } : undefined;
        if (mode === 3) { const probe = c.out.filter((o) => o.type === 'memberProbe').at(-1); if (probe) c.send({ type: 'memberProbeReply', from: probe.to, corr: probe.corr as number, code: 'UNKNOWN_ADDRESS' }); }
        if (mode === 4 && held !== undefined) c.answer(held); // out of order
        if (mode === 5 && held !== undefined) c.held = c.held.filter((h) => h !== held); // lost
        break;
      }
      default: c.send(request(pick(2) === 0 ? 'describeGroup' : 'listGroups', { groupId: 'g' }));
    }
  }
  return c;
}

test('random event sequences keep snapshots intact and assigned sets disjoint; once the replica answers, the pipeline empties', (t) => {
  for (let seed = 1; seed <= 20; seed++) {
    const c = run(seed, 200);
    t.not(c.state, 'fenced', `seed ${seed}`);
    c.hold = false;
    c.failWith = undefined;
    c.release();
    for (let i = 0; i < 40; i++) c.tick(500);
    t.is(c.state, 'serving', `seed ${seed}`);
    t.deepEqual([c.ctx.writes.pipeline.length, c.ctx.writes.queue.length], [0, 0], `seed ${seed}: every write acknowledged`);
  }
});
