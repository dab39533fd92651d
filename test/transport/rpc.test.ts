// Goal: runtime/rpc.ts settles every call exactly once — reply, timeout, cancel, abort, close or
// overflow — and ignores replies that come too late. Method: Rpc over the simulated network, so
// timeouts fire in virtual time; a server endpoint replies after a chosen delay.
import test from 'ava';
import { Rpc, RpcError, type RpcResult } from '../../runtime/rpc.js';
import type { Envelope } from '../../transport/envelope.js';
import { simNet } from './networks.js';

/** b serves `svc/echo`, answering after `replyDelayMs` of virtual time. */
function setup(replyDelayMs: number, options: ConstructorParameters<typeof Rpc>[3] = {}) {
  const net = simNet(31, { delayMinMs: 1, delayMeanMs: 1, tailProbability: 0 });
  const [, server, client] = net.endpoints;
  server.listen('svc/echo', (request: Envelope) => {
    net.clock.setTimeout(() => server.send({ to: request.replyTo as string, from: 'svc/echo', type: 'echoed', corr: request.corr, body: request.body }), replyDelayMs);
  });
  const rpc = new Rpc(client, net.clock, 'client/1', { timeoutMsDefault: 100, ...options });
  return { net, rpc };
}

test('call: done runs once with the reply, never synchronously', (t) => {
  const { net, rpc } = setup(5);
  const results: RpcResult[] = [];
  const corr = rpc.call('svc/echo', 'echo', 'hi', {}, (result) => results.push(result));
  t.is(results.length, 0);
  t.is(rpc.inFlightCount, 1);
  net.drain();
  t.is(results.length, 1);
  t.true(results[0]?.ok === true && results[0].envelope.corr === corr && results[0].envelope.body === 'hi');
});

test('a reply after the timeout is ignored', (t) => {
  const { net, rpc } = setup(500);
  const results: RpcResult[] = [];
  rpc.call('svc/echo', 'echo', 1, { timeoutMs: 50 }, (result) => results.push(result));
  net.drain();
  t.deepEqual(results, [{ ok: false, code: 'REQUEST_TIMED_OUT' }]);
  t.is(rpc.repliesIgnored, 1);
});

test('cancel settles with CANCELLED; the later reply and the timer do nothing', (t) => {
  const { net, rpc } = setup(20);
  const results: RpcResult[] = [];
  const corr = rpc.call('svc/echo', 'echo', 1, {}, (result) => results.push(result));
  rpc.cancel(corr);
  rpc.cancel(corr);
  net.drain();
  t.deepEqual(results, [{ ok: false, code: 'CANCELLED' }]);
  t.is(rpc.repliesIgnored, 1);
});

test('request rejects with RpcError CANCELLED when its signal aborts', async (t) => {
  const { net, rpc } = setup(20);
  const controller = new AbortController();
  const pending = rpc.request('svc/echo', 'echo', 1, { signal: controller.signal });
  controller.abort();
  net.drain();
  const error = await t.throwsAsync(pending, { instanceOf: RpcError });
  t.is(error?.code, 'CANCELLED');
  const aborted = rpc.request('svc/echo', 'echo', 1, { signal: controller.signal });
  t.is((await t.throwsAsync(aborted, { instanceOf: RpcError }))?.code, 'CANCELLED');
});

test('past inFlightMax a call fails with TOO_MANY_IN_FLIGHT; close cancels the rest', (t) => {
  const { net, rpc } = setup(20, { inFlightMax: 2 });
  const results: string[] = [];
  const record = (result: RpcResult): void => { results.push(result.ok ? 'ok' : result.code); };
  rpc.call('svc/echo', 'echo', 1, {}, record);
  rpc.call('svc/echo', 'echo', 2, {}, record);
  rpc.call('svc/echo', 'echo', 3, {}, record);
  t.deepEqual(results, []);
  rpc.close();
  rpc.call('svc/echo', 'echo', 4, {}, record);
  net.drain();
  t.deepEqual(results, ['CANCELLED', 'CANCELLED', 'TOO_MANY_IN_FLIGHT', 'CANCELLED']);
  t.is(rpc.inFlightCount, 0);
});

test('correlation ids count up from corrFirst', (t) => {
  const { rpc } = setup(1, { corrFirst: 1000 });
  t.is(rpc.call('svc/echo', 'echo', 1, {}, () => {}), 1000);
  t.is(rpc.call('svc/echo', 'echo', 1, {}, () => {}), 1001);
});
