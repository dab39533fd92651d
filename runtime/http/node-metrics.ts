/**
 * A node's metrics, put together: the registry, the transport wrapper that meters requests, the
 * report listener, and the scrape that reads the node's image and actor snapshots. Built before
 * the node (its transport and report hook go into the node's environment), attached to it after.
 */
import type { Transport } from '../../transport/transport.js';
import { getTopicById } from '../../actors/metadata/image.js';
import type { BrookNode } from '../node/node.js';
import { BrookMetrics } from './metrics-registry.js';
import { MeteredTransport } from './metered-transport.js';
import { ReportMeter } from './report-meter.js';
import { collectNode } from './node-collector.js';
import { GroupCollector } from './group-collector.js';
import { DiskSize } from './disk-size.js';
import { readiness, type Readiness } from './readiness.js';

export interface MetricsLimits {
  /** Hosted replicas exported one by one; above this, per-topic sums (`partition="all"`). */
  partitionsMax: number;
  /** Distinct topic label values on the per-topic counters; later topics count under `_other`. */
  topicsMax: number;
  groupsMax: number;
  lagSeriesMax: number;
}

export const METRICS_LIMITS_DEFAULT: MetricsLimits = { partitionsMax: 1000, topicsMax: 1000, groupsMax: 500, lagSeriesMax: 2000 };

export class NodeMetrics {
  readonly metrics = new BrookMetrics();
  readonly limits: MetricsLimits;
  private readonly reports: ReportMeter;
  private node: BrookNode | undefined;
  private groups: GroupCollector | undefined;
  private disk: DiskSize | undefined;
  private scraping: Promise<string> | undefined;

  constructor(limits: Partial<MetricsLimits> = {}, private readonly nowMs: () => number = () => performance.now()) {
    this.limits = { ...METRICS_LIMITS_DEFAULT, ...limits };
    this.reports = new ReportMeter(this.metrics, this.limits.groupsMax);
  }

  get onReport(): ReportMeter['onReport'] { return this.reports.onReport; }

  /** The node's transport, metered. */
  wrap(transport: Transport): Transport {
    return new MeteredTransport(transport, this.metrics, {
      nowMs: this.nowMs, topicsMax: this.limits.topicsMax,
      isrSize: (topicId, partition) => {
        const image = this.node?.metadata.image;
        return image === undefined ? undefined : getTopicById(image, topicId)?.partitions[partition]?.isr.length;
      },
    });
  }

  attach(node: BrookNode, dataDir: string | undefined): void {
    this.node = node;
    this.groups = new GroupCollector(node, this.metrics, this.limits);
    if (dataDir !== undefined) this.disk = new DiskSize(dataDir, this.nowMs);
  }

  readiness(): Readiness {
    const node = this.attached();
    return readiness({ nodeId: node.config.nodeId, phase: node.phase, nodeEpoch: node.nodeEpoch, image: node.metadata.image,
      lastHeartbeatAckMs: node.lastHeartbeatAckMs, nowMs: node.env.clock.nowMs() });
  }

  /** The Prometheus text; concurrent scrapes share one collection. */
  scrape(): Promise<string> {
    this.scraping ??= this.collect().finally(() => { this.scraping = undefined; });
    return this.scraping;
  }

  private async collect(): Promise<string> {
    const node = this.attached();
    collectNode(node, this.metrics, this.limits.partitionsMax);
    this.metrics.ready.set(this.readiness().ready ? 1 : 0);
    await this.groups?.collect();
    if (this.disk !== undefined) this.metrics.levelDbSize.set(await this.disk.bytes());
    return await this.metrics.registry.metrics();
  }

  private attached(): BrookNode {
    if (this.node === undefined) throw new Error('NodeMetrics used before attach(node)');
    return this.node;
  }
}
