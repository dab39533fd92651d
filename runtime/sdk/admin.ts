/**
 * The admin client: topic operations go to the controller leader (`c/admin/leader`), metadata
 * comes from any node (`c/meta`), offsets from partition leaders' fetch addresses. Retriable errors (no controller yet, a
 * controller that just lost leadership, a timeout) are retried with capped exponential backoff
 * until `timeoutMs`; anything else becomes a `BrookError` at once.
 */
import { isErrorCode, ERRORS } from '../../actors/errors.js';
import type { NodeInfo, TopicInfo } from '../../actors/client/messages.js';
import { clientAddress, CONTROLLER_FOR_ADMIN, fetchAddress, METADATA } from '../../actors/kit/addresses.js';
import { Rpc } from '../rpc.js';
import type { BrookClient } from './connect.js';
import { BrookError } from './errors.js';

export interface TopicSpec { partitions?: number; replicationFactor?: number; configs?: Record<string, string> }

export type { NodeInfo, PartitionInfo, TopicInfo } from '../../actors/client/messages.js';
export interface ClusterMetadata { clusterId: string; controllerId: number; controllerTerm?: number; metadataOffset: number; nodes: NodeInfo[]; topics: TopicInfo[] }
export interface QuorumInfo { leaderId: number; term: number; voters: number[]; commitIndex: number }

export type OffsetSpec = 'earliest' | 'latest' | { timestamp: number };

export interface AdminOptions { timeoutMs?: number; requestTimeoutMs?: number }

export class Admin {
  private readonly rpc: Rpc;
  private readonly timeoutMs: number;

  constructor(private readonly client: BrookClient, options: AdminOptions = {}) {
    const { transport, clock } = client.host.options;
    this.rpc = new Rpc(transport, clock, clientAddress(`${client.clientId}-admin`), { timeoutMsDefault: options.requestTimeoutMs ?? 2000 });
    this.timeoutMs = options.timeoutMs ?? 15_000;
  }

  async createTopic(name: string, spec: TopicSpec = {}): Promise<{ topicId: string }> {
    const body = { name, partitions: spec.partitions ?? 1, replicationFactor: spec.replicationFactor ?? 1, configs: spec.configs ?? {} };
    const reply = await this.call(CONTROLLER_FOR_ADMIN, 'createTopic', body);
    return { topicId: String(reply['topicId']) };
  }

  async deleteTopic(name: string): Promise<void> { await this.call(CONTROLLER_FOR_ADMIN, 'deleteTopic', { name }); }

  /** Grows a topic to `totalCount` partitions (Kafka's CreatePartitions). */
  async createPartitions(name: string, totalCount: number): Promise<void> { await this.call(CONTROLLER_FOR_ADMIN, 'createPartitions', { name, totalCount }); }

  async alterConfigs(name: string, configs: Record<string, string>): Promise<void> { await this.call(CONTROLLER_FOR_ADMIN, 'alterConfigs', { name, configs }); }

  async metadata(topics?: string[]): Promise<ClusterMetadata> {
    return await this.call(METADATA, 'metadata', topics ? { topics } : {}) as unknown as ClusterMetadata;
  }

  async listTopics(): Promise<string[]> {
    return (await this.metadata()).topics.map((t) => t.name).filter((n) => !n.startsWith('__')).sort();
  }

  async describeTopic(name: string): Promise<TopicInfo> {
    const topic = (await this.metadata([name])).topics.find((t) => t.name === name);
    if (!topic) throw new BrookError('UNKNOWN_TOPIC_OR_PARTITION', `topic '${name}' does not exist`);
    return topic;
  }

  async describeQuorum(): Promise<QuorumInfo> {
    return await this.call(CONTROLLER_FOR_ADMIN, 'describeQuorum', {}) as unknown as QuorumInfo;
  }

  /** One offset per partition of `topic` (all partitions unless given). */
  async listOffsets(topic: string, spec: OffsetSpec, partitions?: number[]): Promise<Array<{ partition: number; offset: number }>> {
    const info = await this.describeTopic(topic);
    const timestamp = spec === 'earliest' ? -2 : spec === 'latest' ? -1 : spec.timestamp;
    const wanted = info.partitions.filter((p) => partitions === undefined || partitions.includes(p.partition));
    return await Promise.all(wanted.map(async (p) => {
      const reply = await this.call(fetchAddress(topic, p.partition, p.leader), 'listOffsets', { timestamp });
      return { partition: p.partition, offset: Number(reply['offset']) };
    }));
  }

  close(): void { this.rpc.close(); }

  /** One request with retries of retriable errors until the admin timeout. */
  private async call(to: string, type: string, body: unknown): Promise<Record<string, unknown>> {
    const deadline = this.client.host.options.clock.nowMs() + this.timeoutMs;
    let lastError: BrookError | undefined;
    for (let attempt = 0; ; attempt++) {
      try {
        const envelope = await this.rpc.request(to, type, body);
        const reply = envelope.body as Record<string, unknown>;
        if (reply['code'] === 'OK') return reply;
        const code = isErrorCode(reply['code']) ? reply['code'] : 'INVALID_REQUEST';
        lastError = new BrookError(code, typeof reply['message'] === 'string' ? reply['message'] : ERRORS[code].text);
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        lastError = new BrookError('REQUEST_TIMED_OUT', `no answer from ${to} (${String(code)})`);
      }
      if (!lastError.retriable || this.client.host.options.clock.nowMs() >= deadline) throw lastError;
      await sleep(Math.min(1000, 50 * 2 ** attempt));
    }
  }
}

function sleep(ms: number): Promise<void> { return new Promise((resolve) => setTimeout(resolve, ms)); }

export function createAdmin(client: BrookClient, options?: AdminOptions): Admin { return new Admin(client, options); }
