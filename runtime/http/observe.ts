/**
 * What `--http` adds to a node process, in the order the process needs it: the metered transport
 * and the report hook go into the node's environment, then `start` binds the HTTP server for the
 * built node (before it starts, so a taken port fails the process at once), and `close` unbinds it.
 */
import type { Transport } from '../../transport/transport.js';
import type { Logger } from '../log.js';
import type { BrookNode } from '../node/node.js';
import type { HttpListen } from './http-server.js';
import { NodeMetrics, type MetricsLimits } from './node-metrics.js';
import { startNodeHttp, type NodeHttp } from './node-http.js';

export class NodeObservability {
  readonly metrics: NodeMetrics;
  private http: NodeHttp | undefined;

  constructor(readonly listen: HttpListen, private readonly raw: Transport, limits: Partial<MetricsLimits> = {}) {
    this.metrics = new NodeMetrics(limits);
  }

  /** The transport to build the node with. */
  get transport(): Transport { return this.metered ??= this.metrics.wrap(this.raw); }
  private metered: Transport | undefined;

  get onReport(): NodeMetrics['onReport'] { return this.metrics.onReport; }

  get url(): string | undefined { return this.http?.url; }

  async start(node: BrookNode, dataDir: string | undefined, logger: Logger): Promise<string> {
    this.metrics.attach(node, dataDir);
    this.http = await startNodeHttp(this.listen, node, this.metrics, this.raw, logger);
    return this.http.url;
  }

  async close(): Promise<void> { await this.http?.close(); }
}
