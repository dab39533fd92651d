/**
 * The admin client: topic operations go to the controller leader (`c/admin/leader`), metadata
 * comes from any node (`c/meta`), offsets from partition leaders' fetch addresses, group operations
 * from the group's coordinator (runtime/sdk/group-admin.ts). Retriable errors (no controller yet, a
 * controller that just lost leadership, a timeout) are retried with capped exponential backoff
 * until `timeoutMs`; anything else becomes a `BrookError` at once.
 */
import { isErrorCode, ERRORS } from '../../actors/errors.js';
import type { TopicInfo } from '../../actors/client/messages.js';
import { CONTROLLER_FOR_ADMIN, fetchAddress, METADATA } from '../../actors/kit/addresses.js';
import { Rpc } from '../rpc.js';
import type { ActorHost } from '../host.js';
import { BrookError } from './errors.js';
import { applyOffsetReset, describeGroup, fetchOffsets, groupCall, listGroups, planOffsetReset, type CommittedOffset, type GroupAdminDeps,
  type GroupDescription, type GroupListing, type ResetPlanEntry, type ResetSpec } from './group-admin.js';

export type { CommittedOffset, GroupDescription, GroupListing, GroupPartitionDescription, ResetPlanEntry, ResetSpec } from './group-admin.js';

export interface TopicSpec { partitions?: number; replicationFactor?: number; configs?: Record<string, string> }

export type { NodeInfo, PartitionInfo, TopicInfo } from '../../actors/client/messages.js';
export type { ClusterMetadata, OffsetSpec } from './admin-types.js';
import type { ClusterMetadata, OffsetSpec } from './admin-types.js';
export interface Reassignment { topic: string; partition: number; replicas: number[]; addingReplicas: number[]; removingReplicas: number[]; isr: number[]; leader: number }
export interface ElectionResult { topic: string; partition: number; code: string; message?: string }
export interface BalanceMove { topic: string; partition: number; replicas: number[]; target: number[] }
export interface QuorumInfo { leaderId: number; term: number; voters: number[]; commitIndex: number }


export interface AdminOptions { timeoutMs?: number; requestTimeoutMs?: number }

/** Admins created per client so far: each gets its own inbox, so closing one never deafens another. */
/** What an admin needs of its client (BrookClient has it): its id, its host's transport and clock, and its inboxes. */
export interface AdminClient { readonly clientId: string; readonly host: ActorHost; inboxAddress(name: string): string }

const adminsByClient = new WeakMap<AdminClient, number>();

export class Admin {
  private readonly rpc: Rpc;
  private readonly timeoutMs: number;

  constructor(private readonly client: AdminClient, options: AdminOptions = {}) {
    const { transport, clock } = client.host.options;
    const n = (adminsByClient.get(client) ?? 0) + 1;
    adminsByClient.set(client, n);
    this.rpc = new Rpc(transport, clock, client.inboxAddress(`admin${n === 1 ? '' : `-${n}`}`), { timeoutMsDefault: options.requestTimeoutMs ?? 2000 });
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

  // ---- consumer groups ----

  /** Every group of every coordinator, sorted by id. */
  async listGroups(): Promise<GroupListing[]> { return await listGroups(this.groupDeps()); }

  /** State, epochs, members and per partition the owner, committed offset, log end offset and lag; GROUP_ID_NOT_FOUND for an unknown group. */
  async describeGroup(groupId: string): Promise<GroupDescription> { return await describeGroup(this.groupDeps(), groupId); }

  /** The group's committed offsets (of one topic when given). */
  async fetchOffsets(groupId: string, topic?: string): Promise<CommittedOffset[]> { return await fetchOffsets(this.groupDeps(), groupId, topic); }

  /** Where `resetOffsets` would move each partition of `topic`, without writing anything. */
  async planOffsetReset(groupId: string, topic: string, spec: ResetSpec): Promise<ResetPlanEntry[]> {
    return await planOffsetReset(this.groupDeps(), groupId, topic, spec);
  }

  /** Moves the group's offsets on `topic`; refused with NON_EMPTY_GROUP while the group has members. Returns what it wrote. */
  async resetOffsets(groupId: string, topic: string, spec: ResetSpec): Promise<ResetPlanEntry[]> {
    const plan = await planOffsetReset(this.groupDeps(), groupId, topic, spec);
    await applyOffsetReset(this.groupDeps(), groupId, plan);
    return plan;
  }

  /** Deletes an empty group and its offsets (NON_EMPTY_GROUP while it has members). */
  async deleteGroup(groupId: string): Promise<void> { await groupCall(this.groupDeps(), groupId, 'deleteGroup', { groupId }); }

  /** Deletes the group's committed offsets of one topic. */
  async deleteGroupOffsets(groupId: string, topic: string): Promise<void> {
    await groupCall(this.groupDeps(), groupId, 'deleteGroupOffsets', { groupId, topic });
  }

  // ---- placement ----

  /** Moves a partition to `replicas` (KIP-455); `null` cancels the reassignment in progress. */
  async alterPartitionReassignment(topic: string, partition: number, replicas: number[] | null): Promise<void> {
    await this.call(CONTROLLER_FOR_ADMIN, 'alterPartitionReassignments', { topic, partition, replicas });
  }

  async listPartitionReassignments(topics?: string[]): Promise<Reassignment[]> {
    return (await this.call(CONTROLLER_FOR_ADMIN, 'listPartitionReassignments', topics ? { topics } : {}))['reassignments'] as Reassignment[];
  }

  /** Preferred leader election for every partition, a topic's, or some partitions of a topic. */
  async electLeaders(topic?: string, partitions?: number[]): Promise<ElectionResult[]> {
    const body = { ...(topic !== undefined ? { topic } : {}), ...(partitions !== undefined ? { partitions } : {}) };
    return (await this.call(CONTROLLER_FOR_ADMIN, 'electLeaders', body))['results'] as ElectionResult[];
  }

  /** Starts draining a node; it is decommissioned once its replicas have moved (see `metadata()`). */
  async decommissionNode(nodeId: number): Promise<void> { await this.call(CONTROLLER_FOR_ADMIN, 'decommissionNode', { nodeId }); }

  /** The balance plan; unless `dryRun`, the controller starts running it. */
  async balanceCluster(dryRun: boolean): Promise<BalanceMove[]> {
    return (await this.call(CONTROLLER_FOR_ADMIN, 'balanceCluster', { dryRun }))['moves'] as BalanceMove[];
  }

  /** Cluster settings (an empty value restores the default). */
  async alterClusterConfigs(configs: Record<string, string>): Promise<void> { await this.call(CONTROLLER_FOR_ADMIN, 'alterClusterConfigs', { configs }); }

  close(): void { this.rpc.close(); }

  private groupDeps(): GroupAdminDeps {
    return { call: (to, type, body, retry) => this.call(to, type, body, retry), metadata: (topics) => this.metadata(topics),
      describeTopic: (name) => this.describeTopic(name), listOffsets: (topic, spec, partitions) => this.listOffsets(topic, spec, partitions),
      nowMs: () => this.client.host.options.clock.nowMs(), timeoutMs: this.timeoutMs };
  }

  /** One request with retries of retriable errors until the admin timeout (`retry` false: the first failure throws). */
  private async call(to: string, type: string, body: unknown, retry = true): Promise<Record<string, unknown>> {
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
      if (!retry || !lastError.retriable || this.client.host.options.clock.nowMs() >= deadline) throw lastError;
      await sleep(Math.min(1000, 50 * 2 ** attempt));
    }
  }
}

function sleep(ms: number): Promise<void> { return new Promise((resolve) => setTimeout(resolve, ms)); }

export function createAdmin(client: AdminClient, options?: AdminOptions): Admin { return new Admin(client, options); }
