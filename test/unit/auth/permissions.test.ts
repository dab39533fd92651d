/**
 * Goal: each role's NATS permissions cover exactly the subjects its traffic uses (DESIGN.md
 * section 12), as the address catalogue and the subject mapping lay them out.
 * Method: a small matcher with NATS's token rules (`*` one token, `>` the rest) checks the
 * subjects of real addresses against each role's allow lists, both what must pass and what must not.
 */
import test from 'ava';
import { permissionsFor, TemplateError, type Permissions, type RoleSpec } from '../../../runtime/auth/permissions.js';
import { subjectFor } from '../../../transport/subject.js';
import {
  authorizationErrorFor, clientActorAddress, coordinatorAddress, CONTROLLER_FOR_ADMIN, CONTROLLER_FOR_NODES, CONTROLLER_FOR_PRODUCERS, controllerVoter,
  fetchAddress, METADATA, nodeAddress, produceAddress, replicaAddress,
} from '../../../actors/kit/addresses.js';

/** NATS subject matching: `*` matches one token, `>` one or more trailing tokens. */
function matches(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return s.length > i;
    if (i >= s.length || (p[i] !== '*' && p[i] !== s[i])) return false;
  }
  return p.length === s.length;
}

const CLUSTER = 'prod';
const allowed = (list: string[], address: string): boolean => list.some((pattern) => matches(pattern, subjectFor(CLUSTER, address)));
const mayPublish = (p: Permissions, address: string): boolean => allowed(p.publish, address);
const maySubscribe = (p: Permissions, address: string): boolean => allowed(p.subscribe, address);

/** Every node-only address kind, and the other clients' inboxes. */
const NODE_TRAFFIC = [CONTROLLER_FOR_NODES, controllerVoter(1), nodeAddress(2), replicaAddress('orders', 0, 1)];

test('the matcher follows NATS token rules', (t) => {
  t.true(matches('a.*.c', 'a.b.c'));
  t.false(matches('a.*', 'a.b.c'));
  t.true(matches('a.>', 'a.b.c'));
  t.false(matches('a.>', 'a'));
  t.false(matches('a.b', 'a.bc'));
});

test('node: everything of its cluster, nothing of another', (t) => {
  const p = permissionsFor({ role: 'node', cluster: CLUSTER, topics: [] });
  for (const address of [...NODE_TRAFFIC, METADATA, produceAddress('x', 0, 1), clientActorAddress('anyone', 'i', '1')]) {
    t.true(mayPublish(p, address), address);
    t.true(maySubscribe(p, address), address);
  }
  t.false(p.publish.some((pattern) => matches(pattern, subjectFor('other', METADATA))));
  t.true(p.subscribe.some((pattern) => matches(pattern, `brook.${CLUSTER}._INBOX.abc.1`)), 'the inbox of fail-fast sends');
});

test('producer: metadata, producer ids and its topics; no fetch, no other topic, no node traffic, only its own inboxes', (t) => {
  const p = permissionsFor({ role: 'producer', cluster: CLUSTER, topics: ['orders', 'orders.v2'], clientId: 'writer' });
  for (const address of [METADATA, CONTROLLER_FOR_PRODUCERS, produceAddress('orders', 3, 1), produceAddress('orders.v2', 0, 2)]) t.true(mayPublish(p, address), address);
  for (const address of [fetchAddress('orders', 0, 1), produceAddress('ordersx', 0, 1), produceAddress('billing', 0, 1), CONTROLLER_FOR_ADMIN,
    coordinatorAddress(0, 1), clientActorAddress('writer', 'i', '1'), ...NODE_TRAFFIC]) t.false(mayPublish(p, address), address);
  t.true(maySubscribe(p, clientActorAddress('writer', 'k3', '7')));
  t.false(maySubscribe(p, clientActorAddress('reader', 'k3', '7')));
  t.false(maySubscribe(p, clientActorAddress('writer.x', 'k3', '7')), 'a client id with a dot is one token, not a sub-inbox');
  t.false(maySubscribe(p, produceAddress('orders', 0, 1)), 'no eavesdropping on other clients\' requests');
});

test('consumer: metadata, fetch of its topics and the coordinators; no produce', (t) => {
  const p = permissionsFor({ role: 'consumer', cluster: CLUSTER, topics: ['orders'], clientId: 'reader' });
  for (const address of [METADATA, fetchAddress('orders', 1, 2), coordinatorAddress(17, 3)]) t.true(mayPublish(p, address), address);
  for (const address of [produceAddress('orders', 0, 1), fetchAddress('billing', 0, 1), CONTROLLER_FOR_PRODUCERS, CONTROLLER_FOR_ADMIN, ...NODE_TRAFFIC]) {
    t.false(mayPublish(p, address), address);
  }
  t.true(maySubscribe(p, clientActorAddress('reader', 'a', 'admin')));
});

test('admin: metadata, administration, coordinators and offsets of every topic by default; no produce, no node traffic', (t) => {
  const p = permissionsFor({ role: 'admin', cluster: CLUSTER, topics: [], clientId: 'ops' });
  for (const address of [METADATA, CONTROLLER_FOR_ADMIN, coordinatorAddress(0, 1), fetchAddress('anything', 0, 1)]) t.true(mayPublish(p, address), address);
  for (const address of [produceAddress('orders', 0, 1), CONTROLLER_FOR_PRODUCERS, ...NODE_TRAFFIC]) t.false(mayPublish(p, address), address);
  const narrow = permissionsFor({ role: 'admin', cluster: CLUSTER, topics: ['orders'], clientId: 'ops' });
  t.false(mayPublish(narrow, fetchAddress('billing', 0, 1)));
});

test('"*" grants every topic; a topic name with NATS wildcard characters is no wildcard', (t) => {
  const all = permissionsFor({ role: 'producer', cluster: CLUSTER, topics: ['*'], clientId: 'w' });
  t.true(mayPublish(all, produceAddress('any.thing', 9, 9)));
  t.deepEqual(all.publish.filter((s) => s.includes('produce')), ['brook.prod.c.produce.*.>']);
  const dotted = permissionsFor({ role: 'producer', cluster: CLUSTER, topics: ['a.b'], clientId: 'w' });
  t.deepEqual(dotted.publish.filter((s) => s.includes('produce')), ['brook.prod.c.produce.a~2eb.>']);
  t.false(mayPublish(dotted, produceAddress('a', 0, 1)));
});

test('golden: a producer of orders in cluster prod', (t) => {
  t.deepEqual(permissionsFor({ role: 'producer', cluster: 'prod', topics: ['orders'], clientId: 'orders-app' }), {
    publish: ['brook.prod.c.meta', 'brook.prod.c.pid.leader', 'brook.prod.c.produce.orders.>'],
    subscribe: ['brook.prod.client.orders-app.>'],
  });
});

test('roles that cannot be granted as asked are refused with the reason', (t) => {
  const refuse = (spec: RoleSpec, pattern: RegExp): void => { t.throws(() => permissionsFor(spec), { instanceOf: TemplateError, message: pattern }); };
  refuse({ role: 'producer', cluster: CLUSTER, topics: [], clientId: 'w' }, /at least one topic/);
  refuse({ role: 'consumer', cluster: CLUSTER, topics: ['bad name'], clientId: 'w' }, /may contain only/);
  refuse({ role: 'node', cluster: CLUSTER, topics: ['orders'] }, /takes no topics/);
  refuse({ role: 'node', cluster: CLUSTER, topics: [], clientId: 'x' }, /no client id/);
  refuse({ role: 'admin', cluster: 'a.b', topics: [], clientId: 'x' }, /cluster/);
  refuse({ role: 'admin', cluster: CLUSTER, topics: [] }, /client id/);
  refuse({ role: 'admin', cluster: CLUSTER, topics: [], clientId: 'a/b' }, /client id/);
});

test('a refused send means the Kafka authorization error of what it addressed', (t) => {
  t.is(authorizationErrorFor(produceAddress('orders', 0, 1)), 'TOPIC_AUTHORIZATION_FAILED');
  t.is(authorizationErrorFor(fetchAddress('orders', 0, 1)), 'TOPIC_AUTHORIZATION_FAILED');
  t.is(authorizationErrorFor(coordinatorAddress(3, 1)), 'GROUP_AUTHORIZATION_FAILED');
  for (const address of [METADATA, CONTROLLER_FOR_ADMIN, CONTROLLER_FOR_PRODUCERS, ...NODE_TRAFFIC]) t.is(authorizationErrorFor(address), 'CLUSTER_AUTHORIZATION_FAILED');
});
