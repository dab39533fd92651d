/**
 * Goal: the consumer actor behaves as a KIP-848 group member: it joins, starts assigned partitions
 * at their committed offsets, hands revocations to the application and reports them released only
 * after the acknowledgement, drops everything on a lapsed session or a fence and rejoins with epoch
 * 0, auto-commits only delivered positions, and leaves on close with epoch -1 (-2 when static).
 * Method: the real machine with captured effects; the test plays a scripted coordinator, the
 * metadata nodes and the partition leader. One test drives the machine with xstate's pure
 * transition() to show an event never changes the snapshot it started from.
 */
import test from 'ava';
import { initialTransition, transition } from 'xstate';
import { consumerMachine, invariants, parseConsumerMessage, type ConsumerContext, type ConsumerInput, type PollResult } from '../../../actors/consumer.js';
import { encodeRecords } from '../../../actors/client/record-codec.js';
import type { SendParams } from '../../../actors/effects.js';
import { ClientHarness, bytes, metadataBody } from '../client/fake-cluster.js';
import { METADATA } from '../../../actors/kit/addresses.js';

const COORDINATOR = 'c/group/7/2';

function member(input: Partial<ConsumerInput> = {}): ClientHarness<ConsumerContext> {
  return new ClientHarness<ConsumerContext>(consumerMachine, { clientId: 'c1', seed: 5, groupId: 'g', maxWaitMs: 100, ...input },
    parseConsumerMessage, invariants);
}

function reported(h: ClientHarness<ConsumerContext>): Array<Record<string, unknown>> { return h.reports as unknown as Array<Record<string, unknown>>; }

const heartbeatOk = (epoch: number, partitions?: number[], extra: Record<string, unknown> = {}) => ({
  code: 'OK', memberId: 'm1', memberEpoch: epoch, heartbeatIntervalMs: 1000, sessionTimeoutMs: 3000,
  ...(partitions === undefined ? {} : { assignment: partitions.length === 0 ? [] : [{ topic: 't', partitions }] }), ...extra });

function batch(baseOffset: number, count: number): Record<string, unknown> {
  const records = Array.from({ length: count }, (_, i) => ({ key: null, value: bytes(`v${baseOffset + i}`), timestamp: 100 }));
  return { baseOffset, lastOffset: baseOffset + count - 1, leaderEpoch: 1, recordCount: count, firstTimestamp: 100, maxTimestamp: 100,
    producerId: -1, producerEpoch: -1, baseSequence: -1, records: encodeRecords(records, 100) };
}

/**
 * Subscribes to t, finds the coordinator, joins and gets `partitions` at epoch 1 with t/0 committed
 * at 5; the heartbeat that reports them owned is answered. Deliveries so far are taken.
 */
function joined(h: ClientHarness<ConsumerContext>, partitions: number[]): void {
  h.send({ type: 'subscribe', requestId: 1, topics: ['t'] });
  const find = h.takeOne('findCoordinator');
  h.reply(find, { code: 'OK', partition: 7, nodeId: 2, leaderEpoch: 1, address: COORDINATOR });
  h.reply(h.takeOne('groupHeartbeat'), heartbeatOk(1, partitions));
  h.reply(h.takeOne('offsetFetch'), { code: 'OK', offsets: [{ topic: 't', partition: 0, offset: 5 }] });
  h.reply(h.takeOne('groupHeartbeat'), heartbeatOk(1));
  h.reply(h.takeOne('metadata'), metadataBody('t', [1, 1, 1]));
  h.takeDelivered();
}

test('join: subscribe finds the coordinator, joins at epoch 0, starts assigned partitions at their committed offsets', (t) => {
  const h = member({ autoOffsetReset: 'earliest' });
  h.send({ type: 'subscribe', requestId: 1, topics: ['t'] });
  t.deepEqual(h.takeDelivered(), [{ requestId: 1, result: { ok: true } }], 'subscribe resolves at once');
  const find = h.takeOne('findCoordinator');
  t.is(find.to, METADATA);
  t.deepEqual(find.body, { groupId: 'g' });
  h.reply(find, { code: 'OK', partition: 7, nodeId: 2, leaderEpoch: 1, address: COORDINATOR });
  const join = h.takeOne('groupHeartbeat');
  t.is(join.to, COORDINATOR);
  t.deepEqual(join.body, { groupId: 'g', memberId: '', memberEpoch: 0, assignor: 'uniform', ownedPartitions: [], rebalanceTimeoutMs: 300_000,
    clientId: 'c1', subscribedTopics: ['t'] });
  h.reply(join, heartbeatOk(1, [0, 1]));
  const offsetFetch = h.takeOne('offsetFetch');
  t.deepEqual(offsetFetch.body, { groupId: 'g', partitions: [{ topic: 't', partitions: [0, 1] }] });
  t.deepEqual(h.take('groupHeartbeat'), [], 'nothing owned yet: no heartbeat before the interval');
  h.reply(offsetFetch, { code: 'OK', offsets: [{ topic: 't', partition: 0, offset: 5 }] });
  const owned = h.takeOne('groupHeartbeat');
  t.like(owned.body, { memberId: 'm1', memberEpoch: 1, ownedPartitions: [{ topic: 't', partitions: [0, 1] }] });
  t.false('subscribedTopics' in (owned.body as object), 'the subscription is sent only when joining or changed');
  h.reply(h.takeOne('metadata'), metadataBody('t', [1, 1]));
  t.like(h.takeOne('fetch').body, { fetchOffset: 5 }, 't/0 from its committed offset');
  t.like(h.takeOne('listOffsets').body, { timestamp: -2 }, 't/1 has no commit: autoOffsetReset earliest');
  t.deepEqual(reported(h).filter((r) => r['kind'] === 'groupOwned').map((r) => r['data']),
    [{ groupId: 'g', memberId: 'm1', clientId: 'c1', topic: 't', partition: 0, owned: true, offset: 5 }]);
  h.send({ type: 'poll', requestId: 2, maxRecords: 10 });
  t.like(h.takeDelivered()[0]?.result, { ok: true, records: [], notice: { kind: 'assigned', partitions: [{ topic: 't', partition: 0 }, { topic: 't', partition: 1 }] } });
});

test('heartbeats follow the interval the coordinator asks for', (t) => {
  const h = member();
  joined(h, [0]);
  h.tick(900);
  t.deepEqual(h.take('groupHeartbeat'), []);
  h.tick(100);
  t.like(h.takeOne('groupHeartbeat').body, { memberEpoch: 1, ownedPartitions: [{ topic: 't', partitions: [0] }] });
});

test('revocation: fetching stops at once, the notice waits for the acknowledgement, and only then the heartbeat drops the partition', (t) => {
  const h = member({ autoCommit: false });
  joined(h, [0, 1]);
  h.reply(h.takeOne('fetch'), { code: 'OK', hw: 10, logStartOffset: 0, batches: [batch(5, 3)] });
  h.tick(1000);
  h.reply(h.takeOne('groupHeartbeat'), heartbeatOk(2, [1]));
  t.false(h.ctx.partitions.has('t/0'), 't/0 no longer fetched');
  h.send({ type: 'poll', requestId: 2, maxRecords: 10 });
  const notices = h.takeDelivered().map((d) => (d.result as PollResult & { ok: true }).notice);
  t.like(notices[0], { kind: 'assigned' });
  h.send({ type: 'poll', requestId: 3, maxRecords: 10 });
  const revoked = (h.takeDelivered()[0]?.result as PollResult & { ok: true });
  t.deepEqual(revoked.records, [], 'buffered records of t/0 were dropped');
  t.like(revoked.notice, { kind: 'revoked', lost: false, partitions: [{ topic: 't', partition: 0 }] });
  h.tick(1000);
  const stillOwned = h.takeOne('groupHeartbeat');
  t.like(stillOwned.body, { ownedPartitions: [{ topic: 't', partitions: [0, 1] }] }, 'still owned until acknowledged');
  h.send({ type: 'ackRevoked', requestId: 4, noticeId: (revoked.notice as { id: number }).id });
  t.deepEqual(h.take('groupHeartbeat'), [], 'one heartbeat at a time');
  h.reply(stillOwned, heartbeatOk(2));
  t.like(h.takeOne('groupHeartbeat').body, { memberEpoch: 2, ownedPartitions: [{ topic: 't', partitions: [1] }] }, 'at once after the acknowledgement');
  const stopped = reported(h).filter((r) => r['kind'] === 'groupOwned' && (r['data'] as { owned: boolean }).owned === false);
  t.deepEqual(stopped.map((r) => r['data']), [{ groupId: 'g', memberId: 'm1', clientId: 'c1', topic: 't', partition: 0, owned: false }]);
});

test('revocation with autoCommit commits the delivered position first, then notifies', (t) => {
  const h = member();
  joined(h, [0]);
  h.reply(h.takeOne('fetch'), { code: 'OK', hw: 10, logStartOffset: 0, batches: [batch(5, 3)] });
  h.send({ type: 'poll', requestId: 2, maxRecords: 10 });
  h.send({ type: 'poll', requestId: 3, maxRecords: 2 });
  t.deepEqual((h.takeDelivered()[1]?.result as PollResult & { ok: true }).records.map((r) => r.offset), [5, 6]);
  h.tick(1000);
  h.reply(h.takeOne('groupHeartbeat'), heartbeatOk(2, []));
  const commit = h.takeOne('offsetCommit');
  t.deepEqual(commit.body, { groupId: 'g', memberId: 'm1', memberEpoch: 2, offsets: [{ topic: 't', partition: 0, offset: 7 }] },
    'offset 7: records 5 and 6 were delivered, 7 was only buffered');
  h.send({ type: 'poll', requestId: 4, maxRecords: 10, timeoutMs: 0 });
  t.deepEqual(h.takeDelivered()[0]?.result, { ok: true, records: [] }, 'no notice before the commit settles');
  h.reply(commit, { code: 'OK', results: [{ topic: 't', partition: 0, code: 'OK' }] });
  t.true(h.reports.some((r) => r.kind === 'groupCommitAcked' && r.data['offset'] === 7));
  h.send({ type: 'poll', requestId: 5, maxRecords: 10 });
  t.like(h.takeDelivered()[0]?.result, { notice: { kind: 'revoked', lost: false } });
});

test('a session without acknowledged heartbeats drops every partition without a commit and rejoins at epoch 0', (t) => {
  const h = member();
  joined(h, [0]);
  h.reply(h.takeOne('fetch'), { code: 'OK', hw: 10, logStartOffset: 0, batches: [batch(5, 3)] });
  h.send({ type: 'poll', requestId: 2, maxRecords: 10 });
  h.send({ type: 'poll', requestId: 3, maxRecords: 10 });
  h.takeDelivered();
  for (let i = 0; i < 30; i++) h.tick(100); // Heartbeats go out, nothing answers.
  t.false(h.ctx.partitions.has('t/0'), 'dropped after the 3000 ms session');
  t.is(h.ctx.group?.memberEpoch, 0);
  t.deepEqual(h.take('offsetCommit'), [], 'no commit from a member that may already be replaced');
  const rejoin = h.take('groupHeartbeat').map((m) => m.body as Record<string, unknown>).filter((b) => b['memberEpoch'] === 0);
  const lookups = h.take('findCoordinator');
  t.true(rejoin.length > 0 || lookups.length > 0, 'it looks for the coordinator again to rejoin');
  t.true(rejoin.every((b) => b['memberId'] === 'm1'), 'under its member id');
  h.send({ type: 'poll', requestId: 4, maxRecords: 10 });
  t.like(h.takeDelivered()[0]?.result, { notice: { kind: 'revoked', lost: true, partitions: [{ topic: 't', partition: 0 }] } });
});

test('FENCED_MEMBER_EPOCH: partitions are lost and the member rejoins with epoch 0, its member id and its subscription', (t) => {
  const h = member();
  joined(h, [0]);
  h.tick(1000);
  h.reply(h.takeOne('groupHeartbeat'), { code: 'FENCED_MEMBER_EPOCH' });
  t.is(h.ctx.partitions.size, 0);
  const rejoin = h.takeOne('groupHeartbeat');
  t.like(rejoin.body, { memberId: 'm1', memberEpoch: 0, ownedPartitions: [], subscribedTopics: ['t'] });
  h.reply(rejoin, heartbeatOk(3, [0]));
  t.like(h.takeOne('offsetFetch').body, { partitions: [{ topic: 't', partitions: [0] }] });
});

test('auto-commit commits only the positions of delivered records, with the member epoch, once per interval', (t) => {
  const h = member({ autoCommitIntervalMs: 5000 });
  joined(h, [0]);
  h.reply(h.takeOne('fetch'), { code: 'OK', hw: 10, logStartOffset: 0, batches: [batch(5, 5)] });
  h.send({ type: 'poll', requestId: 2, maxRecords: 10 }); // the assigned notice
  h.send({ type: 'poll', requestId: 3, maxRecords: 3 }); // 5, 6, 7
  const answer = (m: SendParams) => h.reply(m, heartbeatOk(1));
  for (let i = 0; i < 49; i++) { h.tick(100); h.take('groupHeartbeat').forEach(answer); }
  t.deepEqual(h.take('offsetCommit'), []);
  h.tick(100);
  const commit = h.takeOne('offsetCommit');
  t.deepEqual(commit.body, { groupId: 'g', memberId: 'm1', memberEpoch: 1, offsets: [{ topic: 't', partition: 0, offset: 8 }] });
  h.reply(commit, { code: 'OK', results: [{ topic: 't', partition: 0, code: 'OK' }] });
  for (let i = 0; i < 50; i++) { h.tick(100); h.take('groupHeartbeat').forEach(answer); }
  t.deepEqual(h.take('offsetCommit'), [], 'nothing new delivered: nothing to commit');
});

test('a failed auto-commit is logged, not retried, and the next interval commits again', (t) => {
  const h = member({ autoCommitIntervalMs: 1000 });
  joined(h, [0]);
  h.reply(h.takeOne('fetch'), { code: 'OK', hw: 10, logStartOffset: 0, batches: [batch(5, 2)] });
  h.send({ type: 'poll', requestId: 2, maxRecords: 10 });
  h.send({ type: 'poll', requestId: 3, maxRecords: 10 });
  h.tick(1000);
  h.reply(h.takeOne('offsetCommit'), { code: 'COORDINATOR_LOAD_IN_PROGRESS' });
  h.reply(h.takeOne('groupHeartbeat'), heartbeatOk(1));
  h.tick(500);
  t.deepEqual(h.take('offsetCommit'), []);
  h.tick(500);
  t.like(h.takeOne('offsetCommit').body, { offsets: [{ topic: 't', partition: 0, offset: 7 }] });
});

test('an auto-commit is skipped while the previous one is still unanswered', (t) => {
  const h = member({ autoCommitIntervalMs: 400 });
  joined(h, [0]);
  h.reply(h.takeOne('fetch'), { code: 'OK', hw: 10, logStartOffset: 0, batches: [batch(5, 2)] });
  h.send({ type: 'poll', requestId: 2, maxRecords: 10 });
  h.send({ type: 'poll', requestId: 3, maxRecords: 10 });
  h.tick(400);
  const first = h.takeOne('offsetCommit');
  h.tick(400);
  t.deepEqual(h.take('offsetCommit'), [], 'one auto-commit at a time');
  h.reply(first, { code: 'OK', results: [{ topic: 't', partition: 0, code: 'OK' }] });
  t.like(reported(h).at(-1), { kind: 'groupCommitAcked', data: { offset: 7 } });
});

test('commits go out one at a time in the order made; a retried commit goes ahead of later ones', (t) => {
  const h = member({ autoCommit: false });
  joined(h, [0]);
  h.send({ type: 'commit', requestId: 9, offsets: [{ topic: 't', partition: 0, offset: 6 }] });
  const first = h.takeOne('offsetCommit');
  h.send({ type: 'commit', requestId: 10, offsets: [{ topic: 't', partition: 0, offset: 7 }] });
  t.deepEqual(h.take('offsetCommit'), [], 'the second commit waits for the first: the two could arrive the other way round');
  h.reply(first, { code: 'NOT_COORDINATOR' });
  h.tick(10);
  h.reply(h.takeOne('findCoordinator'), { code: 'OK', partition: 7, nodeId: 3, leaderEpoch: 2, address: 'c/group/7/3' });
  h.tick(1000);
  const retry = h.takeOne('offsetCommit');
  t.like(retry.body, { offsets: [{ topic: 't', partition: 0, offset: 6 }] }, 'the retry goes before the later commit');
  h.reply(retry, { code: 'OK', results: [{ topic: 't', partition: 0, code: 'OK' }] });
  const second = h.takeOne('offsetCommit');
  t.like(second.body, { offsets: [{ topic: 't', partition: 0, offset: 7 }] });
  h.reply(second, { code: 'OK', results: [{ topic: 't', partition: 0, code: 'OK' }] });
  const results = h.takeDelivered().filter((d) => d.requestId === 9 || d.requestId === 10).map((d) => d.requestId);
  t.deepEqual(results, [9, 10]);
});

test('explicit commit: a partition not owned is refused; the coordinator\'s error rejects with its code', (t) => {
  const h = member();
  joined(h, [0]);
  h.send({ type: 'commit', requestId: 9, offsets: [{ topic: 't', partition: 3, offset: 1 }] });
  t.like(h.takeDelivered().find((d) => d.requestId === 9)?.result, { ok: false, code: 'INVALID_REQUEST' });
  h.send({ type: 'commit', requestId: 10, offsets: [{ topic: 't', partition: 0, offset: 6 }] });
  h.reply(h.takeOne('offsetCommit'), { code: 'STALE_MEMBER_EPOCH' });
  t.like(h.takeDelivered().find((d) => d.requestId === 10)?.result, { ok: false, code: 'STALE_MEMBER_EPOCH' });
  h.send({ type: 'committed', requestId: 11, partitions: [{ topic: 't', partition: 0 }, { topic: 't', partition: 1 }] });
  h.reply(h.takeOne('offsetFetch'), { code: 'OK', offsets: [{ topic: 't', partition: 0, offset: 5 }] });
  t.deepEqual(h.takeDelivered().find((d) => d.requestId === 11)?.result,
    { ok: true, offsets: [{ topic: 't', partition: 0, offset: 5 }, { topic: 't', partition: 1, offset: null }] });
});

test('NOT_COORDINATOR on a commit looks the coordinator up again and retries', (t) => {
  const h = member();
  joined(h, [0]);
  h.send({ type: 'commit', requestId: 9, offsets: [{ topic: 't', partition: 0, offset: 6 }] });
  h.reply(h.takeOne('offsetCommit'), { code: 'NOT_COORDINATOR' });
  h.tick(10);
  h.reply(h.takeOne('findCoordinator'), { code: 'OK', partition: 7, nodeId: 3, leaderEpoch: 2, address: 'c/group/7/3' });
  h.tick(1000);
  const retry = h.takeOne('offsetCommit');
  t.is(retry.to, 'c/group/7/3');
  h.reply(retry, { code: 'OK', results: [{ topic: 't', partition: 0, code: 'OK' }] });
  t.deepEqual(h.takeDelivered().find((d) => d.requestId === 9)?.result, { ok: true });
});

test('close commits delivered positions, then leaves with epoch -1', (t) => {
  const h = member();
  joined(h, [0]);
  h.reply(h.takeOne('fetch'), { code: 'OK', hw: 10, logStartOffset: 0, batches: [batch(5, 2)] });
  h.send({ type: 'poll', requestId: 2, maxRecords: 10 });
  h.send({ type: 'poll', requestId: 3, maxRecords: 10 });
  h.takeDelivered();
  h.send({ type: 'close', requestId: 4 });
  const commit = h.takeOne('offsetCommit');
  t.like(commit.body, { memberEpoch: 1, offsets: [{ topic: 't', partition: 0, offset: 7 }] });
  t.deepEqual(h.takeDelivered(), [], 'close waits for the commit and the leave');
  h.reply(commit, { code: 'OK', results: [{ topic: 't', partition: 0, code: 'OK' }] });
  const leave = h.takeOne('groupHeartbeat');
  t.like(leave.body, { memberId: 'm1', memberEpoch: -1, ownedPartitions: [] });
  h.reply(leave, { code: 'OK', memberId: 'm1', memberEpoch: 0, heartbeatIntervalMs: 1000, sessionTimeoutMs: 3000 });
  t.deepEqual(h.takeDelivered(), [{ requestId: 4, result: { ok: true } }]);
  t.true(h.ctx.closed);
});

test('a static member leaves with epoch -2; close finishes by its deadline when the coordinator is silent', (t) => {
  const h = member({ groupInstanceId: 'i-1', requestTimeoutMs: 2000 });
  joined(h, [0]);
  h.send({ type: 'close', requestId: 4 });
  t.like(h.takeOne('groupHeartbeat').body, { memberEpoch: -2, instanceId: 'i-1' });
  h.tick(2000);
  t.deepEqual(h.takeDelivered(), [{ requestId: 4, result: { ok: true } }]);
});

test('a refused join (UNRELEASED_INSTANCE_ID) is a typed error for the next poll', (t) => {
  const h = member({ groupInstanceId: 'i-1' });
  h.send({ type: 'subscribe', requestId: 1, topics: ['t'] });
  h.reply(h.takeOne('findCoordinator'), { code: 'OK', partition: 7, nodeId: 2, leaderEpoch: 1, address: COORDINATOR });
  h.reply(h.takeOne('groupHeartbeat'), { code: 'UNRELEASED_INSTANCE_ID' });
  h.send({ type: 'poll', requestId: 2, maxRecords: 10 });
  t.like(h.takeDelivered().find((d) => d.requestId === 2)?.result, { ok: false, code: 'UNRELEASED_INSTANCE_ID' });
});

test('subscribe without a groupId, and assign while subscribed, are refused with typed codes', (t) => {
  const plain = member({ groupId: undefined });
  plain.send({ type: 'subscribe', requestId: 1, topics: ['t'] });
  t.like(plain.takeDelivered()[0]?.result, { ok: false, code: 'INVALID_GROUP_ID' });
  const h = member();
  h.send({ type: 'subscribe', requestId: 1, regex: '^t.*' });
  h.send({ type: 'assign', requestId: 2, partitions: [{ topic: 't', partition: 0, offset: 0 }] });
  t.like(h.takeDelivered()[1]?.result, { ok: false, code: 'INVALID_REQUEST' });
  h.reply(h.takeOne('findCoordinator'), { code: 'OK', partition: 7, nodeId: 2, leaderEpoch: 1, address: COORDINATOR });
  t.like(h.takeOne('groupHeartbeat').body, { subscribedRegex: '^t.*' });
});

test('a malformed coordinator reply is refused at the edge', (t) => {
  const parsed = parseConsumerMessage({ type: 'groupHeartbeatReply', from: COORDINATOR, corr: 3, body: { code: 'OK', memberId: 'm', memberEpoch: -4 } });
  t.false(parsed.ok);
  const unknown = parseConsumerMessage({ type: 'offsetCommitReply', from: COORDINATOR, corr: 3, body: { code: 'NO_SUCH_CODE' } });
  t.like(unknown, { ok: false, code: 'INVALID_REQUEST' });
});

test('pure transitions: an event never changes the snapshot it started from', (t) => {
  const input: ConsumerInput = { clientId: 'c1', seed: 5, groupId: 'g' };
  const [s0] = initialTransition(consumerMachine, input);
  const [s1] = transition(consumerMachine, s0, { type: 'subscribe', requestId: 1, topics: ['t'] });
  const findCorr = (s1.context.group?.find?.corr) as number;
  const [s2] = transition(consumerMachine, s1, { type: 'findCoordinatorReply', from: METADATA, corr: findCorr,
    body: { code: 'OK', partition: 7, nodeId: 2, leaderEpoch: 1, address: COORDINATOR } });
  const hbCorr = s2.context.group?.heartbeat?.corr as number;
  const before = JSON.stringify(s2.context, (_k, v: unknown) => (v instanceof Map || v instanceof Set ? [...v] : v));
  const [s3, actions] = transition(consumerMachine, s2, { type: 'groupHeartbeatReply', from: COORDINATOR, corr: hbCorr,
    body: { code: 'OK', memberId: 'm1', memberEpoch: 1, heartbeatIntervalMs: 1000, sessionTimeoutMs: 3000, assignment: [{ topic: 't', partitions: [0] }] } });
  t.is(JSON.stringify(s2.context, (_k, v: unknown) => (v instanceof Map || v instanceof Set ? [...v] : v)), before);
  t.is(s3.context.group?.memberEpoch, 1);
  t.is(s2.context.group?.memberEpoch, 0);
  t.true(actions.some((a) => a.type === 'send' && (a.params as SendParams).type === 'offsetFetch'));
});

test('a coordinator\'s probe of a silent member is answered: its inbox is alive', (t) => {
  const h = member();
  joined(h, [0]);
  const parsed = parseConsumerMessage({ type: 'memberProbe', from: COORDINATOR, corr: 77, body: {} });
  t.true(parsed.ok);
  if (!parsed.ok) return;
  h.send(parsed.event as unknown as { type: string; [field: string]: unknown });
  const [answer] = h.take('memberProbeReply');
  t.like(answer, { to: COORDINATOR, corr: 77, body: { code: 'OK' } });
});

// A coordinator's node killed: its address loses its listener, and a fail-fast request learns so
// at once. The member looks the coordinator up again after a short backoff that stays under one
// heartbeat interval however often the lookup fails, instead of waiting out the request timeout.
test('requests to the coordinator are fail-fast; UNKNOWN_ADDRESS sends the member to look it up again within a heartbeat interval', (t) => {
  const h = member();
  joined(h, [0]);
  h.tick(1000);
  h.reply(h.takeOne('groupHeartbeat'), heartbeatOk(1, undefined, { heartbeatIntervalMs: 250 }));
  h.tick(250);
  const beat = h.takeOne('groupHeartbeat');
  t.true(beat.failFast, 'heartbeats are fail-fast');
  h.send({ type: 'commit', requestId: 9, offsets: [{ topic: 't', partition: 0, offset: 5 }] });
  t.true(h.takeOne('offsetCommit').failFast, 'commits are fail-fast');
  h.reply(beat, { code: 'UNKNOWN_ADDRESS', message: `nothing listens at ${COORDINATOR}` });
  const waits: number[] = [];
  for (let i = 0; i < 6; i++) {
    let waitedMs = 0;
    for (; !h.sent.some((m) => m.type === 'findCoordinator') && waitedMs < 5000; waitedMs += 10) h.tick(10);
    waits.push(waitedMs);
    h.reply(h.takeOne('findCoordinator'), { code: 'COORDINATOR_NOT_AVAILABLE', message: 'partition 7 has no leader' });
  }
  t.true(waits.every((w) => w <= 250), `lookups after ${waits.join(', ')} ms`);
  t.true(waits[0] as number <= 100, 'the first soon after the refusal');
});

// The coordinator's process killed with a commit in flight: the commit will never be answered.
// It goes to the next coordinator as soon as that is found, not after the request's timeout; a
// revocation waiting on it (and so the partition's next owner) would wait that long.
test('UNKNOWN_ADDRESS from the coordinator sends the commit still out to it to the next coordinator at once', (t) => {
  const h = member();
  joined(h, [0]);
  h.tick(1000);
  h.reply(h.takeOne('groupHeartbeat'), heartbeatOk(1, undefined, { heartbeatIntervalMs: 250 }));
  h.send({ type: 'commit', requestId: 9, offsets: [{ topic: 't', partition: 0, offset: 6 }] });
  const lost = h.takeOne('offsetCommit');
  h.tick(250);
  h.reply(h.takeOne('groupHeartbeat'), { code: 'UNKNOWN_ADDRESS', message: `nothing listens at ${COORDINATOR}` });
  let waitedMs = 0;
  for (; !h.sent.some((m) => m.type === 'findCoordinator') && waitedMs < 5000; waitedMs += 10) h.tick(10);
  h.reply(h.takeOne('findCoordinator'), { code: 'OK', partition: 7, nodeId: 3, leaderEpoch: 2, address: 'c/group/7/3' });
  const again = h.takeOne('offsetCommit');
  t.is(again.to, 'c/group/7/3', 'the commit goes to the new coordinator as soon as it is known');
  t.deepEqual(again.body, lost.body, 'the same offsets');
  t.true(waitedMs < 500, `looked up again after ${waitedMs} ms, inside the request timeout`);
  h.reply(lost, { code: 'OK', results: [{ topic: 't', partition: 0, code: 'OK' }] });
  t.deepEqual(h.takeDelivered().filter((d) => d.requestId === 9), [], 'a late answer from the dead coordinator settles nothing');
  h.reply(again, { code: 'OK', results: [{ topic: 't', partition: 0, code: 'OK' }] });
  t.deepEqual(h.takeDelivered().find((d) => d.requestId === 9)?.result, { ok: true });
  t.deepEqual(h.take('offsetCommit'), [], 'committed once at the new coordinator, nothing left to send');
});

// Seed 776 (group-two-owners): a member told [0,1,2] whose committed offsets were still on the way
// reported owning nothing; the coordinator took 2 for released and gave it to another member, the
// answer revoking it was lost, and the first member then started 2 on its old assignment. Partitions
// being started are reported owned until they start or leave the assignment.
test('partitions being started are reported owned; one revoked before it starts is dropped and never fetched', (t) => {
  const h = member();
  h.send({ type: 'subscribe', requestId: 1, topics: ['t'] });
  h.reply(h.takeOne('findCoordinator'), { code: 'OK', partition: 7, nodeId: 2, leaderEpoch: 1, address: COORDINATOR });
  h.reply(h.takeOne('groupHeartbeat'), heartbeatOk(1, [0, 1, 2], { heartbeatIntervalMs: 250 }));
  const offsets = h.takeOne('offsetFetch'); // answered only at the end, within its timeout
  h.tick(250);
  const beat = h.takeOne('groupHeartbeat');
  t.deepEqual((beat.body as { ownedPartitions: unknown }).ownedPartitions, [{ topic: 't', partitions: [0, 1, 2] }], 'starting: owned');
  h.reply(beat, heartbeatOk(2, [0, 1], { heartbeatIntervalMs: 250 }));
  const next = h.takeOne('groupHeartbeat');
  t.deepEqual((next.body as { ownedPartitions: unknown }).ownedPartitions, [{ topic: 't', partitions: [0, 1] }], 'released before it started, said at once');
  h.reply(offsets, { code: 'OK', offsets: [0, 1, 2].map((partition) => ({ topic: 't', partition, offset: 5 })) });
  t.deepEqual([...h.ctx.partitions.keys()].sort(), ['t/0', 't/1'], 'the revoked one is not fetched');
});
