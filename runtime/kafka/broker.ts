/**
 * What the Kafka API handlers of one node share: the node's metadata image (Metadata answers and
 * request routing come from it, as the SDK's come from a metadata reply), and one request/reply
 * inbox on the node's transport. A Kafka request becomes the messages Brook's own SDK sends —
 * produce and fetch to a partition leader's client address, admin to the controller leader,
 * group requests to a coordinator — so Brook's actors, not the listener, decide every outcome.
 */
import { clientAddress } from '../../actors/kit/addresses.js';
import { getNode, type MetadataImage, type PartitionImage, type TopicImage } from '../../actors/metadata/image.js';
import type { Transport } from '../../transport/transport.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import { Rpc } from '../rpc.js';
import type { Admin } from '../sdk/admin.js';
import { BrookError } from '../sdk/errors.js';

export interface KafkaBrokerOptions {
  nodeId: number;
  cluster: string;
  transport: Transport;
  clock: Clock;
  logger: Logger;
  /** The node's image once it has caught up on metadata; undefined before. */
  image: () => MetadataImage | undefined;
  /** Creates a topic on a Metadata request or a Produce that names an unknown one (Kafka's auto.create.topics.enable). */
  autoCreateTopics?: boolean;
  /** Partitions of an auto-created topic (Kafka's num.partitions). */
  autoCreatePartitions?: number;
  /** Inbox suffix, unique per process life (late replies to an earlier life must not match). */
  incarnation: string;
}

/** The SDK admin client the broker forwards admin and group requests through (its retries included). */
export interface BrokerDeps { admin: Admin }

export interface BrokerEndpoint { nodeId: number; host: string; port: number; rack: string | null }

export type Reply = Record<string, unknown> & { code: string };

/** Where a partition is led, or why it cannot be reached. */
export type Route = { ok: true; topic: TopicImage; partition: PartitionImage } | { ok: false; code: 'UNKNOWN_TOPIC_OR_PARTITION' | 'LEADER_NOT_AVAILABLE' };

export class KafkaBroker {
  readonly rpc: Rpc;
  readonly nodeId: number;
  readonly cluster: string;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly autoCreateTopics: boolean;
  readonly autoCreatePartitions: number;

  readonly admin: Admin;

  constructor(private readonly options: KafkaBrokerOptions, deps: BrokerDeps) {
    this.admin = deps.admin;
    this.nodeId = options.nodeId;
    this.cluster = options.cluster;
    this.logger = options.logger;
    this.clock = options.clock;
    this.autoCreateTopics = options.autoCreateTopics ?? true;
    this.autoCreatePartitions = options.autoCreatePartitions ?? 1;
    this.rpc = new Rpc(options.transport, options.clock, clientAddress(`kafka-${options.nodeId}-${options.incarnation}`), { timeoutMsDefault: 5000 });
  }

  image(): MetadataImage | undefined { return this.options.image(); }

  /** Live nodes that have a Kafka listener, ascending by id: Kafka's broker list. */
  brokers(image: MetadataImage): BrokerEndpoint[] {
    const out: BrokerEndpoint[] = [];
    for (const node of Object.values(image.nodes)) {
      if (node.kafkaListener === undefined || node.state === 'fenced') continue;
      const endpoint = parseHostPort(node.kafkaListener);
      if (endpoint !== undefined) out.push({ nodeId: node.nodeId, ...endpoint, rack: node.rack ?? null });
    }
    return out.sort((a, b) => a.nodeId - b.nodeId);
  }

  endpointOf(image: MetadataImage, nodeId: number): BrokerEndpoint | undefined {
    const node = getNode(image, nodeId);
    const endpoint = node?.kafkaListener === undefined ? undefined : parseHostPort(node.kafkaListener);
    return endpoint === undefined ? undefined : { nodeId, ...endpoint, rack: node?.rack ?? null };
  }

  route(image: MetadataImage, topic: string, partition: number): Route {
    const t = image.topics[topic];
    const p = t?.partitions[partition];
    if (t === undefined || p === undefined) return { ok: false, code: 'UNKNOWN_TOPIC_OR_PARTITION' };
    if (p.leader < 0) return { ok: false, code: 'LEADER_NOT_AVAILABLE' };
    return { ok: true, topic: t, partition: p };
  }

  /** One request; a timeout or a closed inbox becomes a REQUEST_TIMED_OUT reply, never a throw. */
  async request(to: string, type: string, body: unknown, timeoutMs?: number): Promise<Reply> {
    try {
      const envelope = await this.rpc.request(to, type, body, timeoutMs === undefined ? {} : { timeoutMs });
      const reply = envelope.body as Reply;
      return typeof reply === 'object' && reply !== null && typeof reply.code === 'string' ? reply : { code: 'INVALID_REQUEST', message: `${type}: a reply without a code` };
    } catch (error) {
      return { code: 'REQUEST_TIMED_OUT', message: `${type} to ${to}: ${(error as Error).message}` };
    }
  }

  /** Sends without a correlation id: nothing answers (acks=0), so nothing waits in the request table. */
  send(to: string, type: string, body: unknown): void {
    this.options.transport.send({ to, from: this.rpc.inbox, type, body });
  }

  /**
   * Waits (up to `timeoutMs`) until this node's image shows what the controller committed, so that
   * a client's next Metadata request here sees its own CreateTopics or DeleteTopics.
   */
  async awaitImage(ready: (image: MetadataImage) => boolean, timeoutMs = 3000): Promise<void> {
    const deadline = this.clock.nowMs() + timeoutMs;
    for (;;) {
      const image = this.image();
      if ((image !== undefined && ready(image)) || this.clock.nowMs() >= deadline) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** An SDK admin call; its BrookError becomes an error reply. */
  async adminCall(call: (admin: Admin) => Promise<unknown>): Promise<Reply> {
    try {
      const result = await call(this.admin);
      return { code: 'OK', result };
    } catch (error) {
      if (error instanceof BrookError) return { code: error.code, message: error.message };
      return { code: 'UNKNOWN_SERVER_ERROR', message: String(error) };
    }
  }

  close(): void { this.rpc.close(); this.admin.close(); }
}

export function parseHostPort(value: string): { host: string; port: number } | undefined {
  const at = value.lastIndexOf(':');
  if (at <= 0) return undefined;
  const host = value.slice(0, at).replace(/^\[(.*)\]$/, '$1');
  const port = Number(value.slice(at + 1));
  return Number.isInteger(port) && port > 0 && port < 65536 ? { host, port } : undefined;
}
