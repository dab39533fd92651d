// Goal: memory, simulated and NATS keep one contract (transport/transport.ts): async delivery,
// unlisten stops delivery, fan-out to every listener, 1 MiB bodies byte-identical, bad frames
// dropped, and Rpc request/reply/timeout on top. Method: the same test bodies run against a
// factory per transport; the NATS run uses one real nats-server for the whole file. "Nothing
// arrived" is proven with a later marker on the same link (every transport keeps per-sender order
// in these runs), never with a sleep. The simulated-only fault knobs are tested at the end.
// `nats-patterns` is NATS with the transports listening through pattern subscriptions (as nodes do).
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { connect } from '@nats-io/transport-node';
import { startNatsServer, type NatsServer } from '../helpers/nats-server.js';
import { Rpc, RpcError } from '../../runtime/rpc.js';
import type { Envelope } from '../../transport/envelope.js';
import { NatsTransport } from '../../transport/nats.js';
import { subjectFor } from '../../transport/subject.js';
import { memoryNet, natsNet, simNet, waitReal, type Kind, type Net } from './networks.js';

let server: NatsServer | undefined;

test.before(async () => { server = await startNatsServer(); });
test.after.always(async () => { await server?.stop(); });

async function open(kind: Kind, t: ExecutionContext): Promise<Net> {
  const net = kind === 'memory' ? memoryNet() : kind === 'simulated' ? simNet(7) : await natsNet((server as NatsServer).url, kind === 'nats-patterns');
  t.teardown(() => net.close());
  return net;
}

const env = (to: string, type: string, body: unknown = null): Envelope => ({ to, from: 'test/sender', type, body });

/** Records what arrives on an address, by envelope type. */
function inbox(): { got: Envelope[]; handler: (e: Envelope) => void; count: (type: string) => number } {
  const got: Envelope[] = [];
  return { got, handler: (e) => { got.push(e); }, count: (type) => got.filter((e) => e.type === type).length };
}

for (const kind of ['memory', 'simulated', 'nats', 'nats-patterns'] as const) {
  test(`${kind}: an envelope reaches its listener intact, never synchronously`, async (t) => {
    const net = await open(kind, t);
    const [a, b] = net.endpoints;
    const box = inbox();
    b.listen('node/2/ctl', box.handler);
    await net.settle();
    a.send({ to: 'node/2/ctl', from: 'node/1/ctl', type: 'ping', corr: 5, replyTo: 'node/1/ctl', body: { n: 1, s: 'x' } });
    t.is(box.got.length, 0, 'delivery must not happen inside send');
    await net.waitFor(() => box.got.length === 1, 'ping');
    t.deepEqual(box.got[0], { to: 'node/2/ctl', from: 'node/1/ctl', type: 'ping', corr: 5, replyTo: 'node/1/ctl', body: { n: 1, s: 'x' } });
  });

  test(`${kind}: a fail-fast send to an address nobody listens on comes back as UNKNOWN_ADDRESS`, async (t) => {
    const net = await open(kind, t);
    const [a, b] = net.endpoints;
    const replies = inbox();
    const served = inbox();
    a.listen('node/1/inbox', replies.handler);
    b.listen('node/2', served.handler);
    await net.settle();
    a.send({ to: 'node/3', from: 'node/1/ctl', type: 'probe', corr: 9, replyTo: 'node/1/inbox', body: null }, { failFast: true });
    await net.waitFor(() => replies.got.length === 1, 'the refusal');
    t.like(replies.got[0], { to: 'node/1/inbox', from: 'node/3', type: 'probeReply', corr: 9, body: { code: 'UNKNOWN_ADDRESS' } });
    // A listener present: the envelope is delivered and no refusal comes (a later marker proves it).
    a.send({ to: 'node/2', from: 'node/1/ctl', type: 'probe', corr: 10, replyTo: 'node/1/inbox', body: null }, { failFast: true });
    a.send({ to: 'node/2', from: 'node/1/ctl', type: 'marker', body: null });
    await net.waitFor(() => served.count('marker') === 1, 'marker');
    t.is(served.count('probe'), 1);
    t.is(replies.got.length, 1);
  });

  test(`${kind}: unlisten stops delivery; listening again resumes it`, async (t) => {
    const net = await open(kind, t);
    const [a, b] = net.endpoints;
    const box = inbox();
    const marker = inbox();
    b.listen('part/t/0/leader', box.handler);
    b.listen('part/t/1/leader', marker.handler);
    await net.settle();
    b.unlisten('part/t/0/leader');
    await net.settle();
    a.send(env('part/t/0/leader', 'lost'));
    a.send(env('part/t/1/leader', 'marker'));
    await net.waitFor(() => marker.got.length === 1, 'marker');
    t.is(box.got.length, 0);
    b.listen('part/t/0/leader', box.handler);
    await net.settle();
    a.send(env('part/t/0/leader', 'found'));
    await net.waitFor(() => box.got.length === 1, 'envelope after re-listen');
    t.is(box.got[0]?.type, 'found');
  });

  test(`${kind}: every listener of an address gets its own copy (fan-out)`, async (t) => {
    const net = await open(kind, t);
    const [a, b, c] = net.endpoints;
    const onB = inbox();
    const onC = inbox();
    b.listen('group/g1/members', onB.handler);
    c.listen('group/g1/members', onC.handler);
    await net.settle();
    a.send(env('group/g1/members', 'joined', { member: 'm1' }));
    a.send(env('group/g1/members', 'marker'));
    await net.waitFor(() => onB.count('marker') === 1 && onC.count('marker') === 1, 'marker on both');
    t.is(onB.count('joined'), 1);
    t.is(onC.count('joined'), 1);
    t.deepEqual(onB.got[0]?.body, { member: 'm1' });
    t.not(onB.got[0], onC.got[0], 'each listener decodes its own copy');
  });

  test(`${kind}: a 1 MiB Uint8Array body round-trips byte-identical`, async (t) => {
    const net = await open(kind, t);
    const [a, b] = net.endpoints;
    const box = inbox();
    b.listen('part/big/0/leader', box.handler);
    await net.settle();
    const body = new Uint8Array(1024 * 1024);
    for (let i = 0; i < body.length; i++) body[i] = (i * 31 + (i >>> 11)) & 0xff;
    a.send(env('part/big/0/leader', 'produce', { batch: body }));
    await net.waitFor(() => box.got.length === 1, 'big envelope');
    const received = (box.got[0]?.body as { batch: Uint8Array }).batch;
    t.true(received instanceof Uint8Array);
    t.is(received.byteLength, body.byteLength);
    t.true(Buffer.from(received.buffer, received.byteOffset, received.byteLength).equals(body));
  });

  test(`${kind}: small and large envelopes sent in one turn arrive in order, byte-identical`, async (t) => {
    const net = await open(kind, t);
    const [a, b] = net.endpoints;
    const box = inbox();
    b.listen('part/mixed/0/leader', box.handler);
    await net.settle();
    // One flush carries them all: runs of small pieces joined, large payloads written from their own buffers.
    const sizes = [3, 40 * 1024, 0, 7, 200 * 1024, 300 * 1024, 16 * 1024 - 40, 16 * 1024, 11];
    const bodies = sizes.map((size, n) => Uint8Array.from({ length: size }, (_, i) => (i * 7 + n * 13 + (i >>> 9)) & 0xff));
    for (const [n, body] of bodies.entries()) a.send(env('part/mixed/0/leader', `m${n}`, { batch: body }));
    await net.waitFor(() => box.got.length === bodies.length, 'every envelope');
    t.deepEqual(box.got.map((e) => e.type), sizes.map((_, n) => `m${n}`), 'in send order');
    for (const [n, body] of bodies.entries()) {
      const received = (box.got[n]?.body as { batch: Uint8Array }).batch;
      t.true(Buffer.from(received.buffer, received.byteOffset, received.byteLength).equals(body), `envelope ${n} intact`);
    }
  });

  test(`${kind}: Rpc pairs a reply by corr and ignores a duplicate reply`, async (t) => {
    const net = await open(kind, t);
    const [server, client] = net.endpoints;
    server.listen('admin/echo', (request) => {
      const reply = { to: request.replyTo as string, from: 'admin/echo', type: 'echoed', corr: request.corr, body: request.body };
      server.send(reply);
      server.send(reply); // a duplicate, as a lossy network may produce
    });
    const rpc = new Rpc(client, net.clock, 'client/c1', { timeoutMsDefault: 10_000 });
    t.teardown(() => rpc.close());
    await net.settle();
    const pending = rpc.request('admin/echo', 'echo', { q: 42 });
    let reply: Envelope | undefined;
    void pending.then((e) => { reply = e; });
    await net.waitFor(() => reply !== undefined && rpc.repliesIgnored === 1, 'reply and its duplicate');
    t.is(reply?.type, 'echoed');
    t.deepEqual(reply?.body, { q: 42 });
    t.is(rpc.inFlightCount, 0);
  });

  test(`${kind}: Rpc times out when nobody answers`, async (t) => {
    const net = await open(kind, t);
    const [, client] = net.endpoints;
    const rpc = new Rpc(client, net.clock, 'client/c2');
    t.teardown(() => rpc.close());
    await net.settle();
    let failure: unknown;
    void rpc.request('node/9/nobody', 'ping', null, { timeoutMs: 30 }).catch((error: unknown) => { failure = error; });
    await net.waitFor(() => failure !== undefined, 'timeout');
    t.true(failure instanceof RpcError);
    t.is((failure as RpcError).code, 'REQUEST_TIMED_OUT');
    t.is(rpc.inFlightCount, 0);
  });

  test(`${kind}: a body msgpack cannot carry throws CodecError at send`, async (t) => {
    const net = await open(kind, t);
    const [a] = net.endpoints;
    const error = t.throws(() => a.send(env('node/1/ctl', 'bad', { big: new Uint8Array(9 * 1024 * 1024) })));
    t.is((error as { code?: string }).code, 'ENVELOPE_TOO_LARGE');
  });
}

test('simulated: undecodable bytes are dropped and logged, later envelopes still arrive', async (t) => {
  const net = simNet(3);
  const [a, b] = net.endpoints;
  const box = inbox();
  b.listen('node/2/ctl', box.handler);
  net.network.injectBytes('a', 'node/2/ctl', new Uint8Array([0xc1, 0xff, 0x00]));
  a.send(env('node/2/ctl', 'good'));
  await net.waitFor(() => box.got.length === 1, 'good envelope');
  t.is(box.got[0]?.type, 'good');
  t.is(net.network.stats.dropped.undecodable, 1);
  t.true(net.logs.some((line) => line.event === 'undecodableEnvelope'));
});

test('nats: undecodable bytes are dropped and logged, later envelopes still arrive', async (t) => {
  const net = await open('nats', t);
  const [, b] = net.endpoints;
  const box = inbox();
  b.listen('node/2/ctl', box.handler);
  await net.settle();
  const raw = await connect({ servers: (server as NatsServer).url });
  t.teardown(() => raw.close());
  const subject = subjectFor((b as NatsTransport).cluster, 'node/2/ctl');
  raw.publish(subject, new Uint8Array([0xc1, 0xff, 0x00]));
  raw.publish(subject, new Uint8Array([0x93, 1, 2, 3])); // an array, not an envelope map
  await raw.flush();
  b.send(env('node/2/ctl', 'good'));
  await net.waitFor(() => box.got.length === 1, 'good envelope');
  t.is(box.got[0]?.type, 'good');
  t.is(net.logs.filter((line) => line.event === 'undecodableEnvelope').length, 2);
});

test('nats: an envelope above the server max_payload is dropped and logged, not thrown', async (t) => {
  const small = await startNatsServer({ maxPayload: '64KB' });
  t.teardown(() => small.stop());
  const lines: string[] = [];
  const transport = await NatsTransport.connect({ servers: small.url, cluster: 'small', log: (event) => { lines.push(event); } });
  t.teardown(() => transport.close());
  const box = inbox();
  transport.listen('node/1/ctl', box.handler);
  await transport.flush();
  t.notThrows(() => transport.send(env('node/1/ctl', 'big', new Uint8Array(100 * 1024))));
  transport.send(env('node/1/ctl', 'small', new Uint8Array(10)));
  await waitReal(() => box.got.length > 0, 'small envelope');
  t.deepEqual(box.got.map((e) => e.type), ['small']);
  t.true(lines.includes('envelopeTooLargeForServer'));
});

// --- Simulated network only: the fault knobs. Each sends `count` numbered envelopes a → b. ---

function sendNumbered(net: Net, count: number, address = 'node/2/ctl'): void {
  for (let i = 0; i < count; i++) net.endpoints[0].send(env(address, 'n', i));
}

function received(net: ReturnType<typeof simNet>, count: number): number[] {
  const order: number[] = [];
  net.endpoints[1].listen('node/2/ctl', (e) => { order.push(e.body as number); });
  sendNumbered(net, count);
  net.drain();
  return order;
}

test('simulated: with loss 1 nothing arrives', (t) => {
  const net = simNet(11, { lossProbability: 1 });
  t.deepEqual(received(net, 100), []);
  t.is(net.network.stats.dropped.loss, 100);
});

test('simulated: with loss 0.3 some but not all of many arrive', (t) => {
  const net = simNet(12, { lossProbability: 0.3 });
  const order = received(net, 1000);
  t.true(order.length > 500 && order.length < 1000, `${order.length} of 1000 arrived`);
  t.is(net.network.stats.dropped.loss + order.length, 1000);
});

test('simulated: duplication delivers some envelopes twice', (t) => {
  const net = simNet(13, { duplicateProbability: 0.2 });
  const order = received(net, 200);
  t.true(order.length > 200, `${order.length} deliveries for 200 sends`);
  t.deepEqual([...new Set(order)].sort((x, y) => x - y), Array.from({ length: 200 }, (_, i) => i));
  t.is(net.network.stats.duplicated, order.length - 200);
});

test('simulated: without fifo, delays reorder; with fifo, the same seed keeps send order', (t) => {
  const knobs = { delayMinMs: 1, delayMeanMs: 20, tailProbability: 0.1, tailExtraMs: 100 };
  const reordered = received(simNet(14, { ...knobs, fifo: false }), 100);
  const kept = received(simNet(14, { ...knobs, fifo: true }), 100);
  const sorted = Array.from({ length: 100 }, (_, i) => i);
  t.is(reordered.length, 100);
  t.notDeepEqual(reordered, sorted);
  t.deepEqual([...reordered].sort((x, y) => x - y), sorted);
  t.deepEqual(kept, sorted);
});

test('simulated: a partition blocks delivery both ways until heal', (t) => {
  const net = simNet(15);
  const [a, b] = net.endpoints;
  const onA = inbox();
  const onB = inbox();
  a.listen('node/1/ctl', onA.handler);
  b.listen('node/2/ctl', onB.handler);
  net.network.partition([['a'], ['b', 'c']]);
  a.send(env('node/2/ctl', 'cut'));
  b.send(env('node/1/ctl', 'cut'));
  net.drain();
  t.is(onA.got.length + onB.got.length, 0);
  t.is(net.network.stats.dropped.partition, 2);
  net.network.heal();
  a.send(env('node/2/ctl', 'healed'));
  b.send(env('node/1/ctl', 'healed'));
  net.drain();
  t.deepEqual([onA.got.map((e) => e.type), onB.got.map((e) => e.type)], [['healed'], ['healed']]);
});
