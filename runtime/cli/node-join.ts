/**
 * `brook node join --id N --data DIR --controllers 1,2,3 [--rack R] [--http HOST:PORT] [--kafka HOST:PORT]`: runs one
 * node in the foreground over NATS until SIGINT/SIGTERM/SIGHUP, which trigger a controlled shutdown
 * (leadership moves away first, bounded by BROOK_SHUTDOWN_TIMEOUT_MS, default 10 s), then the store
 * is closed and the process exits. Started by `brook dev`, it gets BROOK_PARENT_PID and stops the
 * same way when that process is gone. `--http` serves /metrics, /health, /ready and the web console
 * (runtime/http/). With `--kafka`, the node also answers Kafka clients on HOST:PORT (port 0: a free
 * one) and advertises that address in Kafka Metadata; the address is printed as a `kafkaListening` log line.
 */
import { mkdirSync } from 'node:fs';
import { NatsTransport } from '../../transport/nats.js';
import { ANY_SEGMENT, listenPatternOf } from '../../actors/kit/addresses.js';
import { realClock } from '../clock.js';
import { createLogger, envLogLevel, stderrSink } from '../log.js';
import { SeededRandom, osSeed } from '../random.js';
import { LevelStore, memtableBytesFor } from '../storage/level-store.js';
import { BrookNode } from '../node/node.js';
import { HttpAddressError, parseHttpListen, type HttpListen } from '../http/http-server.js';
import { NodeObservability } from '../http/observe.js';
import { connectError, natsSecurityOptions } from '../sdk/security.js';
import { commonFlags, intFlag, intListFlag, parse, UsageError } from './args.js';
import { stopRequests } from './stop-requests.js';
import { parseHostPort, startKafkaListener } from '../kafka/index.js';
import { applyHeapHeadroom } from '../node/heap-headroom.js';
import { mallocTunablesInEffect } from '../node/memory-tunables.js';

/** How long a controlled shutdown may take before the node stops anyway; BROOK_SHUTDOWN_TIMEOUT_MS changes it. */
const SHUTDOWN_TIMEOUT_MS_DEFAULT = 10_000;

function shutdownTimeoutMs(): number {
  const raw = Number(process.env['BROOK_SHUTDOWN_TIMEOUT_MS']);
  return Number.isSafeInteger(raw) && raw > 0 ? raw : SHUTDOWN_TIMEOUT_MS_DEFAULT;
}

export async function nodeJoin(argv: string[]): Promise<number> {
  const { values } = parse(argv, { id: { type: 'string' }, data: { type: 'string' }, controllers: { type: 'string' }, rack: { type: 'string' }, http: { type: 'string' },
    kafka: { type: 'string' } });
  const flags = commonFlags(values);
  const nodeId = intFlag(values, 'id');
  if (nodeId < 0) throw new UsageError('--id must be ≥ 0');
  const voters = intListFlag(values, 'controllers');
  const dataDir = values['data'] as string | undefined;
  if (!dataDir) throw new UsageError('--data DIR is required');
  if (!flags.nats) throw new UsageError('--nats URL is required (or BROOK_NATS)');
  const rack = values['rack'] as string | undefined;
  const http = httpFlag(values['http']);
  const kafka = values['kafka'] as string | undefined;
  if (kafka !== undefined && parseHostPort(kafka.replace(/:0$/, ':1')) === undefined) throw new UsageError(`--kafka must be HOST:PORT, got '${kafka}'`);
  const logger = createLogger(stderrSink, { level: envLogLevel(), bindings: { node: nodeId }, repeatsMax: REPEATS_MAX });
  const heapHeadroomMb = applyHeapHeadroom();
  const security = natsSecurityOptions(flags.security);
  mkdirSync(dataDir, { recursive: true });
  const store = await LevelStore.open(dataDir, { writeBufferBytes: memtableBytesFor(nodeId) });
  // Waits for NATS while no server answers; a server that refuses the credentials or TLS ends the process with the reason.
  const transport = await NatsTransport.connect({ ...security, servers: flags.nats, cluster: flags.cluster,
    name: `brook-node-${nodeId}`, waitOnFirstConnect: true, listenPatterns: { of: listenPatternOf, anySegment: ANY_SEGMENT }, log: (event, detail) => logger.log('info', event, detail) })
    .catch((error: unknown) => { store.close(() => {}); throw connectError(error); });
  const observe = http === undefined ? undefined : new NodeObservability(http, transport);
  const seed = osSeed();
  const random = new SeededRandom(seed);
  logger.log('info', 'nodeProcess', { nodeId, cluster: flags.cluster, nats: flags.nats, dataDir, seed, pid: process.pid, heapHeadroomMb,
    mallocTunables: mallocTunablesInEffect(process.env) });
  const holder: { node?: BrookNode } = {};
  const listener = kafka === undefined ? undefined : await startKafkaListener({ listen: kafka, nodeId, cluster: flags.cluster,
    transport: observe?.transport ?? transport, clock: realClock, logger, image: () => holder.node?.servingImage, incarnation: random.u32().toString(36) });
  return await new Promise<number>((resolve) => {
    let exiting = false;
    const finish = (code: number): void => {
      if (exiting) return;
      exiting = true;
      node.stop();
      void Promise.resolve(observe?.close()).then(() => listener?.close()).then(() => transport.close()).finally(() => store.close(() => resolve(code)));
    };
    const node = new BrookNode({ nodeId, cluster: flags.cluster, voters, ...(rack ? { rack } : {}),
      ...(listener !== undefined ? { kafkaListener: listener.listener.address } : {}) }, {
      transport: observe?.transport ?? transport, store, clock: realClock, random, logger,
      ...(observe ? { onReport: observe.onReport } : {}),
      onFatal: (code, message) => { process.stderr.write(`brook: error: ${code}: ${message}\n`); finish(1); },
      onActorError: (address, error) => logger.log('error', 'actorFailed', { address, error: String(error) }),
    });
    holder.node = node;
    const parent = Number(process.env['BROOK_PARENT_PID']);
    const stop = stopRequests(Number.isSafeInteger(parent) && parent > 0 ? parent : undefined);
    void stop.asked.then(({ reason }) => {
      stop.dispose();
      logger.log('info', 'stopping', { reason });
      const timer = setTimeout(() => finish(0), shutdownTimeoutMs());
      node.shutdown(() => { clearTimeout(timer); finish(0); });
    });
    if (observe === undefined) return node.start();
    // The port is bound before the node starts: a taken port ends the process at once.
    observe.start(node, dataDir, logger).then(() => node.start(), (error: unknown) => {
      process.stderr.write(`brook: error: HTTP_LISTEN_FAILED: ${(error as Error).message}\n`);
      finish(1);
    });
  });
}

/** At most this many lines of one kind per node per window (runtime/log.ts). */
const REPEATS_MAX = 20;

function httpFlag(value: unknown): HttpListen | undefined {
  if (typeof value !== 'string') return undefined;
  try { return parseHttpListen(value); } catch (error) {
    if (error instanceof HttpAddressError) throw new UsageError(error.message);
    throw error;
  }
}
