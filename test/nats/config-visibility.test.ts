// Goal: a config change is visible to the very next request once alterConfigs is acknowledged: a
// send right after max.message.bytes is lowered gets MESSAGE_TOO_LARGE from every partition leader,
// and one right after it is raised again is accepted.
// Method: a real nats-server and three `brook node join` processes; a topic with a partition led by
// each node; each round alters the limit and sends to every partition at once, with no pause.
import test from 'ava';
import { startNatsServer, type NatsServer } from '../helpers/nats-server.js';
import { BrookProcesses, eventually } from '../helpers/brook-processes.js';
import { BrookError, connect, type BrookClient } from '../../runtime/sdk/index.js';
import type { Admin } from '../../runtime/sdk/admin.js';

const ROUNDS = 5;
const PARTITIONS = 3;
let nats: NatsServer;
let cluster: BrookProcesses;
let client: BrookClient;

test.before(async () => {
  nats = await startNatsServer();
  cluster = new BrookProcesses(nats.url, 'cfg', [1, 2, 3]);
  for (const id of [1, 2, 3]) cluster.startNode(id);
  client = await connect({ nats: nats.url, cluster: 'cfg' });
});

test.after.always(async () => {
  await client?.close();
  await cluster?.stopAll();
  await nats?.stop();
});

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try { await promise; return 'OK'; } catch (error) { return error instanceof BrookError ? error.code : `untyped: ${String(error)}`; }
}

test('a send right after alterConfigs(max.message.bytes) is checked against the new limit', async (t) => {
  const admin = client.admin() as Admin;
  await eventually(async () => ((await admin.metadata()).nodes.filter((n) => n.state === 'unfenced').length === 3 ? true : undefined), 30_000, 'three nodes');
  await admin.createTopic('limits', { partitions: PARTITIONS, replicationFactor: 3 });
  await eventually(async () => ((await admin.describeTopic('limits')).partitions.every((p) => p.leader > 0 && p.isr.length === 3) ? true : undefined), 20_000, 'partition leaders');
  const leaders = new Set((await admin.describeTopic('limits')).partitions.map((p) => p.leader));
  t.log(`partition leaders on nodes ${[...leaders].join(', ')}`);
  const producer = client.producer({ acks: 'all', lingerMs: 0, deliveryTimeoutMs: 10_000 });
  const partitions = Array.from({ length: PARTITIONS }, (_, p) => p);
  // The producer knows every leader before the first change, so a send goes out at once.
  for (const partition of partitions) await producer.send('limits', [{ value: 'warm' }], { partition });
  const big = 'x'.repeat(5000);
  for (let round = 0; round < ROUNDS; round++) {
    await admin.alterConfigs('limits', { 'max.message.bytes': '2000' });
    const lowered = await Promise.all(partitions.map((partition) => codeOf(producer.send('limits', [{ value: big }], { partition }))));
    t.deepEqual(lowered, partitions.map(() => 'MESSAGE_TOO_LARGE'), `round ${round}: lowered`);
    await admin.alterConfigs('limits', { 'max.message.bytes': '10000' });
    const raised = await Promise.all(partitions.map((partition) => codeOf(producer.send('limits', [{ value: big }], { partition }))));
    t.deepEqual(raised, partitions.map(() => 'OK'), `round ${round}: raised`);
  }
});
