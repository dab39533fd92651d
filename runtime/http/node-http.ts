/**
 * A node's HTTP endpoints (`brook node join --http HOST:PORT`):
 *   /metrics   Prometheus text format (prom-client)
 *   /health    200 while the process serves (503 once the node has stopped)
 *   /ready     200 when registered, caught up with metadata and unfenced, else 503 with the reasons
 *   /          the web console (one page) and its data under /api/
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Transport } from '../../transport/transport.js';
import type { Logger } from '../log.js';
import type { BrookNode } from '../node/node.js';
import { ConsoleApi } from './console-api.js';
import { json, startHttpServer, type HttpHandler, type HttpListen, type HttpResponse, type RunningHttp } from './http-server.js';
import type { NodeMetrics } from './node-metrics.js';

const CONSOLE_DIR = fileURLToPath(new URL('./console/', import.meta.url));
const UPLOT_DIR = dirname(createRequire(import.meta.url).resolve('uplot'));

function file(path: string, contentType: string): HttpResponse {
  return { status: 200, contentType, body: readFileSync(path) };
}

/** The console's files, read once: they are part of the installed package. */
function staticRoutes(): Array<[string, HttpHandler]> {
  const page = file(join(CONSOLE_DIR, 'index.html'), 'text/html; charset=utf-8');
  const script = file(join(CONSOLE_DIR, 'console.js'), 'text/javascript; charset=utf-8');
  const style = file(join(CONSOLE_DIR, 'console.css'), 'text/css; charset=utf-8');
  const uplot = file(join(UPLOT_DIR, 'uPlot.iife.min.js'), 'text/javascript; charset=utf-8');
  const uplotStyle = file(join(UPLOT_DIR, 'uPlot.min.css'), 'text/css; charset=utf-8');
  return [['/', () => page], ['/console.js', () => script], ['/console.css', () => style],
    ['/vendor/uPlot.iife.min.js', () => uplot], ['/vendor/uPlot.min.css', () => uplotStyle]];
}

export interface NodeHttp { url: string; close(): Promise<void> }

/** `transport`: the node's connection without the metering wrapper (the console's own requests are not node traffic). */
export async function startNodeHttp(listen: HttpListen, node: BrookNode, metrics: NodeMetrics, transport: Transport, logger: Logger): Promise<NodeHttp> {
  const api = new ConsoleApi(node, transport);
  const routes = new Map<string, HttpHandler>([
    ['/metrics', async () => ({ status: 200, contentType: metrics.metrics.contentType, body: await metrics.scrape() })],
    ['/health', () => (node.phase === 'stopped' ? json(503, { status: 'stopped', nodeId: node.config.nodeId }) : json(200, { status: 'ok', nodeId: node.config.nodeId, phase: node.phase }))],
    ['/ready', () => {
      const r = metrics.readiness();
      return json(r.ready ? 200 : 503, { ...r, nodeId: node.config.nodeId, nodeEpoch: node.nodeEpoch ?? null });
    }],
    ['/api/cluster', () => json(200, api.cluster())],
    ['/api/topics', async () => json(200, await api.topics())],
    ['/api/groups', async () => json(200, await api.groups())],
    ...staticRoutes(),
  ]);
  const server: RunningHttp = await startHttpServer(listen, routes, (error) => logger.log('warn', 'httpHandlerFailed', { error: String(error) }));
  logger.log('info', 'httpListening', { url: server.url, nodeId: node.config.nodeId });
  return {
    url: server.url,
    async close() {
      await server.close();
      await api.close();
    },
  };
}
