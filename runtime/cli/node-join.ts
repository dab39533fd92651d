/**
 * `brook node join --id N --data DIR --controllers 1,2,3 [--rack R] [--kafka HOST:PORT]`: runs one
 * node in the foreground over NATS until SIGINT/SIGTERM, which trigger a controlled shutdown
 * (leadership moves away first, bounded by a timeout), then the store is closed and the process
 * exits. With `--kafka`, the node also answers Kafka clients on HOST:PORT (port 0: a free one),
 * and advertises that address in Kafka Metadata; the address is printed as a `kafkaListening` log line.
 */
import { mkdirSync } from 'node:fs';
import { NatsTransport } from '../../transport/nats.js';
import { realClock } from '../clock.js';
import { createLogger, envLogLevel, stderrSink } from '../log.js';
import { SeededRandom, osSeed } from '../random.js';
import { LevelStore } from '../storage/level-store.js';
import { BrookNode } from '../node/node.js';
import { commonFlags, intFlag, intListFlag, parse, UsageError } from './args.js';
import { parseHostPort, startKafkaListener } from '../kafka/index.js';

const SHUTDOWN_TIMEOUT_MS = 10_000;

export async function nodeJoin(argv: string[]): Promise<number> {
  const { values } = parse(argv, { id: { type: 'string' }, data: { type: 'string' }, controllers: { type: 'string' }, rack: { type: 'string' },
    kafka: { type: 'string' } });
  const flags = commonFlags(values);
  const nodeId = intFlag(values, 'id');
  if (nodeId < 0) throw new UsageError('--id must be ≥ 0');
  const voters = intListFlag(values, 'controllers');
  const dataDir = values['data'] as string | undefined;
  if (!dataDir) throw new UsageError('--data DIR is required');
  if (!flags.nats) throw new UsageError('--nats URL is required (or BROOK_NATS)');
  const rack = values['rack'] as string | undefined;
  const kafka = values['kafka'] as string | undefined;
  if (kafka !== undefined && parseHostPort(kafka.replace(/:0$/, ':1')) === undefined) throw new UsageError(`--kafka must be HOST:PORT, got '${kafka}'`);
  const logger = createLogger(stderrSink, { level: envLogLevel(), bindings: { node: nodeId } });
  mkdirSync(dataDir, { recursive: true });
  const store = await LevelStore.open(dataDir);
  const transport = await NatsTransport.connect({ servers: flags.nats, cluster: flags.cluster, name: `brook-node-${nodeId}`, waitOnFirstConnect: true,
    log: (event, detail) => logger.log('info', event, detail) });
  const seed = osSeed();
  const random = new SeededRandom(seed);
  logger.log('info', 'nodeProcess', { nodeId, cluster: flags.cluster, nats: flags.nats, dataDir, seed, pid: process.pid });
  let node: BrookNode | undefined;
  const listener = kafka === undefined ? undefined : await startKafkaListener({ listen: kafka, nodeId, cluster: flags.cluster, transport,
    clock: realClock, logger, image: () => node?.servingImage, incarnation: random.u32().toString(36) });
  return await new Promise<number>((resolve) => {
    let exiting = false;
    const finish = (code: number): void => {
      if (exiting) return;
      exiting = true;
      node?.stop();
      void (listener?.close() ?? Promise.resolve()).then(() => transport.close()).finally(() => store.close(() => resolve(code)));
    };
    node = new BrookNode({ nodeId, cluster: flags.cluster, voters, ...(rack ? { rack } : {}),
      ...(listener !== undefined ? { kafkaListener: listener.listener.address } : {}) }, {
      transport, store, clock: realClock, random, logger,
      onFatal: (code, message) => { process.stderr.write(`brook: error: ${code}: ${message}\n`); finish(1); },
      onActorError: (address, error) => logger.log('error', 'actorFailed', { address, error: String(error) }),
    });
    const onSignal = (signal: string): void => {
      logger.log('info', 'signal', { signal });
      const timer = setTimeout(() => finish(0), SHUTDOWN_TIMEOUT_MS);
      node?.shutdown(() => { clearTimeout(timer); finish(0); });
    };
    process.once('SIGINT', () => onSignal('SIGINT'));
    process.once('SIGTERM', () => onSignal('SIGTERM'));
    node.start();
  });
}
