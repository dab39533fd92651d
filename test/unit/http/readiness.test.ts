// Goal: /ready answers 200 only for a node that is registered, caught up with the metadata log
// and unfenced (by its image and by a recent heartbeat answer), and says why otherwise; the
// --http address is parsed strictly.
// Method: the pure readiness function over hand-made node facts; parseHttpListen over good and bad input.
import test from 'ava';
import { emptyImage, type MetadataImage } from '../../../actors/metadata/image.js';
import { readiness, type NodeFacts } from '../../../runtime/http/readiness.js';
import { HttpAddressError, parseHttpListen } from '../../../runtime/http/http-server.js';

function image(state: 'fenced' | 'unfenced', nodeEpoch = 7): MetadataImage {
  const i = emptyImage();
  i.nodes['1'] = { nodeId: 1, nodeEpoch, incarnationId: 'x', address: 'n/node/1', state };
  return i;
}

const ready: NodeFacts = { nodeId: 1, phase: 'running', nodeEpoch: 7, image: image('unfenced'), lastHeartbeatAckMs: 10_000, nowMs: 10_100 };

test('a registered, caught-up, unfenced node with a fresh heartbeat is ready', (t) => {
  const r = readiness(ready);
  t.true(r.ready);
  t.deepEqual(r.reasons, []);
});

test('each missing condition makes the node not ready, with a reason', (t) => {
  const cases: Array<[string, Partial<NodeFacts>, RegExp]> = [
    ['not registered', { nodeEpoch: undefined, phase: 'registering', lastHeartbeatAckMs: undefined }, /not registered/],
    ['catching up', { phase: 'registering' }, /catching up/],
    ['fenced in its image', { image: image('fenced') }, /fenced/],
    ['an older incarnation in the image', { image: image('unfenced', 3) }, /incarnation/],
    ['heartbeats unanswered past the session', { nowMs: 10_000 + 1_501 }, /no heartbeat answered/],
    ['stopped', { phase: 'stopped' }, /stopped/],
  ];
  for (const [what, change, reason] of cases) {
    const r = readiness({ ...ready, ...change });
    t.false(r.ready, what);
    t.regex(r.reasons.join('; '), reason, what);
  }
});

test('--http takes HOST:PORT and refuses anything else', (t) => {
  t.deepEqual(parseHttpListen('127.0.0.1:9644'), { host: '127.0.0.1', port: 9644 });
  t.deepEqual(parseHttpListen(':0'), { host: '0.0.0.0', port: 0 });
  t.deepEqual(parseHttpListen('[::1]:80'), { host: '::1', port: 80 });
  for (const bad of ['9644', '127.0.0.1', '127.0.0.1:', 'host:port', '127.0.0.1:70000', 'a:b:1']) {
    t.throws(() => parseHttpListen(bad), { instanceOf: HttpAddressError }, bad);
  }
});
