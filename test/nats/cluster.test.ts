// Goal: `brook node join` forms a real cluster over a real nats-server, survives kill -9 of the
// controller leader, and refuses bad input without changing the metadata.
// Method: three node processes with LevelDB data directories, driven only through the `brook` CLI.
import test from 'ava';
import { cpSync } from 'node:fs';
import { startNatsServer, type NatsServer } from '../helpers/nats-server.js';
import { BrookProcesses, eventually, runBrook } from '../helpers/brook-processes.js';

interface Status { controller: { leaderId: number; term: number }; nodes: Array<{ nodeId: number; state: string; nodeEpoch: number }>; partitions: { total: number; online: number } }
interface Topic { name: string; partitions: Array<{ partition: number; leader: number; replicas: number[]; isr: number[] }> }

let nats: NatsServer;
let cluster: BrookProcesses;

test.before(async () => {
  nats = await startNatsServer();
  cluster = new BrookProcesses(nats.url, 'it', [1, 2, 3]);
  for (const id of [1, 2, 3]) cluster.startNode(id);
});

test.after.always(async () => {
  await cluster?.stopAll();
  await nats?.stop();
});

async function status(): Promise<Status | undefined> {
  const result = await cluster.cli(['cluster', 'status', '--json']);
  return result.code === 0 ? JSON.parse(result.stdout) as Status : undefined;
}

async function healthy(count: number, predicate: (s: Status) => boolean = () => true): Promise<Status> {
  return await eventually(async () => {
    const s = await status();
    return s && s.nodes.filter((n) => n.state === 'unfenced').length === count && predicate(s) ? s : undefined;
  }, 30_000, `${count} unfenced nodes`);
}

test.serial('the cluster forms, a 6×3 topic spreads its leaders, and the controller survives kill -9', async (t) => {
  const formed = await healthy(3);
  t.true(formed.controller.leaderId >= 1 && formed.controller.leaderId <= 3);

  const created = await cluster.cli(['topics', 'create', 'orders', '--partitions', '6', '--replication-factor', '3']);
  t.is(created.code, 0, created.stderr);
  const described = await cluster.cli(['topics', 'describe', 'orders', '--json']);
  t.is(described.code, 0, described.stderr);
  const topic = JSON.parse(described.stdout) as Topic;
  t.is(topic.partitions.length, 6);
  const leadersPerNode = new Map<number, number>();
  for (const p of topic.partitions) {
    t.is(p.replicas.length, 3);
    t.deepEqual([...p.replicas].sort(), [1, 2, 3]);
    leadersPerNode.set(p.leader, (leadersPerNode.get(p.leader) ?? 0) + 1);
  }
  t.deepEqual([...leadersPerNode.entries()].sort(), [[1, 2], [2, 2], [3, 2]], 'two leaders per node');

  const killed = formed.controller.leaderId;
  const epochBefore = formed.nodes.find((n) => n.nodeId === killed)?.nodeEpoch ?? -1;
  await cluster.kill9(killed);
  const after = await eventually(async () => {
    const s = await status();
    return s && s.controller.leaderId !== killed && s.controller.leaderId > 0 && s.controller.term > formed.controller.term ? s : undefined;
  }, 30_000, 'a new controller leader');
  t.not(after.controller.leaderId, killed);

  const more = await cluster.cli(['topics', 'create', 'payments', '--partitions', '2', '--replication-factor', '2']);
  t.is(more.code, 0, more.stderr);
  // Metadata is read from any node's image, which may trail the controller by a heartbeat.
  const listed = await eventually(async () => {
    const list = await cluster.cli(['topics', 'list', '--json']);
    const names = JSON.parse(list.stdout) as string[];
    return names.includes('payments') ? names : undefined;
  }, 10_000, 'the new topic in the metadata');
  t.deepEqual(listed, ['orders', 'payments']);

  cluster.startNode(killed);
  const rejoined = await healthy(3, (s) => (s.nodes.find((n) => n.nodeId === killed)?.nodeEpoch ?? -1) > epochBefore);
  t.true((rejoined.nodes.find((n) => n.nodeId === killed)?.nodeEpoch ?? -1) > epochBefore, 'higher node epoch after restart');
});

test.serial('bad input gets a clear error and changes nothing', async (t) => {
  await healthy(3);
  const before = await cluster.cli(['topics', 'describe', 'orders', '--json']);
  const cases: Array<[string[], RegExp]> = [
    [['topics', 'create', 'bad name!'], /INVALID_TOPIC/],
    [['topics', 'create', '..'], /INVALID_TOPIC/],
    [['topics', 'create', 'wide', '--replication-factor', '4'], /INVALID_REPLICATION_FACTOR/],
    [['topics', 'create', 'none', '--partitions', '0'], /INVALID_PARTITIONS/],
    [['topics', 'create', 'negative', '--partitions=-3'], /INVALID_PARTITIONS/],
    [['topics', 'describe', 'missing'], /UNKNOWN_TOPIC_OR_PARTITION/],
    [['topics', 'delete', 'missing'], /UNKNOWN_TOPIC_OR_PARTITION/],
    [['topics', 'create', 'orders'], /TOPIC_ALREADY_EXISTS/],
    [['topics', 'create', 'cfg', '--config', 'cleanup.policy=compact'], /INVALID_CONFIG/],
    [['topics', 'create', 'cfg', '--config', 'no.such.config=1'], /INVALID_CONFIG/],
  ];
  for (const [args, expected] of cases) {
    const result = await cluster.cli(args);
    t.not(result.code, 0, `${args.join(' ')} should fail`);
    t.regex(result.stderr, expected, args.join(' '));
    t.is(result.stderr.trim().split('\n').length, 1, `one clear line for ${args.join(' ')}`);
  }
  const list = await cluster.cli(['topics', 'list', '--json']);
  t.deepEqual(JSON.parse(list.stdout), ['orders', 'payments'], 'no topic was created by a refused request');
  const after = await cluster.cli(['topics', 'describe', 'orders', '--json']);
  t.deepEqual(JSON.parse(after.stdout).topicId, JSON.parse(before.stdout).topicId);
});

test.serial('a node id in use by a live node, and a data directory of another cluster, are refused', async (t) => {
  await healthy(3);
  // Same id as a live node, its own fresh data directory: registration is refused until the process gives up.
  const impostor = await runBrook(['node', 'join', '--id', '2', '--data', `${cluster.root}/impostor`, '--controllers', '1,2,3', '--nats', nats.url, '--cluster', 'it']);
  t.not(impostor.code, 0);
  t.regex(impostor.stderr, /NODE_ID_IN_USE/);

  // A copy of node 1's data directory (the live one is locked by its process) started as another cluster.
  cpSync(`${cluster.root}/node-1`, `${cluster.root}/foreign`, { recursive: true });
  const foreign = await runBrook(['node', 'join', '--id', '1', '--data', `${cluster.root}/foreign`, '--controllers', '1,2,3', '--nats', nats.url, '--cluster', 'other']);
  t.not(foreign.code, 0);
  t.regex(foreign.stderr, /INCONSISTENT_CLUSTER_ID/);
  const s = await healthy(3);
  t.is(s.nodes.length, 3, 'no node was added by the refused processes');
});
