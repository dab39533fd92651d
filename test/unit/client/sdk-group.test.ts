/**
 * Goal: the SDK runs the rebalance callbacks from polls and acknowledges a revocation only after
 * `onRevoked` has finished, so the coordinator hears the partition released after the application
 * is done with it; typed errors for an empty group id and a bad pattern.
 * Method: connect() over the in-memory transport to a fake node and coordinator written in the
 * test (the coordinator revokes t/0 on request); no timed assertions.
 */
import test from 'ava';
import { MemoryNetwork } from '../../../transport/memory.js';
import type { Envelope } from '../../../transport/envelope.js';
import { connect, BrookError } from '../../../runtime/sdk/index.js';
import { metadataBody } from './fake-cluster.js';
import { fetchAddress, METADATA } from '../../../actors/kit/addresses.js';

const COORDINATOR = 'c/group/0/1';

function fakeGroupCluster(network: MemoryNetwork, log: string[]): { revoke: () => void } {
  const node = network.endpoint();
  let revoke = false;
  const answer = (e: Envelope, body: unknown): void =>
    node.send({ to: e.replyTo ?? e.from, from: e.to, type: `${e.type}Reply`, ...(e.corr !== undefined ? { corr: e.corr } : {}), body });
  node.listen(METADATA, (e) => answer(e, e.type === 'findCoordinator'
    ? { code: 'OK', partition: 0, nodeId: 1, leaderEpoch: 1, address: COORDINATOR } : metadataBody('t', [1, 1])));
  node.listen(COORDINATOR, (e) => {
    const body = e.body as { memberEpoch: number; ownedPartitions: Array<{ partitions: number[] }> };
    if (e.type === 'offsetFetch') return answer(e, { code: 'OK', offsets: [] });
    if (e.type === 'offsetCommit') return answer(e, { code: 'OK', results: [] });
    const owned = body.ownedPartitions.flatMap((tp) => tp.partitions);
    log.push(`heartbeat epoch=${body.memberEpoch} owned=${owned.join(',')}`);
    if (body.memberEpoch < 0) return answer(e, { code: 'OK', memberId: 'm1', memberEpoch: 0, heartbeatIntervalMs: 20, sessionTimeoutMs: 10_000 });
    const assignment = revoke ? [{ topic: 't', partitions: [1] }] : [{ topic: 't', partitions: [0, 1] }];
    answer(e, { code: 'OK', memberId: 'm1', memberEpoch: revoke ? 2 : 1, heartbeatIntervalMs: 20, sessionTimeoutMs: 10_000, assignment });
  });
  for (const p of [0, 1]) {
    node.listen(fetchAddress('t', p, 1), (e) => {
      if (e.type === 'listOffsets') return answer(e, { code: 'OK', offset: 0 });
      setTimeout(() => answer(e, { code: 'OK', hw: 0, logStartOffset: 0, batches: [] }), 20);
    });
  }
  return { revoke: () => { revoke = true; } };
}

test('onRevoked runs from a poll and finishes before the heartbeat releases the partition', async (t) => {
  const network = new MemoryNetwork();
  const log: string[] = [];
  const cluster = fakeGroupCluster(network, log);
  const client = await connect({ transport: network.endpoint(), clientId: 'sdk', seed: 1 });
  try {
    const consumer = client.consumer({ groupId: 'g', maxWaitMs: 10, autoOffsetReset: 'earliest',
      onAssigned: (ps) => { log.push(`assigned ${ps.map((p) => p.partition).join(',')}`); },
      onRevoked: async (ps, { lost }) => {
        log.push(`revoking ${ps.map((p) => p.partition).join(',')} lost=${lost}`);
        await new Promise((r) => setTimeout(r, 100));
        log.push('revoked');
      } });
    await consumer.subscribe(['t']);
    const deadline = Date.now() + 10_000;
    while (!log.includes('assigned 0,1') && Date.now() < deadline) await consumer.poll({ timeoutMs: 50 });
    t.true(log.includes('assigned 0,1'));
    cluster.revoke();
    while (!log.some((l) => l === 'heartbeat epoch=2 owned=1') && Date.now() < deadline) await consumer.poll({ timeoutMs: 50 });
    const released = log.indexOf('heartbeat epoch=2 owned=1');
    t.true(released > log.indexOf('revoked'), log.join('\n'));
    t.true(log.indexOf('revoked') > log.indexOf('revoking 0 lost=false'));
    t.true(log.slice(log.indexOf('revoking 0 lost=false'), released).every((l) => !l.startsWith('heartbeat') || l.includes('owned=0,1')),
      'heartbeats during the callback still report t/0 owned');
    await consumer.close();
    t.true(log.some((l) => l.startsWith('heartbeat epoch=-1')), 'close leaves the group');
  } finally {
    await client.close();
  }
});

test('an empty group id and a bad pattern are typed errors', async (t) => {
  const network = new MemoryNetwork();
  const client = await connect({ transport: network.endpoint(), clientId: 'sdk2', seed: 1 });
  try {
    t.throws(() => client.consumer({ groupId: '' }), { instanceOf: BrookError, message: /empty/ });
    const consumer = client.consumer({ groupId: 'g' });
    const bad = await t.throwsAsync(consumer.subscribe('orders-('));
    t.is((bad as BrookError).code, 'INVALID_REGULAR_EXPRESSION');
    const flagged = await t.throwsAsync(consumer.subscribe(/orders/i));
    t.is((flagged as BrookError).code, 'INVALID_REGULAR_EXPRESSION');
    const plain = client.consumer({});
    const noGroup = await t.throwsAsync(plain.subscribe(['t']));
    t.is((noGroup as BrookError).code, 'INVALID_GROUP_ID');
    await plain.close();
  } finally {
    await client.close();
  }
});
