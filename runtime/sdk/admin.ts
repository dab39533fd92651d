/**
 * The admin client: topic operations go to the controller leader (`c/admin/leader`), metadata
 * comes from any node (`c/meta`), offsets from partition leaders' fetch addresses, group operations
 * from the group's coordinator (runtime/sdk/group-admin.ts). Retriable errors (no controller yet, a
 * controller that just lost leadership, a timeout) are retried with the clients' capped exponential
 * backoff (actors/kit/backoff.ts: jitter from a seeded PRNG, waits on the client's clock) until `timeoutMs`; anything else becomes a `BrookError` at once.
 */
import { isErrorCode, ERRORS, type ErrorCode } from '../../actors/errors.js';
import type { TopicInfo } from '../../actors/client/messages.js';
import { CONTROLLER_FOR_ADMIN, fetchAddress, METADATA } from '../../actors/kit/addresses.js';
import { backoffMs, type BackoffPolicy } from '../../actors/kit/backoff.js';
import { randomBytes } from 'node:crypto';
import type { Transport } from '../../transport/transport.js';
import type { Clock } from '../clock.js';
import { Rpc } from '../rpc.js';
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


/**
 * `timeoutMs` bounds every admin call, retries included (default 15 s); `requestTimeoutMs` bounds
 * one attempt (default 2 s). When no node of the cluster listens at all, a call fails with
 * BROKER_NOT_AVAILABLE after `noNodeGraceMs` (default 3 s) instead of waiting out `timeoutMs`.
 */
export interface AdminOptions { timeoutMs?: number; requestTimeoutMs?: number; noNodeGraceMs?: number }

/**
 * What an admin client runs on: the client's transport and clock, its own inbox, a name for errors,
 * and the seed of its retry jitter (drawn at random when absent).
 */
export interface AdminDeps { transport: Transport; clock: Clock; inbox: string; target: string; seed?: number }

/** Retries start at 50 ms: an admin call is usually waiting for a controller election or a topic's leaders. */
const ADMIN_BACKOFF: BackoffPolicy = { baseMs: 50, maxMs: 1000 };

/** Replies from the controller leader that are final: it holds the newest metadata, so a retry would get the same answer. */
const CONTROLLER_FINAL: ReadonlySet<ErrorCode> = new Set(['UNKNOWN_TOPIC_OR_PARTITION']);

export class Admin {
  private readonly rpc: Rpc;
  private readonly clock: Clock;
  private readonly target: string;
  private readonly timeoutMs: number;
  private readonly noNodeGraceMs: number;
  /** The newest metadata offset a change made through this admin committed at: later metadata reads see at least that. */
  private metadataOffsetSeen = 0;
  /** The retry jitter's PRNG state (actors/prng.ts). */
  private prng: number;

  constructor(deps: AdminDeps, options: AdminOptions = {}) {
    this.rpc = new Rpc(deps.transport, deps.clock, deps.inbox, { timeoutMsDefault: options.requestTimeoutMs ?? 2000 });
    this.clock = deps.clock;
    this.target = deps.target;
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.noNodeGraceMs = Math.min(this.timeoutMs, options.noNodeGraceMs ?? 3_000);
    this.prng = deps.seed ?? randomBytes(4).readUInt32LE(0);
  }

  /** The topic id is proposed here, so a retry after a lost reply is recognised by the controller and answered OK. */
  async createTopic(name: string, spec: TopicSpec = {}): Promise<{ topicId: string }> {
    const body = { name, partitions: spec.partitions ?? 1, replicationFactor: spec.replicationFactor ?? 1, configs: spec.configs ?? {},
      topicId: randomBytes(16).toString('hex') };
    const reply = await this.call(CONTROLLER_FOR_ADMIN, 'createTopic', body);
    return { topicId: String(reply['topicId']) };
  }

  async deleteTopic(name: string): Promise<void> { await this.call(CONTROLLER_FOR_ADMIN, 'deleteTopic', { name }); }

  /** Grows a topic to `totalCount` partitions (Kafka's CreatePartitions). */
  async createPartitions(name: string, totalCount: number): Promise<void> { await this.call(CONTROLLER_FOR_ADMIN, 'createPartitions', { name, totalCount }); }

  /** Sets `configs` and restores the defaults of `deletes` (Kafka's incremental SET and DELETE). */
  async alterConfigs(name: string, configs: Record<string, string>, deletes: string[] = []): Promise<void> {
    if (Object.values(configs).some((v) => v === '')) throw new BrookError('INVALID_CONFIG', 'a config value is empty: list the config in `deletes` to restore its default');
    await this.call(CONTROLLER_FOR_ADMIN, 'alterConfigs', { name, configs: { ...configs, ...Object.fromEntries(deletes.map((k) => [k, ''])) } });
  }

  async metadata(topics?: string[]): Promise<ClusterMetadata> {
    const body = { ...(topics ? { topics } : {}), ...(this.metadataOffsetSeen > 0 ? { minOffset: this.metadataOffsetSeen } : {}) };
    return await this.call(METADATA, 'metadata', body) as unknown as ClusterMetadata;
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

  /** One request to a client-facing address, with the retries every admin call gets (the Kafka listener forwards through it). */
  async request(to: string, type: string, body: unknown): Promise<Record<string, unknown>> { return await this.call(to, type, body); }

  /** One request to the coordinator of `groupId`, looked up again while it moves. */
  async groupRequest(groupId: string, type: string, body: unknown): Promise<Record<string, unknown>> {
    return await groupCall(this.groupDeps(), groupId, type, body);
  }

  close(): void { this.rpc.close(); }

  private groupDeps(): GroupAdminDeps {
    return { call: (to, type, body, retry) => this.call(to, type, body, retry), metadata: (topics) => this.metadata(topics),
      describeTopic: (name) => this.describeTopic(name), listOffsets: (topic, spec, partitions) => this.listOffsets(topic, spec, partitions),
      nowMs: () => this.clock.nowMs(), timeoutMs: this.timeoutMs, pause: (attempt) => this.pause(attempt) };
  }

  /** One attempt: the reply, or the error it amounts to (a timeout is REQUEST_TIMED_OUT). Fail-fast: nobody listening is UNKNOWN_ADDRESS. */
  private async attempt(to: string, type: string, body: unknown): Promise<Record<string, unknown> | BrookError> {
    try {
      const reply = (await this.rpc.request(to, type, body, { failFast: true })).body as Record<string, unknown>;
      if (reply['code'] === 'OK') {
        if (typeof reply['metadataOffset'] === 'number' && to === CONTROLLER_FOR_ADMIN) this.metadataOffsetSeen = Math.max(this.metadataOffsetSeen, reply['metadataOffset']);
        return reply;
      }
      const code = isErrorCode(reply['code']) ? reply['code'] : 'INVALID_REQUEST';
      return new BrookError(code, typeof reply['message'] === 'string' ? reply['message'] : ERRORS[code].text);
    } catch (error) {
      return new BrookError('REQUEST_TIMED_OUT', `no answer from ${to} (${String((error as { code?: unknown }).code)})`);
    }
  }

  /**
   * One request with retries of retriable errors until the admin timeout (`retry` false: the first
   * failure throws). Nothing listening at `to` while no node of the cluster listens at all either
   * ends the call after the grace period: a wrong cluster name or a cluster that is down.
   */
  private async call(to: string, type: string, body: unknown, retry = true): Promise<Record<string, unknown>> {
    const startMs = this.clock.nowMs();
    for (let attempt = 0; ; attempt++) {
      const result = await this.attempt(to, type, body);
      if (!(result instanceof BrookError)) return result;
      const final = !retry || !result.retriable || (to === CONTROLLER_FOR_ADMIN && CONTROLLER_FINAL.has(result.code));
      if (final) throw result;
      const elapsedMs = this.clock.nowMs() - startMs;
      if (result.code === 'UNKNOWN_ADDRESS' && elapsedMs >= this.noNodeGraceMs && await this.noNodeListens(to)) {
        throw new BrookError('BROKER_NOT_AVAILABLE', `no node answers on ${this.target}: is the cluster running, and are --nats and --cluster right?`);
      }
      if (elapsedMs >= this.timeoutMs) throw this.gaveUp(to, result);
      await this.pause(attempt + 1);
    }
  }

  /** The wait before retry number `attempt` (1 = the first). */
  private pause(attempt: number): Promise<void> {
    const [delayMs, prng] = backoffMs(ADMIN_BACKOFF, attempt, this.prng);
    this.prng = prng;
    return new Promise((resolve) => { this.clock.setTimeout(resolve, delayMs); });
  }

  private async noNodeListens(to: string): Promise<boolean> {
    if (to === METADATA) return true;
    const probe = await this.attempt(METADATA, 'metadata', { topics: [] });
    return probe instanceof BrookError && probe.code === 'UNKNOWN_ADDRESS';
  }

  /** The last error, said in terms of what did not answer. */
  private gaveUp(to: string, last: BrookError): BrookError {
    const seconds = `${(this.timeoutMs / 1000).toFixed(1)} s`;
    const who = to === CONTROLLER_FOR_ADMIN ? 'no controller answers' : to === METADATA ? 'no node answers' : `${to} does not answer`;
    if (last.code === 'REQUEST_TIMED_OUT' || last.code === 'UNKNOWN_ADDRESS') return new BrookError('REQUEST_TIMED_OUT', `${who} on ${this.target} within ${seconds}`);
    return new BrookError(last.code, `${last.message} (still after ${seconds})`, last.detail);
  }
}

