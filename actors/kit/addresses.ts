/**
 * The address catalogue (DESIGN.md sections 4 and 12): every address an actor listens on or sends
 * to is built here, nowhere else. The first segment says who may speak there, so NATS permissions
 * can keep clients off node traffic: `n/…` is node-only (Raft, registration and heartbeats, ISR
 * changes, replica fetches, probes); `c/…` is client-facing, split by what a request does
 * (metadata, admin, producer ids, produce, fetch, group), with the topic name as its own segment;
 * `client/<id>` is a client's inbox. An address maps to the subject `brook.<cluster>.<segments>`
 * (transport/subject.ts).
 */

import { assert } from '../assert.js';

// ---- node-only ----
const NODE_ONLY_PREFIX = 'n';
const VOTER_PREFIX = `${NODE_ONLY_PREFIX}/ctl`;
const NODE_PREFIX = `${NODE_ONLY_PREFIX}/node`;
/** Every partition replica is under this prefix: `n/repl/<topic>/<partition>/<nodeId>`. */
export const REPLICA_PREFIX = `${NODE_ONLY_PREFIX}/repl`;
/** A controller voter (Raft between voters). */
export function controllerVoter(nodeId: number): string { return `${VOTER_PREFIX}/${nodeId}`; }
/** The controller leader, for node traffic: registerNode, nodeHeartbeat, alterPartition. */
export const CONTROLLER_FOR_NODES = `${VOTER_PREFIX}/leader`;
/** A node runtime (liveness probes from the controller). */
export function nodeAddress(nodeId: number): string { return `${NODE_PREFIX}/${nodeId}`; }
/** One replica of a partition: the actor's own address; followers fetch from the leader's. */
export function replicaAddress(topic: string, partition: number, nodeId: number): string { return `${REPLICA_PREFIX}/${topic}/${partition}/${nodeId}`; }

// ---- client-facing ----
/**
 * Prefixes a NATS permission can name (runtime/auth/permissions.ts): one topic's produce or fetch
 * addresses are `<prefix>/<topic>/…`, every coordinator is under COORDINATOR_PREFIX, and a
 * client's inboxes are `client/<clientId>/…`.
 */
export const PRODUCE_PREFIX = 'c/produce';
export const FETCH_PREFIX = 'c/fetch';
export const COORDINATOR_PREFIX = 'c/group';
export const CLIENT_PREFIX = 'client';
/** Administration and producer ids go to the controller leader under these. */
export const ADMIN_PREFIX = 'c/admin';
export const PRODUCER_ID_PREFIX = 'c/pid';
/** Cluster metadata and coordinator lookup; every node answers. */
export const METADATA = 'c/meta';
/** The controller leader, for administration: topics, partitions, configs, quorum. */
export const CONTROLLER_FOR_ADMIN = `${ADMIN_PREFIX}/leader`;
/** The controller leader, for producer ids (idempotent producers). */
export const CONTROLLER_FOR_PRODUCERS = `${PRODUCER_ID_PREFIX}/leader`;
/** Produce to one replica (its leader accepts). */
export function produceAddress(topic: string, partition: number, nodeId: number): string { return `${PRODUCE_PREFIX}/${topic}/${partition}/${nodeId}`; }
/** Fetch and list offsets from one replica. */
export function fetchAddress(topic: string, partition: number, nodeId: number): string { return `${FETCH_PREFIX}/${topic}/${partition}/${nodeId}`; }
/** The group coordinator of `__consumer_offsets` partition `partition`, hosted on `nodeId`. */
export function coordinatorAddress(partition: number, nodeId: number): string { return `${COORDINATOR_PREFIX}/${partition}/${nodeId}`; }
/** A client's inbox (producer, consumer, admin). */
export function clientAddress(clientId: string): string { return `${CLIENT_PREFIX}/${clientId}`; }
/**
 * The inbox of one SDK actor: `client/<clientId>/<instance>/<name>`. The client id is a segment of
 * its own, so a NATS user can be confined to `brook.<cluster>.client.<clientId>.>`; the instance
 * (drawn per connection) keeps apart processes that share a client id, as Kafka's client.id may be shared.
 */
export function clientActorAddress(clientId: string, instance: string, name: string): string { return `${clientAddress(clientId)}/${instance}/${name}`; }

/**
 * The families of per-replica addresses, each `<prefix>/<key segments…>/<nodeId>`, and how many key
 * segments sit between the prefix and the node id.
 */
const PER_NODE_FAMILIES: ReadonlyArray<{ prefix: string; keySegments: number }> = [
  { prefix: REPLICA_PREFIX, keySegments: 2 }, { prefix: PRODUCE_PREFIX, keySegments: 2 },
  { prefix: FETCH_PREFIX, keySegments: 2 }, { prefix: COORDINATOR_PREFIX, keySegments: 1 },
];
/** A pattern segment that matches any one segment (a NATS `*` token); never a legal topic name. */
export const ANY_SEGMENT = '*';

/**
 * The pattern a node listens on for a whole family of its per-replica addresses
 * (`c/produce/<any>/<any>/3` for `c/produce/orders/0/3`), or undefined for any other address. A
 * node hosting thousands of replicas then holds a handful of NATS subscriptions, not three per
 * replica, and routes within the family itself.
 */
export function listenPatternOf(address: string): string | undefined {
  for (const { prefix, keySegments } of PER_NODE_FAMILIES) {
    if (!address.startsWith(`${prefix}/`)) continue;
    const rest = address.slice(prefix.length + 1).split('/');
    if (rest.length !== keySegments + 1) return undefined;
    // The catalogue builds these addresses: a key segment that reads as a wildcard, or a last
    // segment that is not a node id, would make the pattern match other nodes' addresses.
    assert(!rest.includes(ANY_SEGMENT), `${address}: a key segment is the any-segment`);
    assert(/^\d{1,10}$/.test(rest[keySegments] as string), `${address}: no node id at its end`);
    return [prefix, ...Array<string>(keySegments).fill(ANY_SEGMENT), rest[keySegments]].join('/');
  }
  return undefined;
}

/**
 * What it means, in Kafka's terms, when NATS refuses a send to `address` (the user's permissions do
 * not cover its subject): a topic's produce or fetch address, a group coordinator, or anything else.
 */
export function authorizationErrorFor(address: string): 'TOPIC_AUTHORIZATION_FAILED' | 'GROUP_AUTHORIZATION_FAILED' | 'CLUSTER_AUTHORIZATION_FAILED' {
  if (address.startsWith(`${PRODUCE_PREFIX}/`) || address.startsWith(`${FETCH_PREFIX}/`)) return 'TOPIC_AUTHORIZATION_FAILED';
  if (address.startsWith(`${COORDINATOR_PREFIX}/`)) return 'GROUP_AUTHORIZATION_FAILED';
  return 'CLUSTER_AUTHORIZATION_FAILED';
}

/** Who may send to an address: a node refuses client envelopes on node-only addresses. */
export function isNodeOnly(address: string): boolean { return address.startsWith(`${NODE_ONLY_PREFIX}/`); }

/** The node id of a controller voter address, or undefined when `address` is not one. */
export function voterIdOf(address: string): number | undefined { return idAfter(address, `${VOTER_PREFIX}/`); }

/** The node id of a node runtime address, or undefined when `address` is not one. */
export function nodeIdOf(address: string): number | undefined { return idAfter(address, `${NODE_PREFIX}/`); }

function idAfter(address: string, prefix: string): number | undefined {
  if (!address.startsWith(prefix)) return undefined;
  const rest = address.slice(prefix.length);
  return /^\d{1,10}$/.test(rest) ? Number(rest) : undefined;
}
