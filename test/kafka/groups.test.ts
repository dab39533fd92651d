// Goal: Kafka clients' consumer groups (the classic protocol) work against Brook: two kcat -G
// members split a topic, one killed with SIGKILL loses its partitions to the other once its
// session runs out, and nothing is skipped; a group is classic or Brook-native, never both, and
// members that share no assignor are refused (INCONSISTENT_GROUP_PROTOCOL, Kafka's code 23).
// Method: three `brook node join --kafka` processes over a real nats-server; kcat processes as
// group members (unbuffered output, 6 s sessions); kafkajs and the SDK for the mixing checks.
import test from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { KafkaCluster } from '../helpers/kafka-cluster.js';
import { eventually } from '../helpers/brook-processes.js';
import { BrookError } from '../../runtime/sdk/errors.js';
import { Kafka, logLevel } from 'kafkajs';


let cluster: KafkaCluster;
const children: ChildProcess[] = [];

test.before(async () => { cluster = await KafkaCluster.start('groups', 3); });
test.after.always(async () => {
  for (const c of children) c.kill('SIGKILL');
  await cluster?.stop();
});

interface Member { child: ChildProcess; lines: string[] }

function kcatMember(group: string, topic: string): Member {
  const child = spawn('kcat', ['-b', cluster.bootstrap, '-G', group, topic, '-u', '-q', '-f', '%p %o %s\n', '-X', 'session.timeout.ms=6000',
    '-X', 'heartbeat.interval.ms=500', '-X', 'auto.offset.reset=earliest'], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const member: Member = { child, lines: [] };
  let rest = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (rest + chunk).split('\n');
    rest = parts.pop() ?? '';
    member.lines.push(...parts.filter((l) => l !== ''));
  });
  child.stderr?.resume();
  return member;
}

const partitionsOf = (m: Member): Set<number> => new Set(m.lines.map((l) => Number(l.split(' ')[0])));
const valuesOf = (...members: Member[]): Set<string> => new Set(members.flatMap((m) => m.lines.map((l) => l.split(' ')[2] as string)));

async function produce(topic: string, values: string[]): Promise<void> {
  const run = await cluster.kcat(['-P', '-t', topic, '-K:', '-X', 'partitioner=murmur2_random'], values.map((v) => `${v}:${v}`).join('\n') + '\n');
  if (run.code !== 0) throw new Error(run.stderr);
}

test.serial('two kcat -G members split a topic; the survivor takes over a killed member\'s partitions, nothing skipped', async (t) => {
  await cluster.admin.createTopic('split', { partitions: 4, replicationFactor: 3 });
  await cluster.waitLeaders('split', 4);
  const first = Array.from({ length: 40 }, (_, i) => `a${i}`);
  await produce('split', first);
  const a = kcatMember('kg', 'split');
  const b = kcatMember('kg', 'split');
  await eventually(async () => {
    const pa = partitionsOf(a);
    const pb = partitionsOf(b);
    const split = pa.size > 0 && pb.size > 0 && [...pa].every((p) => !pb.has(p)) && pa.size + pb.size === 4;
    return split && first.every((v) => valuesOf(a, b).has(v)) ? true : undefined;
  }, 60_000, 'both members consuming disjoint shares of all four partitions');
  t.pass('the two members own disjoint, non-empty shares');
  const victimPartitions = partitionsOf(b);
  b.child.kill('SIGKILL');
  const second = Array.from({ length: 40 }, (_, i) => `b${i}`);
  await produce('split', second);
  await eventually(async () => (second.every((v) => valuesOf(a, b).has(v)) && [...victimPartitions].every((p) => partitionsOf(a).has(p)) ? true : undefined),
    60_000, 'the survivor consuming the killed member\'s partitions');
  t.true([...victimPartitions].every((p) => partitionsOf(a).has(p)), `partitions ${[...victimPartitions].join(',')} moved to the survivor`);
  t.true([...first, ...second].every((v) => valuesOf(a, b).has(v)), 'every record was delivered to some member');
  a.child.kill('SIGTERM');
});

test.serial('kafkajs and kcat in one group share no assignor: INCONSISTENT_GROUP_PROTOCOL', async (t) => {
  await cluster.admin.createTopic('mixed', { partitions: 2, replicationFactor: 3 });
  await cluster.waitLeaders('mixed', 2);
  const member = kcatMember('mixed-g', 'mixed');
  await eventually(async () => {
    const described = await cluster.admin.describeGroup('mixed-g').catch(() => undefined);
    return described !== undefined && described.members.length === 1 && described.state === 'stable' ? true : undefined;
  }, 30_000, 'the kcat member in a stable group');
  const kafka = new Kafka({ brokers: cluster.bootstrap.split(','), clientId: 'mix', logLevel: logLevel.NOTHING, retry: { retries: 0 } });
  const consumer = kafka.consumer({ groupId: 'mixed-g', sessionTimeout: 10_000 });
  await consumer.connect();
  await consumer.subscribe({ topics: ['mixed'] });
  const error = await new Promise<unknown>((resolve) => {
    consumer.on(consumer.events.CRASH, (event) => resolve(event.payload.error));
    void consumer.run({ eachMessage: async () => {} }).catch(resolve);
  });
  t.regex(String((error as Error).message ?? error), /protocol/i, String(error));
  t.is((error as { type?: string }).type, 'INCONSISTENT_GROUP_PROTOCOL');
  await consumer.disconnect().catch(() => {});
  // A Brook-native member may not join a classic group with members either.
  const native = cluster.client.consumer({ groupId: 'mixed-g' });
  await native.subscribe(['mixed']);
  const refused = await native.poll({ timeoutMs: 5000 }).then(() => undefined, (e: unknown) => e);
  t.true(refused instanceof BrookError && refused.code === 'INCONSISTENT_GROUP_PROTOCOL', String(refused));
  await native.close().catch(() => {});
  member.child.kill('SIGTERM');
});
