// Goal: NATS permissions from `brook auth template` confine each role to its part of the wire
// (DESIGN.md section 12): a producer writes its topic and nothing else, a consumer reads and cannot
// write, an admin administers and cannot speak for a node, and nodes with the node role work as
// before. A refused request fails fast with Kafka's typed code instead of timing out, and nothing
// it aimed at changes.
// Method: a real nats-server whose users come from `brook auth template --format user` (the node
// user's password through an environment variable, as the template writes it), three
// `brook node join` processes with the node user, then SDK clients and a raw request client per role.
import test from 'ava';
import { startNatsServer, type NatsServer } from '../helpers/nats-server.js';
import { BrookProcesses, eventually, runBrook } from '../helpers/brook-processes.js';
import { connect, BrookError, type BrookClient } from '../../runtime/sdk/index.js';
import type { Admin } from '../../runtime/sdk/admin.js';
import { natsSecurityOptions, type SecurityOptions } from '../../runtime/sdk/security.js';
import { NatsTransport } from '../../transport/nats.js';
import { Rpc } from '../../runtime/rpc.js';
import { realClock } from '../../runtime/clock.js';
import {
  clientActorAddress, CONTROLLER_FOR_NODES, controllerVoter, fetchAddress, nodeAddress, produceAddress, replicaAddress,
} from '../../actors/kit/addresses.js';

const CLUSTER = 'sec';
const PASSWORDS = { node: 'node-secret', writer: 'writer-secret', reader: 'reader-secret', ops: 'ops-secret' };
const USERS = [
  ['--role', 'node', '--user', 'node'], // password from $BROOK_PASSWORD_NODE, set for nats-server below
  ['--role', 'producer', '--user', 'writer', '--password', PASSWORDS.writer, '--topic', 'orders'],
  ['--role', 'consumer', '--user', 'reader', '--password', PASSWORDS.reader, '--topic', 'orders'],
  ['--role', 'admin', '--user', 'ops', '--password', PASSWORDS.ops],
];

let nats: NatsServer;
let cluster: BrookProcesses;
const clients: BrookClient[] = [];
let admin: Admin;

function as(user: keyof typeof PASSWORDS, extra: { clientId?: string } = {}): Promise<BrookClient> {
  return connect({ nats: nats.url, cluster: CLUSTER, user, password: PASSWORDS[user], ...extra }).then((c) => { clients.push(c); return c; });
}

/** A request client over its own connection as `user`, listening at an inbox of the user's client id. */
async function rawRequests(user: keyof typeof PASSWORDS): Promise<{ request: (to: string, type: string, body: unknown) => Promise<string>; close: () => Promise<void> }> {
  const security: SecurityOptions = { user, password: PASSWORDS[user] };
  const transport = await NatsTransport.connect({ ...natsSecurityOptions(security), servers: nats.url, cluster: CLUSTER });
  const rpc = new Rpc(transport, realClock, clientActorAddress(user, 'raw', '1'), { timeoutMsDefault: 30_000 });
  return {
    async request(to, type, body) { return String(((await rpc.request(to, type, body)).body as { code?: unknown }).code); },
    async close() { rpc.close(); await transport.close(); },
  };
}

test.before(async () => {
  const entries = await Promise.all(USERS.map(async (args) => {
    const out = await runBrook(['auth', 'template', ...args, '--cluster', CLUSTER, '--format', 'user']);
    if (out.code !== 0) throw new Error(`brook auth template ${args.join(' ')}: ${out.stderr}`);
    return out.stdout;
  }));
  nats = await startNatsServer({ config: `authorization {\n  users = [\n${entries.join('\n')}\n  ]\n}\n`, env: { BROOK_PASSWORD_NODE: PASSWORDS.node } });
  cluster = new BrookProcesses(nats.url, CLUSTER, [1, 2, 3]);
  for (const id of [1, 2, 3]) cluster.startNode(id, ['--user', 'node', '--password', PASSWORDS.node]);
  admin = (await as('ops')).admin() as Admin;
  await eventually(async () => ((await admin.metadata()).nodes.filter((n) => n.state === 'unfenced').length === 3 ? true : undefined), 30_000, 'three nodes');
  for (const topic of ['orders', 'other']) {
    await admin.createTopic(topic, { partitions: 2, replicationFactor: 3 });
    await eventually(async () => ((await admin.describeTopic(topic)).partitions.every((p) => p.leader > 0 && p.isr.length === 3) ? true : undefined), 20_000, `${topic} ISR`);
  }
});

test.after.always(async () => {
  admin?.close();
  for (const client of clients) await client.close().catch(() => {});
  await cluster?.stopAll();
  await nats?.stop();
});

async function codeOf(work: Promise<unknown>): Promise<string> {
  try {
    await work;
    return 'OK';
  } catch (error) {
    return error instanceof BrookError ? error.code : `untyped: ${String(error)}`;
  }
}

/** What the cluster looks like: node epochs, the quorum, every partition's leadership and ISR, and log ends. */
async function clusterState(): Promise<unknown> {
  const metadata = await admin.metadata();
  const quorum = await admin.describeQuorum();
  const partitions = metadata.topics.filter((t) => !t.name.startsWith('__')).flatMap((t) => t.partitions.map((p) => [t.name, p.partition, p.leader, p.leaderEpoch, p.isr.join(',')]));
  const ends = await Promise.all(['orders', 'other'].map((topic) => admin.listOffsets(topic, 'latest')));
  return { nodes: metadata.nodes.map((n) => [n.nodeId, n.nodeEpoch, n.state]), term: quorum.term, leader: quorum.leaderId, partitions, ends };
}

function refusedByNodes(types: string[]): string[] {
  return [...cluster.nodes.values()].flatMap((n) => n.stderr.join('').split('\n'))
    .filter((line) => line.includes('"refused"') && types.some((type) => line.includes(`"${type}"`)));
}

test.serial('a producer writes its topic; other topics, fetches and node traffic are refused by NATS, and nothing changes', async (t) => {
  const writer = await as('writer');
  const producer = writer.producer({ acks: 'all', lingerMs: 0, deliveryTimeoutMs: 60_000 });
  const written = await producer.send('orders', [{ key: 'k', value: 'v1' }, { key: 'k', value: 'v2' }]);
  t.is(written.length, 2);
  const before = await clusterState();

  // The delivery timeout is a minute: a refusal that were not surfaced would end as REQUEST_TIMED_OUT, not this code.
  t.is(await codeOf(producer.send('other', [{ value: 'not allowed' }])), 'TOPIC_AUTHORIZATION_FAILED');
  const meta = await admin.describeTopic('orders');
  const p0 = meta.partitions[0];
  if (p0 === undefined) return t.fail('no partition 0');
  const follower = p0.replicas.find((id) => id !== p0.leader) as number;
  const raw = await rawRequests('writer');
  try {
    t.is(await raw.request(fetchAddress('orders', 0, p0.leader), 'fetch', { replicaId: -1, fetchOffset: 0, lastFetchedEpoch: -1, leaderEpoch: p0.leaderEpoch,
      maxWaitMs: 0, minBytes: 1, bytesMax: 1024 }), 'TOPIC_AUTHORIZATION_FAILED', 'a producer may not fetch');
    t.is(await raw.request(CONTROLLER_FOR_NODES, 'registerNode', { nodeId: 9, incarnationId: 'forged', clusterId: CLUSTER, address: nodeAddress(9) }), 'CLUSTER_AUTHORIZATION_FAILED');
    t.is(await raw.request(CONTROLLER_FOR_NODES, 'nodeHeartbeat', { nodeId: follower, nodeEpoch: 1, appliedOffset: 0, wantShutdown: true }), 'CLUSTER_AUTHORIZATION_FAILED');
    t.is(await raw.request(CONTROLLER_FOR_NODES, 'alterPartition', { topicId: meta.topicId, partition: 0, leaderId: p0.leader, leaderEpoch: p0.leaderEpoch,
      partitionEpoch: p0.partitionEpoch, isr: [p0.leader] }), 'CLUSTER_AUTHORIZATION_FAILED');
    t.is(await raw.request(replicaAddress('orders', 0, p0.leader), 'fetch', { replicaId: follower, nodeEpoch: 1, fetchOffset: 1_000_000, lastFetchedEpoch: p0.leaderEpoch,
      leaderEpoch: p0.leaderEpoch, maxWaitMs: 0, minBytes: 1, bytesMax: 1024 }), 'CLUSTER_AUTHORIZATION_FAILED');
    t.is(await raw.request(controllerVoter(1), 'requestVote', { term: 1_000, candidateId: 2, lastLogIndex: 1_000_000, lastLogTerm: 1_000 }), 'CLUSTER_AUTHORIZATION_FAILED');
  } finally {
    await raw.close();
  }
  t.deepEqual(await clusterState(), before, 'no node, partition, quorum or log changed');
  t.deepEqual(refusedByNodes(['registerNode', 'nodeHeartbeat', 'alterPartition', 'requestVote', 'fetch']), [], 'nothing reached a node: NATS refused it');
  await producer.close();
});

test.serial('a consumer reads its topic and the group protocol works; it cannot write or read other topics', async (t) => {
  const reader = await as('reader');
  const consumer = reader.consumer({ groupId: 'readers', autoOffsetReset: 'earliest' });
  await consumer.subscribe(['orders']);
  const values: string[] = [];
  await eventually(async () => {
    for (const r of await consumer.poll({ timeoutMs: 500 })) values.push(Buffer.from(r.value ?? []).toString());
    return values.length >= 2 ? true : undefined;
  }, 30_000, 'the records written by the producer');
  t.deepEqual(values.slice(0, 2), ['v1', 'v2']);
  await consumer.commit();
  t.true((await consumer.committed([{ topic: 'orders', partition: 0 }, { topic: 'orders', partition: 1 }])).some((c) => (c.offset ?? -1) >= 2), 'a group commit was written');
  await consumer.close();

  const producer = reader.producer({ acks: 'all', deliveryTimeoutMs: 60_000 });
  t.is(await codeOf(producer.send('orders', [{ value: 'not allowed' }])), 'CLUSTER_AUTHORIZATION_FAILED', 'no producer id for a consumer');
  const plain = reader.producer({ acks: 1, idempotent: false, deliveryTimeoutMs: 60_000 });
  t.is(await codeOf(plain.send('orders', [{ value: 'not allowed' }])), 'TOPIC_AUTHORIZATION_FAILED');
  await producer.close();
  await plain.close();
  const other = reader.consumer({});
  await other.assign([{ topic: 'other', partition: 0, offset: 'earliest' }]);
  // The refused fetch halts the partition; the next poll reports it (20 polls would take 10 s without it).
  t.is(await codeOf((async () => { for (let i = 0; i < 20; i++) await other.poll({ timeoutMs: 500 }); })()), 'TOPIC_AUTHORIZATION_FAILED');
  await other.close();
  t.deepEqual((await admin.listOffsets('orders', 'latest')).map((e) => e.offset).reduce((a, b) => a + b, 0), 2, 'nothing was written');
});

test.serial('an admin creates topics and reads group state, and cannot send node traffic or produce', async (t) => {
  await admin.createTopic('made-by-ops', { partitions: 1, replicationFactor: 1 });
  await eventually(async () => ((await admin.listTopics()).includes('made-by-ops') ? true : undefined), 10_000, 'the new topic in metadata');
  t.true((await admin.listGroups()).some((g) => g.groupId === 'readers'), 'group state through the coordinators');
  const before = await clusterState();
  const raw = await rawRequests('ops');
  try {
    t.is(await raw.request(CONTROLLER_FOR_NODES, 'registerNode', { nodeId: 9, incarnationId: 'forged', clusterId: CLUSTER, address: nodeAddress(9) }), 'CLUSTER_AUTHORIZATION_FAILED');
    t.is(await raw.request(controllerVoter(1), 'requestVote', { term: 1_000, candidateId: 2, lastLogIndex: 1_000_000, lastLogTerm: 1_000 }), 'CLUSTER_AUTHORIZATION_FAILED');
    t.is(await raw.request(produceAddress('orders', 0, 1), 'produce', {}), 'TOPIC_AUTHORIZATION_FAILED');
  } finally {
    await raw.close();
  }
  t.deepEqual(await clusterState(), before);
});

test.serial('a client may listen only at its own client id\'s inboxes; bad credentials end in a typed error', async (t) => {
  t.is(await codeOf(as('writer', { clientId: 'reader' })), 'CLUSTER_AUTHORIZATION_FAILED');
  t.is(await codeOf(connect({ nats: nats.url, cluster: CLUSTER, user: 'writer', password: 'wrong' })), 'SASL_AUTHENTICATION_FAILED');
  t.is(await codeOf(connect({ nats: nats.url, cluster: CLUSTER })), 'SASL_AUTHENTICATION_FAILED', 'no credentials at all');
  const cli = await cluster.cli(['produce', 'other', '--user', 'writer', '--password', PASSWORDS.writer], 'x\n');
  t.is(cli.code, 1);
  t.regex(cli.stderr, /TOPIC_AUTHORIZATION_FAILED/);
  const ok = await cluster.cli(['produce', 'orders', '--user', 'writer', '--password', PASSWORDS.writer], 'v3\n');
  t.is(ok.code, 0, ok.stderr);
  // A node with the wrong password ends at once with the reason, instead of waiting for NATS for ever.
  const impostor = cluster.startNode(7, ['--user', 'node', '--password', 'wrong']);
  const exitCode = await new Promise<number | null>((resolve) => impostor.child.once('exit', resolve));
  t.is(exitCode, 1);
  t.regex(impostor.stderr.join(''), /SASL_AUTHENTICATION_FAILED/);
});
