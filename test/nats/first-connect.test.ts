// Goal: a node started while NATS is unreachable waits for it instead of exiting (the chaos suite
// saw restarted nodes die with "error connecting" when their link to NATS was cut as they started).
// Method: a real nats-server behind a TCP proxy that refuses connections; `brook node join`
// through the proxy; the proxy opens after a while and the node must register.
import test from 'ava';
import { startNatsServer } from '../helpers/nats-server.js';
import { NodeProxy } from '../helpers/tcp-proxy.js';
import { BrookProcesses, eventually } from '../helpers/brook-processes.js';
import { connect } from '../../runtime/sdk/index.js';

test('a node whose NATS is unreachable at start waits and joins once it is reachable', async (t) => {
  const nats = await startNatsServer();
  const proxy = await NodeProxy.start('node-1', [nats.port]);
  const nodes = new BrookProcesses(proxy.urls, 'first-connect', [1]);
  const client = await connect({ nats: nats.url, cluster: 'first-connect' });
  const admin = client.admin({ timeoutMs: 2_000 });
  try {
    proxy.cutOff();
    const node = nodes.startNode(1);
    await new Promise((r) => setTimeout(r, 2_000));
    t.is(node.child.exitCode, null, `the node is still running: ${node.stderr.join('')}`);
    proxy.restore();
    const meta = await eventually(async () => {
      const m = await admin.metadata();
      return m.nodes.some((n) => n.nodeId === 1 && n.state === 'unfenced') ? m : undefined;
    }, 30_000, 'node 1 registered');
    t.is(meta.nodes.length, 1);
  } finally {
    admin.close();
    await client.close();
    await nodes.stopAll();
    await proxy.close();
    await nats.stop();
  }
});
