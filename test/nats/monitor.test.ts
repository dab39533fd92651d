// nats-server's monitoring endpoint as the benches read it (startNatsServer({ monitor: true }),
// bench/lib/nats-varz.ts): the message counters move by what was published, so CPU-per-message
// figures rest on the server's count.
import test from 'ava';
import { startNatsServer } from '../helpers/nats-server.js';
import { connectNats } from '../../transport/nats-connect.js';
import { natsMessageCounts } from '../../bench/lib/nats-varz.js';

test('the monitoring endpoint counts the messages that crossed the server', async (t) => {
  const server = await startNatsServer({ monitor: true });
  try {
    t.regex(server.monitorUrl ?? '', /^http:\/\/127\.0\.0\.1:\d+$/);
    const nc = await connectNats({ servers: server.url });
    let received = 0;
    nc.subscribe('counted', { callback: () => { received++; } });
    await nc.flush();
    const before = await natsMessageCounts(server.monitorUrl!);
    for (let i = 0; i < 5; i++) nc.publish('counted', new Uint8Array(10));
    await nc.flush();
    const after = await natsMessageCounts(server.monitorUrl!);
    await nc.close();
    t.is(received, 5);
    t.is(after.inMsgs - before.inMsgs, 5);
    t.is(after.outMsgs - before.outMsgs, 5);
  } finally {
    await server.stop();
  }
});

test('without monitor there is no endpoint', async (t) => {
  const server = await startNatsServer();
  try {
    t.is(server.monitorUrl, undefined);
  } finally {
    await server.stop();
  }
});
