// Goal: node traffic and client traffic never share an address (DESIGN.md section 12), so NATS
// permissions on subject prefixes can keep clients off node traffic; and node-only requests a
// client sends anywhere are refused and change nothing.
// Method: a 3-node in-process cluster on real LevelDB over an in-memory network that records every
// envelope; create a topic, produce with acks=all (followers fetch), consume it back, then classify
// each envelope (a reply takes the side of the request it answers) and check where each travelled.
// Then a raw client sends registerNode, a replica fetch and a Raft vote to every address the
// cluster listens on.
import test from 'ava';
import { LocalCluster, until } from '../helpers/local-cluster.js';
import type { BrookClient } from '../../runtime/sdk/index.js';
import type { Admin } from '../../runtime/sdk/admin.js';
import { Rpc } from '../../runtime/rpc.js';
import { realClock } from '../../runtime/clock.js';
import { MemoryNetwork } from '../../transport/memory.js';
import type { Envelope } from '../../transport/envelope.js';
import type { SendOptions } from '../../transport/transport.js';
import { wireSide, type WireSide } from '../../actors/kit/admission.js';
import {
  clientAddress, CONTROLLER_FOR_ADMIN, CONTROLLER_FOR_NODES, CONTROLLER_FOR_PRODUCERS, controllerVoter, fetchAddress, METADATA,
  nodeAddress, produceAddress, replicaAddress,
} from '../../actors/kit/addresses.js';

/** Remembers every envelope sent on the network. */
class RecordingNetwork extends MemoryNetwork {
  readonly sent: Envelope[] = [];
  override publish(envelope: Envelope, options?: SendOptions, sender?: Parameters<MemoryNetwork['publish']>[2]): void {
    this.sent.push(envelope);
    super.publish(envelope, options, sender);
  }
}

const TOPIC = 'wire';
const NODES = [1, 2, 3];
const network = new RecordingNetwork();
let cluster: LocalCluster;
let client: BrookClient;
let admin: Admin;

test.before(async () => {
  cluster = new LocalCluster(3, {}, network);
  await cluster.start();
  ({ client, admin } = await cluster.client());
  await until(async () => (await admin.metadata()).nodes.filter((n) => n.state === 'unfenced').length === 3 || undefined, 20_000, 'nodes');
  await admin.createTopic(TOPIC, { partitions: 2, replicationFactor: 3 });
  const producer = client.producer({ acks: 'all', lingerMs: 0 });
  await producer.send(TOPIC, Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })));
  await producer.close();
  const consumer = client.consumer({ maxWaitMs: 50 });
  await consumer.assign([0, 1].map((partition) => ({ topic: TOPIC, partition, offset: 'earliest' as const })));
  let read = 0;
  await until(async () => { read += (await consumer.poll({ timeoutMs: 500 })).length; return read >= 20 || undefined; }, 20_000, 'records read back');
  await consumer.close();
  // Followers keep fetching: make sure they caught up with the last produce before looking.
  await until(async () => (await admin.describeTopic(TOPIC)).partitions.every((p) => p.isr.length === 3) || undefined, 20_000, 'full ISRs');
});
test.after.always(async () => { admin?.close(); await client?.close(); await cluster?.stop(); });

/** Each envelope's side; a reply takes its request's side (a fetchReply is a follower's or a consumer's). */
function sides(envelopes: Envelope[]): Array<{ envelope: Envelope; side: WireSide }> {
  const requests = new Map<string, WireSide>();
  return envelopes.map((envelope) => {
    let side = wireSide(envelope.type, envelope.body);
    if (envelope.type.endsWith('Reply') && envelope.corr !== undefined) side = requests.get(`${envelope.to} ${envelope.corr}`) ?? side;
    else if (envelope.corr !== undefined) requests.set(`${envelope.replyTo ?? envelope.from} ${envelope.corr}`, side);
    return { envelope, side };
  });
}

test('no address carries both node and client traffic; node traffic only on n/…, client traffic only on c/… or client/…', (t) => {
  const classified = sides(network.sent);
  const byAddress = new Map<string, Set<WireSide>>();
  const typesSeen = new Set<string>();
  for (const { envelope, side } of classified) {
    typesSeen.add(envelope.type === 'fetch' ? `fetch:${side}` : envelope.type);
    if (side === 'either') continue;
    let set = byAddress.get(envelope.to);
    if (set === undefined) byAddress.set(envelope.to, set = new Set());
    set.add(side);
    if (side === 'node') t.true(envelope.to.startsWith('n/'), `${envelope.type} (node traffic) travelled on ${envelope.to}`);
    else t.true(envelope.to.startsWith('c/') || envelope.to.startsWith('client/'), `${envelope.type} (client traffic) travelled on ${envelope.to}`);
  }
  const mixed = [...byAddress].filter(([, set]) => set.size > 1).map(([address]) => address);
  t.deepEqual(mixed, [], 'addresses that carried both node and client traffic');
  // The run exercised both sides on every path this test is about.
  for (const type of ['registerNode', 'nodeHeartbeat', 'requestVote', 'appendEntries', 'fetch:node', 'createTopic', 'initProducerId',
    'metadata', 'produce', 'fetch:client', 'listOffsets']) t.true(typesSeen.has(type), `saw ${type}`);
  const fetchTargets = new Set(classified.filter(({ envelope, side }) => envelope.type === 'fetch' && side === 'node').map(({ envelope }) => envelope.to.split('/')[1]));
  t.deepEqual([...fetchTargets], ['repl'], 'followers fetch only at replica addresses');
  t.true(classified.some(({ envelope }) => envelope.type === 'produce' && envelope.to.startsWith('c/produce/')));
  t.true(classified.filter(({ envelope, side }) => envelope.type === 'fetch' && side === 'client').every(({ envelope }) => envelope.to.startsWith('c/fetch/')));
});

test('a client\'s registerNode, replica fetch and Raft vote are refused on every address and change nothing', async (t) => {
  const before = await admin.metadata();
  const quorum = await admin.describeQuorum();
  const topic = await admin.describeTopic(TOPIC);
  const partition = topic.partitions[0];
  if (partition === undefined) return t.fail('no partition 0');
  const follower = partition.replicas.find((id) => id !== partition.leader) as number;
  const addresses = [CONTROLLER_FOR_NODES, CONTROLLER_FOR_ADMIN, CONTROLLER_FOR_PRODUCERS, METADATA,
    ...NODES.flatMap((id) => [controllerVoter(id), nodeAddress(id), replicaAddress(TOPIC, 0, id), produceAddress(TOPIC, 0, id), fetchAddress(TOPIC, 0, id)])];
  const intruder = new Rpc(cluster.network.endpoint(), realClock, clientAddress('intruder'), { timeoutMsDefault: 2000 });
  const forged = [
    ['registerNode', { nodeId: 9, incarnationId: 'forged', clusterId: 'local', address: nodeAddress(9) }],
    ['fetch', { replicaId: follower, nodeEpoch: 1, fetchOffset: 1_000_000, lastFetchedEpoch: partition.leaderEpoch, leaderEpoch: partition.leaderEpoch,
      maxWaitMs: 0, minBytes: 1, bytesMax: 1024 }],
    ['requestVote', { term: quorum.term + 100, candidateId: 2, lastLogIndex: 1_000_000, lastLogTerm: quorum.term + 100 }],
  ] as const;
  try {
    for (const address of addresses) {
      for (const [type, body] of forged) {
        const reply = await intruder.request(address, type, body);
        t.is((reply.body as { code?: string }).code, 'UNSUPPORTED_MESSAGE', `${type} at ${address}`);
      }
    }
    // A Raft vote claiming to be from a voter it is not (sender and candidate disagree): no reply is asked for, none changes anything.
    const raw = cluster.network.endpoint();
    raw.send({ to: controllerVoter(1), from: controllerVoter(3), type: 'requestVote', body: forged[2][1] });
    raw.send({ to: controllerVoter(quorum.leaderId), from: controllerVoter(3), type: 'appendEntries',
      body: { term: quorum.term + 100, leaderId: 2, seq: 1, prevLogIndex: 0, prevLogTerm: 0, entries: [], leaderCommit: 0 } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await raw.close();
  } finally {
    intruder.close();
  }
  const after = await admin.metadata();
  t.deepEqual(after.nodes.map((n) => [n.nodeId, n.nodeEpoch]), before.nodes.map((n) => [n.nodeId, n.nodeEpoch]), 'no node registered or re-registered');
  const quorumAfter = await admin.describeQuorum();
  t.is(quorumAfter.term, quorum.term, 'no vote raised the term');
  t.is(quorumAfter.leaderId, quorum.leaderId);
  const partitionAfter = (await admin.describeTopic(TOPIC)).partitions[0];
  t.deepEqual([partitionAfter?.leader, partitionAfter?.leaderEpoch, partitionAfter?.isr], [partition.leader, partition.leaderEpoch, partition.isr]);
  const [latest] = await admin.listOffsets(TOPIC, 'latest', [0]);
  t.true((latest?.offset ?? 0) < 1_000_000, 'a forged follower position did not move the HW');
  const refusedLines = cluster.logs.lines.filter((line) => line['event'] === 'refused' && line['code'] === 'UNSUPPORTED_MESSAGE');
  t.true(refusedLines.length >= addresses.length, 'each refusal left a log line');
});
