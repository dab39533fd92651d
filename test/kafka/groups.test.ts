// Goal: Kafka clients' consumer groups (the classic protocol) work against Brook: a kcat -G member
// stopped and restarted resumes from its committed offsets; two kcat -G members split a topic, one
// killed with SIGKILL loses its partitions to the other once its session runs out, and nothing is
// skipped; a member stopped with SIGTERM (kcat) or disconnect() (kafkajs) leaves the group
// (LeaveGroup), so the other takes over long before its session would have run out; a group is classic or Brook-native, never both, and
// members that share no assignor are refused (INCONSISTENT_GROUP_PROTOCOL, Kafka's code 23).
// Method: three `brook node join --kafka` processes over a real nats-server; kcat processes as
// group members (unbuffered output, 6 s sessions, 60 s where a leave is checked); kafkajs (through
// a loopback proxy that records its requests) and the SDK for the leave and mixing checks.
import test from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { KafkaCluster } from '../helpers/kafka-cluster.js';
import { eventually } from '../helpers/brook-processes.js';
import { BrookError } from '../../runtime/sdk/errors.js';
import { connect } from 'node:net';
import { Kafka, logLevel } from 'kafkajs';
import { RequestLog } from '../helpers/kafka-wire.js';
import { NodeProxy } from '../helpers/tcp-proxy.js';


let cluster: KafkaCluster;
const children: ChildProcess[] = [];

test.before(async () => { cluster = await KafkaCluster.start('groups', 3); });
test.after.always(async () => {
  for (const c of children) c.kill('SIGKILL');
  await cluster?.stop();
});

interface Member { child: ChildProcess; lines: string[] }

function kcatMember(group: string, topic: string, sessionTimeoutMs = 6000): Member {
  const child = spawn('kcat', ['-b', cluster.bootstrap, '-G', group, topic, '-u', '-q', '-f', '%p %o %s\n', '-X', `session.timeout.ms=${sessionTimeoutMs}`,
    '-X', 'heartbeat.interval.ms=500', '-X', 'auto.offset.reset=earliest', '-X', 'auto.commit.interval.ms=500'], { stdio: ['ignore', 'pipe', 'pipe'] });
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

const exited = (child: ChildProcess): Promise<void> => new Promise((resolve) => {
  if (child.exitCode !== null || child.signalCode !== null) resolve(); else child.once('exit', () => resolve());
});

/** Committed offsets of the group on `topic` equal the log ends (every partition). */
async function committedAtEnds(group: string, topic: string): Promise<boolean> {
  const ends = await cluster.admin.listOffsets(topic, 'latest');
  const committed = await cluster.admin.fetchOffsets(group, topic);
  return ends.every((e) => committed.find((c) => c.partition === e.partition)?.offset === e.offset);
}

test.serial('one kcat -G member stopped with SIGTERM and restarted resumes from its committed offsets', async (t) => {
  await cluster.admin.createTopic('resume', { partitions: 2, replicationFactor: 3 });
  await cluster.waitLeaders('resume', 2);
  const first = Array.from({ length: 20 }, (_, i) => `r${i}`);
  await produce('resume', first);
  const a = kcatMember('resume-g', 'resume');
  await eventually(async () => (first.every((v) => valuesOf(a).has(v)) ? true : undefined), 60_000, 'the member reading the first records');
  a.child.kill('SIGTERM');
  await exited(a.child);
  await eventually(async () => ((await committedAtEnds('resume-g', 'resume')) ? true : undefined), 30_000, 'commits at the log ends');
  t.pass('the stopped member\'s commits reached the log ends');
  const second = Array.from({ length: 20 }, (_, i) => `s${i}`);
  await produce('resume', second);
  const b = kcatMember('resume-g', 'resume');
  await eventually(async () => (second.every((v) => valuesOf(b).has(v)) ? true : undefined), 60_000, 'the restarted member reading the new records');
  t.deepEqual(b.lines.filter((l) => / r\d+$/.test(l)), [], 'nothing before the committed offsets is read again');
  b.child.kill('SIGTERM');
  await exited(b.child);
  await eventually(async () => ((await committedAtEnds('resume-g', 'resume')) ? true : undefined), 30_000, 'commits at the new log ends');
});

test.serial('a kcat -G member stopped with SIGTERM leaves the group: the other takes over well before the 60 s session timeout', async (t) => {
  await cluster.admin.createTopic('leave', { partitions: 4, replicationFactor: 3 });
  await cluster.waitLeaders('leave', 4);
  const first = Array.from({ length: 40 }, (_, i) => `a${i}`);
  await produce('leave', first);
  const a = kcatMember('leave-g', 'leave', 60_000);
  const b = kcatMember('leave-g', 'leave', 60_000);
  await eventually(async () => {
    const pa = partitionsOf(a);
    const pb = partitionsOf(b);
    return pa.size > 0 && pb.size > 0 && pa.size + pb.size === 4 && first.every((v) => valuesOf(a, b).has(v)) ? true : undefined;
  }, 60_000, 'both members consuming');
  await eventually(async () => {
    const described = await cluster.admin.describeGroup('leave-g');
    return described.state === 'stable' && described.members.length === 2 ? true : undefined;
  }, 30_000, 'a stable group of two');
  const victimPartitions = partitionsOf(b);
  b.child.kill('SIGTERM');
  // Produce only once it is gone: a record kcat takes while closing is committed unprinted.
  await exited(b.child);
  const second = Array.from({ length: 40 }, (_, i) => `b${i}`);
  await produce('leave', second);
  // Half the session timeout: only a LeaveGroup, not the session running out, gets here in time.
  await eventually(async () => (second.every((v) => valuesOf(a, b).has(v)) && [...victimPartitions].every((p) => partitionsOf(a).has(p)) ? true : undefined),
    30_000, 'the survivor consuming the stopped member\'s partitions').catch((e: unknown) => {
    t.log(`a: ${a.lines.join(' | ')}`, `b: ${b.lines.join(' | ')}`, `b exit ${b.child.exitCode} ${b.child.signalCode}`);
    throw e;
  });
  const described = await cluster.admin.describeGroup('leave-g');
  t.is(described.members.length, 1, 'the stopped member left');
  t.true(second.every((v) => valuesOf(a).has(v)), 'the survivor read every new record');
  t.true([...victimPartitions].every((p) => partitionsOf(a).has(p)), `partitions ${[...victimPartitions].join(',')} moved to the survivor`);
  a.child.kill('SIGTERM');
});

test.serial('a kafkajs consumer disconnect() sends LeaveGroup v3: the other member takes over well before the 60 s session timeout', async (t) => {
  await cluster.admin.createTopic('kleave', { partitions: 4, replicationFactor: 3 });
  await cluster.waitLeaders('kleave', 4);
  const log = new RequestLog();
  const brokerPorts = [...cluster.ports.values()];
  const proxy = await NodeProxy.start('kafka', brokerPorts, { intercept: log.tap });
  // Each broker's connections go through its own proxy listener, so every request is recorded.
  const viaProxy = new Map(brokerPorts.map((p, i) => [p, proxy.ports[i] as number]));
  const kafka = new Kafka({ brokers: cluster.bootstrap.split(','), clientId: 'kleave', logLevel: logLevel.NOTHING,
    socketFactory: ({ port, onConnect }) => connect({ host: '127.0.0.1', port: viaProxy.get(port) ?? port }, onConnect) });
  const seen = new Map<string, Set<string>>([['a', new Set()], ['b', new Set()]]);
  const members = [...seen.keys()].map((name) => {
    const consumer = kafka.consumer({ groupId: 'kleave-g', sessionTimeout: 60_000, heartbeatInterval: 500 });
    return { name, consumer };
  });
  try {
    for (const { name, consumer } of members) {
      await consumer.connect();
      await consumer.subscribe({ topics: ['kleave'], fromBeginning: true });
      await consumer.run({ eachMessage: async ({ partition, message }) => { seen.get(name)?.add(`${partition}:${message.value?.toString() ?? ''}`); } });
    }
    const partitions = (name: string): Set<string> => new Set([...seen.get(name) ?? []].map((s) => s.split(':')[0] as string));
    const values = (): Set<string> => new Set([...seen.values()].flatMap((s) => [...s].map((x) => x.split(':')[1] as string)));
    await produce('kleave', Array.from({ length: 40 }, (_, i) => `a${i}`));
    await eventually(async () => (partitions('a').size > 0 && partitions('b').size > 0 && values().size === 40 ? true : undefined), 60_000, 'both members consuming');
    const leaving = members[1]?.consumer;
    const victimPartitions = partitions('b');
    await leaving?.disconnect();
    t.true(log.requests.includes('13:3'), `LeaveGroup (13) v3 sent: ${[...new Set(log.requests)].join(' ')}`);
    const second = Array.from({ length: 40 }, (_, i) => `b${i}`);
    await produce('kleave', second);
    await eventually(async () => (second.every((v) => values().has(v)) && [...victimPartitions].every((p) => partitions('a').has(p)) ? true : undefined),
      30_000, 'the remaining member consuming the partitions of the one that left');
    t.is((await cluster.admin.describeGroup('kleave-g')).members.length, 1);
  } finally {
    for (const { consumer } of members) await consumer.disconnect().catch(() => {});
    await proxy.close();
  }
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
