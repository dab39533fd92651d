/**
 * The client's metadata cache: which node leads each partition of the topics this client uses,
 * refreshed by a `metadata` request to the metadata address (every node answers; the first OK reply for the
 * corr wins, later ones are ignored). A refresh happens when a needed topic is unknown, when a
 * reply said the leader moved (`refreshMetadata` in the error table), or when the cache is older
 * than metadataMaxAgeMs; failed or timed-out refreshes back off with jitter.
 */
import { assert } from '../assert.js';
import { fetchAddress, METADATA } from '../kit/addresses.js';
import { backoffMs, type BackoffPolicy } from '../kit/backoff.js';
import { sendTo, type Fx } from './effects.js';
import type { MetadataReply, PartitionInfo, TopicInfo } from './messages.js';


export interface MetadataCache {
  topics: Map<string, TopicInfo>;
  /** Topics this client needs (asked for in every refresh). */
  wanted: Set<string>;
  /** Topics the last reply did not have. */
  missing: Set<string>;
  fetchedAtMs: number;
  /** A refresh is due as soon as the backoff allows. */
  stale: boolean;
  request: { corr: number; deadlineMs: number } | undefined;
  retryAtMs: number;
  failures: number;
}

export interface MetadataPolicy { maxAgeMs: number; requestTimeoutMs: number; backoff: BackoffPolicy }

export function createMetadataCache(): MetadataCache {
  return { topics: new Map(), wanted: new Set(), missing: new Set(), fetchedAtMs: -Infinity, stale: false,
    request: undefined, retryAtMs: -Infinity, failures: 0 };
}

/**
 * Notes that the client needs `topic`; an unknown topic makes the cache stale. Like every function
 * here that takes the cache, it changes the cache object (which the caller's step owns: see
 * actors/kit/draft.ts) but replaces, never changes, the collections inside it.
 */
export function wantTopic(cache: MetadataCache, topic: string): void {
  if (!cache.wanted.has(topic)) cache.wanted = new Set(cache.wanted).add(topic);
  if (!cache.topics.has(topic)) cache.stale = true;
}

/** Whether a refresh is due now with none in flight (a caller owns the cache for a step only then). */
export function mayRefresh(cache: MetadataCache, nowMs: number, policy: MetadataPolicy): boolean {
  if (cache.request !== undefined || cache.wanted.size === 0) return false;
  const due = cache.stale || nowMs - cache.fetchedAtMs >= policy.maxAgeMs;
  return due && nowMs >= cache.retryAtMs;
}

/** Starts a refresh when one is due and none is in flight. Returns true when it sent one. */
export function maybeRefresh(cache: MetadataCache, fx: Fx, nowMs: number, corr: () => number, policy: MetadataPolicy): boolean {
  if (!mayRefresh(cache, nowMs, policy)) return false;
  const c = corr();
  cache.request = { corr: c, deadlineMs: nowMs + policy.requestTimeoutMs };
  sendTo(fx, METADATA, 'metadata', c, { topics: [...cache.wanted].sort() });
  return true;
}

/** A refresh failed (error reply or timeout): back off before the next one. Returns the next PRNG state. */
export function refreshFailed(cache: MetadataCache, nowMs: number, policy: MetadataPolicy, prng: number): number {
  assert(cache.request !== undefined, 'a refresh fails only while one is out');
  cache.request = undefined;
  cache.stale = true;
  cache.failures++;
  const [delayMs, next] = backoffMs(policy.backoff, cache.failures, prng);
  assert(delayMs >= 0, `a backoff of ${delayMs} ms`);
  cache.retryAtMs = nowMs + delayMs;
  return next;
}

/** Whether the refresh in flight is past its deadline. */
export function refreshOverdue(cache: MetadataCache, nowMs: number): boolean {
  return cache.request !== undefined && nowMs >= cache.request.deadlineMs;
}

/** Expires a refresh without reply. Returns the next PRNG state. */
export function checkRefreshDeadline(cache: MetadataCache, nowMs: number, policy: MetadataPolicy, prng: number): number {
  if (!refreshOverdue(cache, nowMs)) return prng;
  return refreshFailed(cache, nowMs, policy, prng);
}

/**
 * Applies a reply. 'ignored': not the refresh in flight (a later node's answer, a stale corr) or an error.
 * Topics absent from the reply stay wanted and go to `missing`; the cache stays stale while any
 * wanted topic is missing or has a partition without a leader, so the refresh repeats with backoff.
 */
export function onMetadataReply(cache: MetadataCache, corr: number, body: MetadataReply, nowMs: number,
    policy: MetadataPolicy, prng: number): { outcome: 'ignored' | 'applied'; prng: number } {
  if (cache.request?.corr !== corr) return { outcome: 'ignored', prng };
  // Every node answers `meta`; one node's error (still starting, fenced) must not hide another's
  // answer, so errors are ignored and only the deadline fails a refresh.
  if (body.code !== 'OK') return { outcome: 'ignored', prng };
  cache.request = undefined;
  cache.fetchedAtMs = nowMs;
  const topics = new Map(cache.topics);
  for (const topic of body.topics) {
    const known = topics.get(topic.name);
    // Partition counts only grow, and epochs only advance: an older node's answer never rolls back.
    const merged = known === undefined ? topic : mergeTopic(known, topic);
    // An older node's answer never rolls the cache back: a client that followed it would send to a deposed leader.
    assert(known === undefined || known.topicId !== merged.topicId
      || known.partitions.every((p, i) => (merged.partitions[i]?.leaderEpoch ?? -1) >= p.leaderEpoch), `${topic.name}: a leader epoch went back in the cache`);
    topics.set(topic.name, merged);
  }
  cache.topics = topics;
  const missing = new Set<string>();
  let incomplete = false;
  for (const name of cache.wanted) {
    const topic = topics.get(name);
    if (topic === undefined) { missing.add(name); incomplete = true; }
    else if (topic.partitions.some((p) => p.leader < 0)) incomplete = true;
  }
  cache.missing = missing;
  assert([...cache.wanted].every((name) => topics.has(name) || missing.has(name)), 'a wanted topic is known or missing');
  if (incomplete) {
    cache.failures++;
    const [delayMs, next] = backoffMs(policy.backoff, cache.failures, prng);
    cache.retryAtMs = nowMs + delayMs;
    cache.stale = true;
    return { outcome: 'applied', prng: next };
  }
  cache.stale = false;
  cache.failures = 0;
  return { outcome: 'applied', prng };
}

function mergeTopic(known: TopicInfo, fresh: TopicInfo): TopicInfo {
  assert(known.name === fresh.name, 'a topic merges with itself');
  if (known.topicId !== fresh.topicId) return fresh; // Deleted and recreated: the new topic wins.
  const partitions: PartitionInfo[] = [];
  const count = Math.max(known.partitions.length, fresh.partitions.length);
  for (let i = 0; i < count; i++) {
    const a = known.partitions[i];
    const b = fresh.partitions[i];
    const pick = a === undefined ? b : b === undefined ? a : b.leaderEpoch >= a.leaderEpoch ? b : a;
    assert(pick !== undefined, 'a partition from one side');
    partitions.push(pick);
  }
  return { ...fresh, partitions };
}

/**
 * A partition's leader as the cache knows it. `address` is the leader's fetch address (fetch and
 * listOffsets); produce goes to `produceAddress(topic, partition, leaderId)`.
 */
export interface LeaderRoute { address: string; leaderId: number; leaderEpoch: number }

/** Names one leader incarnation: a partition's leader node at one leader epoch. */
export function routeKey(leaderId: number, leaderEpoch: number): string { return `${leaderId}/${leaderEpoch}`; }

/** Where to send a request for a partition, or undefined when its leader is unknown. */
export function leaderRoute(cache: MetadataCache, topic: string, partition: number): LeaderRoute | undefined {
  const p = cache.topics.get(topic)?.partitions[partition];
  if (p === undefined || p.leader < 0) return undefined;
  assert(partition >= 0, 'partition ids are non-negative');
  return { address: fetchAddress(topic, partition, p.leader), leaderId: p.leader, leaderEpoch: p.leaderEpoch };
}

/** Partitions of `topic` that have a leader now (the sticky partitioner draws from these). */
export function partitionsWithLeader(cache: MetadataCache, topic: string): number[] {
  const out: number[] = [];
  for (const p of cache.topics.get(topic)?.partitions ?? []) if (p.leader >= 0) out.push(p.partition);
  return out;
}
