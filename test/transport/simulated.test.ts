// Goal: the simulated network's remaining faults (one-way block, isolate, clog, crash and restart)
// behave as documented, and one seed always gives the same delivery trace. Method: three endpoints
// a, b, c on one SimNetwork; the scheduler runs until nothing is in flight.
import test from 'ava';
import type { Envelope } from '../../transport/envelope.js';
import { simNet } from './networks.js';

const env = (to: string, type: string, body: unknown = null): Envelope => ({ to, from: 'test/sender', type, body });

function listenAll(net: ReturnType<typeof simNet>): Record<'a' | 'b' | 'c', string[]> {
  const got = { a: [] as string[], b: [] as string[], c: [] as string[] };
  (['a', 'b', 'c'] as const).forEach((name, i) => {
    net.endpoints[i]?.listen(`node/${name}`, (e) => { got[name].push(e.type); });
  });
  return got;
}

test('block is one-way', (t) => {
  const net = simNet(21);
  const got = listenAll(net);
  const [a, b] = net.endpoints;
  net.network.block('a', 'b');
  a.send(env('node/b', 'a-to-b'));
  b.send(env('node/a', 'b-to-a'));
  net.drain();
  t.deepEqual(got, { a: ['b-to-a'], b: [], c: [] });
});

test('isolate cuts a node off from everyone but itself; heal restores it', (t) => {
  const net = simNet(22);
  const got = listenAll(net);
  const [a, b, c] = net.endpoints;
  net.network.isolate('a');
  a.send(env('node/b', 'from-a'));
  a.send(env('node/a', 'self'));
  c.send(env('node/a', 'from-c'));
  b.send(env('node/c', 'b-to-c'));
  net.drain();
  t.deepEqual(got, { a: ['self'], b: [], c: ['b-to-c'] });
  net.network.heal();
  c.send(env('node/a', 'after-heal'));
  net.drain();
  t.deepEqual(got.a, ['self', 'after-heal']);
});

test('a clog holds messages until it ends, then releases them in send order', (t) => {
  const net = simNet(23, { delayMinMs: 1, delayMeanMs: 5 });
  const got = listenAll(net);
  const [a] = net.endpoints;
  const at: number[] = [];
  net.network.configure({ onDeliver: (time, _from, to) => { if (to === 'b') at.push(time); } });
  a.send(env('node/b', 'before-clog')); // in flight when the clog starts: held too
  net.network.clog('a', 'b', 500);
  for (let i = 0; i < 20; i++) a.send(env('node/b', `m${i}`));
  net.scheduler.runUntil(499);
  t.deepEqual(got.b, []);
  net.drain();
  t.deepEqual(got.b, ['before-clog', ...Array.from({ length: 20 }, (_, i) => `m${i}`)]);
  t.true(at.every((time) => time >= 500));
});

test('a crashed endpoint receives nothing; what it sent before still arrives; its name can restart', (t) => {
  const net = simNet(24, { delayMinMs: 10, delayMeanMs: 10 });
  const got = listenAll(net);
  const [a] = net.endpoints;
  a.send(env('node/b', 'last-words'));
  net.endpoints[2].send(env('node/a', 'to-the-dead'));
  net.network.crash('a');
  a.send(env('node/b', 'after-crash'));
  net.drain();
  t.deepEqual(got, { a: [], b: ['last-words'], c: [] });
  t.true(net.network.stats.dropped.closed >= 1);
  const reborn = net.network.endpoint('a');
  const again: string[] = [];
  reborn.listen('node/a', (e) => { again.push(e.type); });
  net.endpoints[2].send(env('node/a', 'welcome-back'));
  net.drain();
  t.deepEqual(again, ['welcome-back']);
  t.throws(() => net.network.endpoint('a'), { message: /already open/ });
});

test('same seed and knobs give the same delivery trace; another seed differs', (t) => {
  const run = (seed: number): string => {
    const net = simNet(seed, { lossProbability: 0.1, duplicateProbability: 0.1, fifo: false, delayMeanMs: 8 });
    const trace: string[] = [];
    net.network.configure({ onDeliver: (time, from, to, type) => { trace.push(`${time} ${from}>${to} ${type}`); } });
    listenAll(net);
    for (let i = 0; i < 50; i++) {
      net.endpoints[i % 3]?.send(env(`node/${'abc'[(i + 1) % 3]}`, `m${i}`));
    }
    net.drain();
    return trace.join('\n');
  };
  t.is(run(5), run(5));
  t.not(run(5), run(6));
});

test('knobs are checked', (t) => {
  t.throws(() => simNet(1, { lossProbability: 1.5 }), { instanceOf: RangeError });
  t.throws(() => simNet(1, { delayMinMs: 10, delayMeanMs: 5 }), { instanceOf: RangeError });
});
