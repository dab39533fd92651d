// Goal: a node's per-replica addresses (replica, produce, fetch, group coordinator) share one NATS
// subscription per family, and routing within a family is exact: each address reaches its own
// handler, and a fail-fast send to an address of the family that nothing here listens at is
// refused as the server refuses one with no subscriber. Method: the address catalogue's patterns
// checked directly; then a real nats-server whose monitoring endpoint counts the listening
// connection's subscriptions while it listens at 600 addresses.
import test from 'ava';
import { ANY_SEGMENT, fetchAddress, listenPatternOf, produceAddress, replicaAddress, coordinatorAddress } from '../../actors/kit/addresses.js';
import type { Envelope } from '../../transport/envelope.js';
import { NatsTransport } from '../../transport/nats.js';
import { startNatsServer, type NatsServer } from '../helpers/nats-server.js';
import { waitReal } from './networks.js';

let server: NatsServer | undefined;
test.before(async () => { server = await startNatsServer({ monitor: true }); });
test.after.always(async () => { await server?.stop(); });

test('the catalogue groups per-replica addresses by family and node, and nothing else', (t) => {
  t.is(listenPatternOf(produceAddress('orders.v2', 3, 2)), 'c/produce/*/*/2');
  t.is(listenPatternOf(fetchAddress('orders', 0, 11)), 'c/fetch/*/*/11');
  t.is(listenPatternOf(replicaAddress('orders', 0, 1)), 'n/repl/*/*/1');
  t.is(listenPatternOf(coordinatorAddress(7, 1)), 'c/group/*/1');
  for (const other of ['c/meta', 'n/ctl/leader', 'n/ctl/2', 'n/node/2', 'c/admin/leader', 'client/app/x1/producer', 'c/produce/orders/0']) {
    t.is(listenPatternOf(other), undefined, other);
  }
});

async function subscriptionsOf(connectionName: string): Promise<number> {
  const response = await fetch(`${(server as NatsServer).monitorUrl}/connz?subs=1`);
  const body = await response.json() as { connections: Array<{ name?: string; subscriptions: number }> };
  const connection = body.connections.find((c) => c.name === connectionName);
  if (connection === undefined) throw new Error(`no connection named ${connectionName}`);
  return connection.subscriptions;
}

test('600 replica addresses are 3 subscriptions; each envelope reaches its own address; a miss is refused', async (t) => {
  const url = (server as NatsServer).url;
  const node = await NatsTransport.connect({ servers: url, cluster: 'patterns', name: 'pattern-node', listenPatterns: { of: listenPatternOf, anySegment: ANY_SEGMENT } });
  const client = await NatsTransport.connect({ servers: url, cluster: 'patterns', name: 'pattern-client' });
  t.teardown(async () => { await node.close(); await client.close(); });
  const got = new Map<string, Envelope[]>();
  const handler = (address: string) => (envelope: Envelope): void => { got.set(address, [...(got.get(address) ?? []), envelope]); };
  for (let partition = 0; partition < 200; partition++) {
    for (const address of [replicaAddress('orders.v2', partition, 1), produceAddress('orders.v2', partition, 1), fetchAddress('orders.v2', partition, 1)]) {
      node.listen(address, handler(address));
    }
  }
  const replies: Envelope[] = [];
  client.listen('client/app/x1/producer', (envelope) => { replies.push(envelope); });
  await node.flush();
  await client.flush();
  t.is(await subscriptionsOf('pattern-node'), 3);

  const send = (to: string, type: string, corr: number): void =>
    client.send({ to, from: 'client/app/x1/producer', type, corr, replyTo: 'client/app/x1/producer', body: { corr } }, { failFast: true });
  send(produceAddress('orders.v2', 7, 1), 'produce', 1);
  send(fetchAddress('orders.v2', 199, 1), 'fetch', 2);
  send(produceAddress('orders.v2', 200, 1), 'produce', 3); // node 1 hosts no partition 200
  send(produceAddress('orders.v2', 7, 2), 'produce', 4); // nobody subscribes for node 2: the server refuses
  await waitReal(() => replies.length === 2, 'two refusals');
  t.deepEqual(replies.map((r) => [r.corr, r.from, (r.body as { code: string }).code]).sort(),
    [[3, produceAddress('orders.v2', 200, 1), 'UNKNOWN_ADDRESS'], [4, produceAddress('orders.v2', 7, 2), 'UNKNOWN_ADDRESS']]);
  t.deepEqual(got.get(produceAddress('orders.v2', 7, 1))?.map((e) => e.corr), [1]);
  t.deepEqual(got.get(fetchAddress('orders.v2', 199, 1))?.map((e) => e.corr), [2]);
  t.is([...got.values()].flat().length, 2, 'no other address heard anything');

  node.unlisten(produceAddress('orders.v2', 7, 1));
  await node.flush();
  send(produceAddress('orders.v2', 7, 1), 'produce', 5);
  await waitReal(() => replies.length === 3, 'a refusal after unlisten');
  t.like(replies[2], { corr: 5, type: 'produceReply', body: { code: 'UNKNOWN_ADDRESS' } });
  t.is(got.get(produceAddress('orders.v2', 7, 1))?.length, 1);
});
