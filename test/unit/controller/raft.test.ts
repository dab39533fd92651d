// Goal: the Raft quorum elects one leader, commits metadata on a majority, survives leader loss,
// resists disruption by a rejoining node (pre-vote), snapshots and recovers from storage.
// Method: three real controller actors in the seeded in-test world of harness.ts; no real time.
import test from 'ava';
import { Cluster, registerAll } from './harness.js';
import { CONTROLLER_DEFAULTS } from '../../../actors/controller.js';
import { CONTROLLER_FOR_ADMIN, CONTROLLER_FOR_NODES, CONTROLLER_FOR_PRODUCERS, controllerVoter } from '../../../actors/kit/addresses.js';

/** Elects a leader, isolates one follower and creates `topics` topics without it; returns the follower's id. */
function commitWithoutOneFollower(c: Cluster, topics: number): number {
  const leader = c.elect();
  registerAll(c, [1, 2, 3]);
  const lagging = [1, 2, 3].find((id) => id !== leader.nodeId) as number;
  c.isolated.add(lagging);
  for (let i = 0; i < topics; i++) c.request(CONTROLLER_FOR_ADMIN, 'createTopic', { name: `t${i}`, partitions: 1, replicationFactor: 1, configs: {} });
  c.advance(200);
  return lagging;
}

test('a single leader is elected and every replica learns the term', (t) => {
  const c = new Cluster([1, 2, 3], 11);
  const leader = c.elect();
  c.advance(200);
  t.is(c.leaders().length, 1);
  t.true(leader.reports.some((r) => r.kind === 'raftLeader'));
  for (const r of c.replicas.values()) t.is(r.ctx.term, leader.ctx.term);
  for (const r of c.replicas.values()) t.is(r.ctx.commitIndex, leader.ctx.commitIndex);
  t.is(c.get(2).ctx.leaderId, leader.nodeId);
});

test('createTopic commits and all three images agree', (t) => {
  const c = new Cluster([1, 2, 3], 3);
  c.elect();
  registerAll(c, [1, 2, 3]);
  const corr = c.request(CONTROLLER_FOR_ADMIN, 'createTopic', { name: 'orders', partitions: 3, replicationFactor: 3, configs: {} });
  c.advance(100);
  const reply = c.reply(corr);
  t.is(reply?.['code'], 'OK');
  const topic = c.leader().ctx.image.topics['orders'];
  t.is(topic?.topicId, reply?.['topicId'] as string);
  t.is(topic?.partitions.length, 3);
  const images = [...c.replicas.values()].map((r) => JSON.stringify(r.ctx.image));
  t.is(new Set(images).size, 1);
  const dup = c.request(CONTROLLER_FOR_ADMIN, 'createTopic', { name: 'orders', partitions: 1, replicationFactor: 1, configs: {} });
  c.advance(50);
  t.is(c.reply(dup)?.['code'], 'TOPIC_ALREADY_EXISTS');
});

test('a non-leader answers NOT_CONTROLLER naming the leader; describeQuorum works anywhere', (t) => {
  const c = new Cluster([1, 2, 3], 5);
  const leader = c.elect();
  c.advance(100);
  const other = [1, 2, 3].find((id) => id !== leader.nodeId) as number;
  const corr = c.request(controllerVoter(other), 'createTopic', { name: 'x', partitions: 1, replicationFactor: 1, configs: {} });
  t.like(c.reply(corr), { code: 'NOT_CONTROLLER', leaderId: leader.nodeId });
  const q = c.request(controllerVoter(other), 'describeQuorum', {});
  t.like(c.reply(q), { code: 'OK', leaderId: leader.nodeId, term: leader.ctx.term, voters: [1, 2, 3] });
});

test('a killed leader is replaced in a higher term and committed records survive', (t) => {
  const c = new Cluster([1, 2, 3], 7);
  const first = c.elect();
  registerAll(c, [1, 2, 3]);
  const corr = c.request(CONTROLLER_FOR_ADMIN, 'createTopic', { name: 'a', partitions: 2, replicationFactor: 2, configs: {} });
  c.advance(100);
  t.is(c.reply(corr)?.['code'], 'OK');
  const term = first.ctx.term;
  c.kill(first.nodeId);
  const second = c.elect();
  t.not(second.nodeId, first.nodeId);
  t.true(second.ctx.term > term);
  t.truthy(second.ctx.image.topics['a'], 'the committed topic survived');
  // The old leader restarts from its storage and catches up as a follower.
  const back = c.start(first.nodeId);
  c.advance(500);
  t.is(back.role, 'follower');
  t.is(back.ctx.term, second.ctx.term);
  t.is(JSON.stringify(back.ctx.image), JSON.stringify(c.leader().ctx.image));
});

test('pre-vote: a partitioned node does not raise its term nor disrupt the leader when it rejoins', (t) => {
  const c = new Cluster([1, 2, 3], 9);
  const leader = c.elect();
  c.advance(100);
  const term = leader.ctx.term;
  const loner = [1, 2, 3].find((id) => id !== leader.nodeId) as number;
  c.isolated.add(loner);
  c.advance(3000);
  t.is(c.get(loner).ctx.term, term, 'pre-votes never bumped the isolated term');
  t.not(c.get(loner).role, 'leader');
  c.isolated.delete(loner);
  c.advance(500);
  t.is(c.leader().nodeId, leader.nodeId);
  for (const r of c.replicas.values()) t.is(r.ctx.term, term);
});

test('check-quorum: an isolated leader steps down and the majority elects another', (t) => {
  const c = new Cluster([1, 2, 3], 13);
  const leader = c.elect();
  c.advance(100);
  c.isolated.add(leader.nodeId);
  c.advance(1.5 * CONTROLLER_DEFAULTS.electionTimeoutMs);
  t.is(leader.role, 'leader', 'check-quorum waits two election timeouts: a loaded host delays replies, it does not lose them');
  c.advance(2000);
  t.not(leader.role, 'leader');
  t.false([CONTROLLER_FOR_NODES, CONTROLLER_FOR_ADMIN, CONTROLLER_FOR_PRODUCERS].some((address) => leader.listening.has(address)));
  const others = [...c.replicas.values()].filter((r) => r.nodeId !== leader.nodeId && r.role === 'leader');
  t.is(others.length, 1);
});

test('check-quorum: a leader whose own ticks stalled (a starved or paused process) counts no silence from the stall', (t) => {
  const c = new Cluster([1, 2, 3], 13);
  const leader = c.elect();
  c.advance(100);
  const term = leader.ctx.term;
  // The whole host ran nothing for three election timeouts (five processes on two busy cores); the leader wakes first.
  c.nowMs += 3 * CONTROLLER_DEFAULTS.electionTimeoutMs;
  leader.send({ type: 'tick', nowMs: c.nowMs });
  t.is(leader.role, 'leader', 'no step-down on the first tick after its own stall');
  c.settle(); // its heartbeats reach the followers before their own overdue ticks
  for (const r of c.replicas.values()) if (r !== leader) r.send({ type: 'tick', nowMs: c.nowMs });
  c.advance(2000);
  t.is(leader.role, 'leader');
  t.is(leader.ctx.term, term, 'no election followed');
});

test('a resigning leader (its node shutting down) hands leadership to its most caught-up follower within a few ticks', (t) => {
  const c = new Cluster([1, 2, 3], 13);
  const leader = c.elect();
  c.advance(100);
  const term = leader.ctx.term;
  leader.send({ type: 'resign' });
  t.is(leader.role, 'follower');
  t.false(leader.listening.has(CONTROLLER_FOR_NODES), 'no longer takes node traffic');
  c.settle(); // the endQuorumEpoch messages go out
  c.isolated.add(leader.nodeId); // then its process stops
  c.advance(60);
  const others = [...c.replicas.values()].filter((r) => r.nodeId !== leader.nodeId && r.role === 'leader');
  t.is(others.length, 1, `a new leader well within the minimum election timeout (${CONTROLLER_DEFAULTS.electionTimeoutMs} ms)`);
  t.is(others[0]?.ctx.term, term + 1, 'one election, no split vote');
});

test('elections survive message loss', (t) => {
  const c = new Cluster([1, 2, 3], 21);
  c.lossRate = 0.2;
  c.elect(20_000);
  c.lossRate = 0;
  const corr = c.request(CONTROLLER_FOR_ADMIN, 'describeQuorum', {});
  t.is(c.reply(corr)?.['code'], 'OK');
  t.true(c.leaders().length <= 1);
});

test('snapshot, log trim and installSnapshot bring a lagging follower up to date', (t) => {
  const c = new Cluster([1, 2, 3], 17, { snapshotEveryRecords: 20 });
  const lagging = commitWithoutOneFollower(c, 30);
  const l = c.leader();
  t.true(l.ctx.log.snapshotIndex > 0, 'the leader took a snapshot');
  const stored = c.stores.get(l.nodeId)?.sorted() ?? [];
  t.true(stored.every((o) => o > l.ctx.log.snapshotIndex), 'the log before the snapshot was deleted');
  c.isolated.delete(lagging);
  c.advance(500);
  const f = c.get(lagging);
  t.true(f.reports.some((r) => r.kind === 'raftSnapshot' && r.data['installed'] === true));
  t.is(Object.keys(f.ctx.image.topics).length, 30);
  t.is(JSON.stringify(f.ctx.image), JSON.stringify(c.leader().ctx.image));
});

test('a lagging follower on a network that duplicates messages catches up without the leader multiplying its requests', (t) => {
  // One entry per appendEntries: the follower needs one exchange per entry. A leader that sent the
  // next request on every reply, duplicates included, would add requests each round that never leave
  // the exchange (seed 910145 at 30 s: tens of thousands in flight, the simulation ground to a halt).
  const c = new Cluster([1, 2, 3], 29, { appendEntriesMax: 1 });
  const lagging = commitWithoutOneFollower(c, 15);
  const behind = c.leader().ctx.commitIndex - c.get(lagging).ctx.commitIndex;
  t.true(behind >= 15, `the follower is ${behind} entries behind`);
  c.isolated.delete(lagging);
  c.duplicateRate = 0.2;
  c.sent.clear();
  c.advance(1_000);
  t.is(c.get(lagging).ctx.commitIndex, c.leader().ctx.commitIndex, 'caught up');
  t.is(JSON.stringify(c.get(lagging).ctx.image), JSON.stringify(c.leader().ctx.image));
  // One request per entry, one per heartbeat (every 50 ms) and a few for replies that crossed a heartbeat.
  const requests = c.sent.get(`appendEntries ${controllerVoter(lagging)}`) ?? 0;
  t.true(requests <= behind + 1_000 / 50 + 5, `the leader sent ${requests} appendEntries to the follower for ${behind} entries`);
});

test('a lagging follower catches up when a round trip takes longer than the heartbeat interval', (t) => {
  // Every reply is then overtaken by the next heartbeat: the refusals that back the leader up to
  // where the follower's log matches must still count (the chaos suite's 20 ms proxies wedged a
  // cluster whose leader ignored them).
  // A new leader starts out assuming the follower has its whole log and must learn otherwise from
  // the follower's refusals.
  const c = new Cluster([1, 2, 3], 31);
  const lagging = commitWithoutOneFollower(c, 15);
  const first = c.leader().nodeId;
  c.kill(first);
  c.start(first);
  c.elect();
  const behind = c.leader().ctx.commitIndex - c.get(lagging).ctx.commitIndex;
  t.true(behind >= 15, `the follower is ${behind} entries behind`);
  c.isolated.delete(lagging);
  c.delayMs = 60; // heartbeats every 50 ms
  c.advance(2_000);
  t.is(c.get(lagging).ctx.commitIndex, c.leader().ctx.commitIndex, 'caught up');
  t.is(JSON.stringify(c.get(lagging).ctx.image), JSON.stringify(c.leader().ctx.image));
});

test('a full restart recovers term, snapshot and log from storage', (t) => {
  const c = new Cluster([1, 2, 3], 23, { snapshotEveryRecords: 10 });
  c.elect();
  registerAll(c, [1, 2, 3]);
  for (let i = 0; i < 15; i++) c.request(CONTROLLER_FOR_ADMIN, 'createTopic', { name: `r${i}`, partitions: 1, replicationFactor: 1, configs: {} });
  c.advance(200);
  const before = JSON.stringify(c.leader().ctx.image.topics);
  const term = c.leader().ctx.term;
  for (const id of [1, 2, 3]) c.kill(id);
  for (const id of [1, 2, 3]) c.start(id);
  c.settle();
  for (const id of [1, 2, 3]) { t.is(c.get(id).role, 'follower'); t.is(c.get(id).ctx.term, term); }
  const leader = c.elect();
  c.advance(100);
  t.true(leader.ctx.term > term);
  t.is(JSON.stringify(leader.ctx.image.topics), before);
});

test('a restart drops a stored tail whose terms go below its snapshot (a branch the snapshot replaced)', (t) => {
  const c = new Cluster([1, 2, 3], 29, { snapshotEveryRecords: 10 });
  c.elect();
  registerAll(c, [1, 2, 3]);
  for (let i = 0; i < 15; i++) c.request(CONTROLLER_FOR_ADMIN, 'createTopic', { name: `s${i}`, partitions: 1, replicationFactor: 1, configs: {} });
  c.advance(200);
  const follower = [1, 2, 3].find((id) => c.get(id).role !== 'leader') as number;
  c.kill(follower);
  // What a crash between storing an installed snapshot and deleting the old branch leaves behind.
  const store = c.stores.get(follower)!;
  const snapshot = store.meta.get('ctl/snapshot') as { index: number; term: number };
  t.true(snapshot.term > 0 && snapshot.index > 0);
  for (const o of store.sorted()) if (o > snapshot.index) store.log.delete(o);
  store.log.set(snapshot.index + 1, { term: snapshot.term - 1, record: { type: 'topicDeleted', name: 'stale', topicId: 'stale' } });
  store.log.set(snapshot.index + 2, { term: snapshot.term - 1, record: { type: 'topicDeleted', name: 'stale2', topicId: 'stale2' } });
  const restarted = c.start(follower);
  c.settle();
  t.is(restarted.role, 'follower');
  t.is(restarted.ctx.log.snapshotIndex, snapshot.index);
  t.is(restarted.ctx.log.entries.length, 0, 'the stale branch is not part of the recovered log');
  t.deepEqual(store.sorted().filter((o) => o > snapshot.index), [], 'and it is deleted from storage');
  c.advance(300);
  t.is(JSON.stringify(c.get(follower).ctx.image.topics), JSON.stringify(c.leader().ctx.image.topics));
});
