// Goal: the actor host turns bad input into typed errors or log lines and never lets one actor's
// failure reach another. Method: two gossip actors on one host over the in-memory transport; raw
// envelopes sent at them from a second endpoint.
import test from 'ava';
import { MemoryNetwork } from '../../transport/memory.js';
import type { Envelope } from '../../transport/envelope.js';
import { ActorHost } from '../../runtime/host.js';
import { realClock } from '../../runtime/clock.js';
import { createLogger, RingSink } from '../../runtime/log.js';
import { gossipKind } from '../fixtures/gossip.js';

function setup() {
  const network = new MemoryNetwork();
  const logs = new RingSink();
  const failed: string[] = [];
  const host = new ActorHost({ name: 'h', transport: network.endpoint(), store: undefined, clock: realClock,
    logger: createLogger(logs.sink, { level: 'debug' }), onActorError: (address) => failed.push(address) });
  host.spawn({ ...gossipKind, tickMs: 0 }, 'gossip/a', { self: 'gossip/a', peers: [], seed: 1 });
  host.spawn({ ...gossipKind, tickMs: 0 }, 'gossip/b', { self: 'gossip/b', peers: [], seed: 2 });
  const client = network.endpoint();
  const replies: Envelope[] = [];
  client.listen('client/t', (e) => replies.push(e));
  // Until `done` holds (bounded: a busy machine may be slow, never wrong), or a short wait when nothing is expected.
  const settle = async (done: () => boolean = () => false, boundMs = 5000): Promise<void> => {
    const start = Date.now();
    await new Promise((r) => setTimeout(r, 20));
    while (!done() && Date.now() - start < boundMs) await new Promise((r) => setTimeout(r, 10));
  };
  return { host, client, replies, logs, failed, settle };
}

test('wrong field types and unknown message types get typed error replies', async (t) => {
  const { client, replies, settle, host } = setup();
  client.send({ to: 'gossip/a', from: 'client/t', type: 'ping', corr: 1, body: { n: 'not a number' } });
  client.send({ to: 'gossip/a', from: 'client/t', type: 'launchMissiles', corr: 2, body: {} });
  client.send({ to: 'gossip/a', from: 'client/t', type: 'ping', corr: 3, body: { n: 5 } });
  await settle(() => replies.length >= 3);
  const byCorr = new Map(replies.map((r) => [r.corr, r]));
  t.is((byCorr.get(1)?.body as { code: string }).code, 'INVALID_REQUEST');
  t.is(byCorr.get(2)?.type, 'launchMissilesReply');
  t.is((byCorr.get(2)?.body as { code: string }).code, 'UNSUPPORTED_MESSAGE');
  t.is(byCorr.get(3)?.type, 'pingReply', 'a good request after bad ones is still served');
  host.close();
});

test('an unknown address is dropped and logged; a request without a reply address is only logged', async (t) => {
  const { client, replies, settle, logs, host } = setup();
  client.send({ to: 'gossip/nobody', from: 'client/t', type: 'ping', corr: 1, body: { n: 1 } });
  client.send({ to: 'gossip/a', from: 'client/t', type: 'nonsense', body: {} });
  await settle();
  t.is(replies.length, 0, 'nothing answers: no actor at the address, and no reply address on the second');
  t.true(logs.lines.some((l) => l['event'] === 'refused' && l['type'] === 'nonsense'));
  host.close();
});

test('an actor that throws is stopped alone; its neighbour keeps working', async (t) => {
  const { client, replies, settle, failed, host, logs } = setup();
  client.send({ to: 'gossip/a', from: 'client/t', type: 'explode', body: {} });
  await settle(() => failed.length > 0);
  t.deepEqual(failed, ['gossip/a']);
  t.false(host.has('gossip/a'));
  t.true(logs.lines.some((l) => l['event'] === 'actorFailed'));
  client.send({ to: 'gossip/b', from: 'client/t', type: 'ping', corr: 9, body: { n: 1 } });
  await settle(() => replies.some((r) => r.corr === 9));
  t.is(replies.find((r) => r.corr === 9)?.type, 'pingReply');
  host.close();
});

/** A clock whose timers only record what was armed; the test fires them. */
function recordingClock() {
  const timers = new Map<number, { fn: () => void; delayMs: number }>();
  let nextId = 1;
  const clock = {
    now: 0,
    nowMs: () => clock.now, wallMs: () => clock.now,
    setTimeout: (fn: () => void, delayMs: number) => { const id = nextId++; timers.set(id, { fn, delayMs }); return id; },
    clearTimeout: (id: unknown) => { timers.delete(id as number); },
  };
  return { clock, timers };
}

/** Fires the one armed timer at its time. */
function fireArmed(clock: ReturnType<typeof recordingClock>['clock'], timers: ReturnType<typeof recordingClock>['timers']): void {
  const [id, armed] = [...timers.entries()][0] as [number, { fn: () => void; delayMs: number }];
  timers.delete(id);
  clock.now += armed.delayMs;
  armed.fn();
}

test('ticks come at the kind\'s nextTickAt when it is sooner than tickMs, and a sooner deadline re-arms', (t) => {
  const { clock, timers } = recordingClock();
  let deadline = 30;
  const ticks: number[] = [];
  // The tick does the deadline's work: afterwards the next deadline is far away.
  const onTrace = (_address: string, type: string): void => { if (type === 'tick') { ticks.push(clock.now); deadline = 5000; } };
  const host = new ActorHost({ name: 'h', transport: new MemoryNetwork().endpoint(), store: undefined, clock,
    logger: createLogger(() => {}, { level: 'error' }), onTrace });
  host.spawn({ ...gossipKind, tickMs: 1000, nextTickAt: () => deadline }, 'gossip/a', { self: 'gossip/a', peers: [], seed: 1 });
  t.deepEqual([...timers.values()].map((x) => x.delayMs), [30], 'armed for the deadline, not tickMs');
  fireArmed(clock, timers);
  t.deepEqual(ticks, [30], 'the tick came at its deadline');
  t.deepEqual([...timers.values()].map((x) => x.delayMs), [1000], 'a deadline past tickMs is capped at tickMs after the last tick');
  deadline = 40;
  host.send('gossip/a', { type: 'stored', token: 0 }); // the new, sooner deadline re-arms
  t.deepEqual([...timers.values()].map((x) => x.delayMs), [10], 'the later timer was replaced by one for the sooner deadline');
  host.close();
});

test('a tick whose deadline went away before it fired is not delivered; the tick tickMs after the last one is', (t) => {
  const { clock, timers } = recordingClock();
  let deadline = 30;
  const ticks: number[] = [];
  const host = new ActorHost({ name: 'h', transport: new MemoryNetwork().endpoint(), store: undefined, clock,
    logger: createLogger(() => {}, { level: 'error' }), onTrace: (_address, type) => { if (type === 'tick') ticks.push(clock.now); } });
  host.spawn({ ...gossipKind, tickMs: 1000, nextTickAt: () => deadline }, 'gossip/a', { self: 'gossip/a', peers: [], seed: 1 });
  deadline = 600; // moved later by the actor's own state, with no event to re-arm the timer
  fireArmed(clock, timers);
  t.deepEqual(ticks, [], 'the tick armed for 30 found no work before 600');
  t.deepEqual([...timers.values()].map((x) => x.delayMs), [570], 'armed again for the new deadline');
  deadline = 5000;
  fireArmed(clock, timers);
  t.deepEqual(ticks, [], 'nor at 600');
  t.deepEqual([...timers.values()].map((x) => x.delayMs), [400], 'but no later than tickMs after the actor started');
  fireArmed(clock, timers);
  t.deepEqual(ticks, [1000], 'the floor tick is delivered though nextTickAt says later');
  t.deepEqual([...timers.values()].map((x) => x.delayMs), [1000], 'and the next floor is tickMs after it');
  host.close();
});

test('every message and runtime event the host dispatches carries its clock reading; a tick keeps its own', async (t) => {
  const { clock, timers } = recordingClock();
  const network = new MemoryNetwork();
  const seen: Array<{ type: string; nowMs?: unknown }> = [];
  const host = new ActorHost({ name: 'h', transport: network.endpoint(), store: undefined, clock,
    logger: createLogger(() => {}, { level: 'error' }), tap: () => (event) => { seen.push(event as { type: string; nowMs?: unknown }); } });
  host.spawn({ ...gossipKind, tickMs: 1000 }, 'gossip/a', { self: 'gossip/a', peers: [], seed: 1 });
  clock.now = 250;
  host.send('gossip/a', { type: 'stored', token: 0 });
  clock.now = 320;
  network.endpoint().send({ to: 'gossip/a', from: 'client/t', type: 'ping', corr: 1, body: { n: 1 } });
  for (let waited = 0; !seen.some((e) => e.type === 'ping') && waited < 5000; waited += 10) await new Promise((r) => setTimeout(r, 10));
  fireArmed(clock, timers);
  t.like(seen.find((e) => e.type === 'stored'), { nowMs: 250 }, 'a runtime event is stamped when it is handed over');
  t.like(seen.find((e) => e.type === 'ping'), { nowMs: 320 }, 'a message is stamped when it is delivered');
  t.like(seen.find((e) => e.type === 'tick'), { nowMs: 1320 }, 'a tick carries its firing time');
  host.close();
});
