/**
 * The data behind the web console, in the shapes of the CLI's `--json`: `/api/cluster` is
 * `brook cluster status --json`, `/api/topics` is `brook topics describe --json` for every topic
 * (plus an under-replicated flag and the log end offset per partition), `/api/groups` is
 * `brook groups describe --json` for every group. Cluster and topics come from this node's
 * metadata image, as the CLI's metadata requests do; log end offsets from `listOffsets` to the
 * leaders; groups through an admin client on the node's own connection. Answers are kept for
 * a second, so several open consoles cost the cluster no more than one.
 */
import type { Transport } from '../../transport/transport.js';
import type { BrookNode } from '../node/node.js';
import { metadataReply } from '../node/metadata-reply.js';
import { summarize, type ClusterStatus } from '../cli/cluster-status.js';
import { connect, type BrookClient } from '../sdk/connect.js';
import type { Admin, ClusterMetadata, GroupDescription, PartitionInfo, TopicInfo } from '../sdk/admin.js';
import { BrookError } from '../sdk/errors.js';
import { leaderHighWatermark } from './leader-offsets.js';

export type ConsoleCluster = ClusterStatus & { servedBy: number; metadataOffset: number };
export type ConsolePartition = PartitionInfo & { underReplicated: boolean; logEndOffset: number | null };
export type ConsoleTopic = Omit<TopicInfo, 'partitions'> & { internal: boolean; partitions: ConsolePartition[] };
export interface ConsoleGroups { groups: GroupDescription[]; errors: Array<{ groupId: string; code: string; message: string }> }

const CACHE_MS = 1_000;
const OFFSET_TIMEOUT_MS = 500;
/** Log end offsets are asked for at most this many partitions per answer (the rest show none). */
const OFFSETS_MAX = 2_000;
/** Groups described per answer. */
const GROUPS_MAX = 50;

/** The node's transport lent to a client: closing the client must not close the node's connection. */
function lent(transport: Transport): Transport {
  return { send: (e, o) => transport.send(e, o), listen: (a, h) => transport.listen(a, h), unlisten: (a) => transport.unlisten(a), close: async () => {} };
}

export class ConsoleApi {
  private client: Promise<BrookClient> | undefined;
  private admin: Admin | undefined;
  private readonly cache = new Map<string, { atMs: number; value: Promise<unknown> }>();

  constructor(private readonly node: BrookNode, private readonly transport: Transport) {}

  cluster(): ConsoleCluster {
    const metadata = this.metadata();
    return { ...summarize(metadata, this.node.controllerTerm, this.node.controllerId), servedBy: this.node.config.nodeId, metadataOffset: this.node.metadata.appliedOffset };
  }

  topics(): Promise<ConsoleTopic[]> { return this.cached('topics', () => this.describeTopics()); }

  groups(): Promise<ConsoleGroups> { return this.cached('groups', () => this.describeGroups()); }

  async close(): Promise<void> {
    this.admin?.close();
    const client = await this.client?.catch(() => undefined);
    await client?.close();
  }

  private metadata(): ClusterMetadata {
    const n = this.node;
    return metadataReply(n.metadata.image, n.config.cluster, n.controllerId, n.controllerTerm, undefined) as unknown as ClusterMetadata;
  }

  private cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    const nowMs = this.node.env.clock.nowMs();
    const hit = this.cache.get(key);
    if (hit !== undefined && nowMs - hit.atMs < CACHE_MS) return hit.value as Promise<T>;
    const value = load();
    this.cache.set(key, { atMs: nowMs, value });
    value.catch(() => this.cache.delete(key));
    return value;
  }

  private async describeTopics(): Promise<ConsoleTopic[]> {
    let asked = 0;
    return await Promise.all(this.metadata().topics.map(async (t) => ({
      ...t, internal: t.name.startsWith('__'),
      partitions: await Promise.all(t.partitions.map(async (p) => ({
        ...p, underReplicated: p.isr.length < p.replicas.length,
        logEndOffset: p.leader >= 0 && asked++ < OFFSETS_MAX ? await leaderHighWatermark(this.node.rpc, t.name, p.partition, p.leader, OFFSET_TIMEOUT_MS) : null,
      }))),
    })));
  }

  private async describeGroups(): Promise<ConsoleGroups> {
    const admin = await this.adminClient();
    const listed = (await admin.listGroups()).slice(0, GROUPS_MAX);
    const out: ConsoleGroups = { groups: [], errors: [] };
    await Promise.all(listed.map(async ({ groupId }) => {
      try {
        out.groups.push(await admin.describeGroup(groupId));
      } catch (error) {
        out.errors.push({ groupId, code: error instanceof BrookError ? error.code : 'UNKNOWN', message: error instanceof Error ? error.message : String(error) });
      }
    }));
    out.groups.sort((a, b) => a.groupId.localeCompare(b.groupId));
    return out;
  }

  private async adminClient(): Promise<Admin> {
    this.client ??= connect({ transport: lent(this.transport), cluster: this.node.config.cluster,
      clientId: `console-${this.node.config.nodeId}-${this.node.env.random.u32().toString(36)}` });
    const client = await this.client;
    this.admin ??= client.admin({ timeoutMs: 3_000, requestTimeoutMs: 1_000 });
    return this.admin;
  }
}
