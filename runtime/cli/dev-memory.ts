/**
 * `brook dev` without nats-server: the nodes run in this process on the in-memory transport, so
 * only this process can reach them. Stops like the NATS variant (runtime/cli/dev.ts).
 */
import { join } from 'node:path';
import { MemoryNetwork } from '../../transport/memory.js';
import { realClock } from '../clock.js';
import { createLogger, envLogLevel, stderrSink } from '../log.js';
import { SeededRandom, osSeed } from '../random.js';
import { LevelStore, memtableBytesFor } from '../storage/level-store.js';
import { BrookNode } from '../node/node.js';
import { writeDevState, type DevCluster } from './dev-state.js';
import { stopRequests } from './stop-requests.js';
import { NodeObservability } from '../http/observe.js';
import { httpLines } from './dev.js';
import { startKafkaListener } from '../kafka/index.js';

export async function devInMemory(cluster: DevCluster): Promise<number> {
  process.stdout.write(`nats-server is not installed: running ${cluster.count} nodes in this process on the in-memory transport (install nats-server for separate processes).\n`);
  const stop = stopRequests(process.ppid);
  const network = new MemoryNetwork();
  const nodes: Array<{ node: BrookNode; store: LevelStore; observe: NodeObservability; kafka: { close: () => Promise<void> } }> = [];
  const http: string[] = [];
  const kafka: string[] = [];
  try {
    for (let id = 1; id <= cluster.count; id++) {
      const store = await LevelStore.open(join(cluster.dataRoot, `node-${id}`), { writeBufferBytes: memtableBytesFor(id) });
      const logger = createLogger(stderrSink, { level: envLogLevel() === 'info' ? 'warn' : envLogLevel(), bindings: { node: id } });
      const observe = new NodeObservability({ host: '127.0.0.1', port: 0 }, network.endpoint());
      const random = new SeededRandom(osSeed());
      const holder: { node?: BrookNode } = {};
      const listener = await startKafkaListener({ listen: '127.0.0.1:0', nodeId: id, cluster: cluster.name, transport: observe.transport, clock: realClock, logger,
        image: () => holder.node?.servingImage, incarnation: random.u32().toString(36) });
      kafka.push(listener.listener.address);
      const node = new BrookNode({ nodeId: id, cluster: cluster.name, voters: cluster.voters, kafkaListener: listener.listener.address }, {
        transport: observe.transport, store, clock: realClock, random, logger, onReport: observe.onReport,
        onFatal: (code, message) => stop.request(`node ${id}: ${code}: ${message}`, 1),
      });
      holder.node = node;
      nodes.push({ node, store, observe, kafka: listener });
      http.push(await observe.start(node, join(cluster.dataRoot, `node-${id}`), logger));
      node.start();
    }
    writeDevState({ nats: undefined, cluster: cluster.name, pid: process.pid, nodes: cluster.count, http, kafka });
    process.stdout.write([`Brook dev cluster '${cluster.name}' is running in memory.`, ...httpLines(http), `Kafka bootstrap servers: ${kafka.join(',')}`,
      'Ctrl-C stops it.', ''].join('\n'));
    const { reason, code } = await stop.asked;
    if (code !== 0) process.stderr.write(`brook: error: ${reason}\n`);
    return code;
  } finally {
    stop.dispose();
    for (const { node } of nodes) node.stop();
    await Promise.all(nodes.map(async ({ store, observe, kafka: listener }) => {
      await listener.close();
      await observe.close();
      await new Promise<void>((r) => store.close(() => r()));
    }));
  }
}
