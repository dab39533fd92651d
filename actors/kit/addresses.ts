/**
 * The address catalogue (DESIGN.md sections 4 and 12): every address an actor listens on or sends
 * to is built here, nowhere else. The first segment says who may speak there, so NATS permissions
 * can keep clients off node traffic: `n/…` is node-only (Raft, registration and heartbeats, ISR
 * changes, replica fetches, probes); `c/…` is client-facing, split by what a request does
 * (metadata, admin, producer ids, produce, fetch, group), with the topic name as its own segment;
 * `client/<id>` is a client's inbox. An address maps to the subject `brook.<cluster>.<segments>`
 * (transport/subject.ts).
 */

// ---- node-only ----
/** A controller voter (Raft between voters). */
export function controllerVoter(nodeId: number): string { return `n/ctl/${nodeId}`; }
/** The controller leader, for node traffic: registerNode, nodeHeartbeat, alterPartition. */
export const CONTROLLER_FOR_NODES = 'n/ctl/leader';
/** A node runtime (liveness probes from the controller). */
export function nodeAddress(nodeId: number): string { return `n/node/${nodeId}`; }
/** One replica of a partition: the actor's own address; followers fetch from the leader's. */
export function replicaAddress(topic: string, partition: number, nodeId: number): string { return `n/repl/${topic}/${partition}/${nodeId}`; }

// ---- client-facing ----
/** Cluster metadata and coordinator lookup; every node answers. */
export const METADATA = 'c/meta';
/** The controller leader, for administration: topics, partitions, configs, quorum. */
export const CONTROLLER_FOR_ADMIN = 'c/admin/leader';
/** The controller leader, for producer ids (idempotent producers). */
export const CONTROLLER_FOR_PRODUCERS = 'c/pid/leader';
/** Produce to one replica (its leader accepts). */
export function produceAddress(topic: string, partition: number, nodeId: number): string { return `c/produce/${topic}/${partition}/${nodeId}`; }
/** Fetch and list offsets from one replica. */
export function fetchAddress(topic: string, partition: number, nodeId: number): string { return `c/fetch/${topic}/${partition}/${nodeId}`; }
/** The group coordinator of `__consumer_offsets` partition `partition`, hosted on `nodeId`. */
export function coordinatorAddress(partition: number, nodeId: number): string { return `c/group/${partition}/${nodeId}`; }
/** A client's inbox (producer, consumer, admin). */
export function clientAddress(clientId: string): string { return `client/${clientId}`; }

/** Who may send to an address: a node refuses client envelopes on node-only addresses. */
export function isNodeOnly(address: string): boolean { return address.startsWith('n/'); }

/** The node id of a controller voter address, or undefined when `address` is not one. */
export function voterIdOf(address: string): number | undefined { return idAfter(address, 'n/ctl/'); }

/** The node id of a node runtime address, or undefined when `address` is not one. */
export function nodeIdOf(address: string): number | undefined { return idAfter(address, 'n/node/'); }

function idAfter(address: string, prefix: string): number | undefined {
  if (!address.startsWith(prefix)) return undefined;
  const rest = address.slice(prefix.length);
  return /^\d{1,10}$/.test(rest) ? Number(rest) : undefined;
}
