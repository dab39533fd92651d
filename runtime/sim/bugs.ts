/**
 * Planted bugs: test-only switches that break the system on purpose so that tests can show each
 * simulation check fails when it should. They live at the runtime's seams (what a message says on
 * the way in, what a node tells its actors, what a storage effect does) and are consulted only
 * while a test has planted one; production never sets them.
 * Each names the check expected to catch it.
 */
import type { Envelope } from '../../transport/envelope.js';
import type { BugHooks } from '../bug-hooks.js';
import { clientAddress, COORDINATOR_PREFIX, nodeAddress, REPLICA_PREFIX } from '../../actors/kit/addresses.js';
import { fromBatch, toBatch, type CoordRecord } from '../../actors/coordinator/records.js';
import type { StoredBatch } from '../../actors/partition/batch.js';

export const BUGS = {
  /** Vote replies always grant: two candidates can both win one term. → one-raft-leader-per-term */
  grantEveryVote: 'one-raft-leader-per-term',
  /** The Raft term and vote are never persisted: a restarted voter goes back in time. → term-regressed */
  forgetRaftState: 'term-regressed',
  /** Log truncation is acknowledged but not done: conflicting entries survive. → log-matching / committed-changed / replicas-diverge-below-hw */
  skipTruncation: 'log-matching',
  /**
   * Every plain (non-idempotent) produce is treated as acks=1: a leader's crash loses acknowledged
   * writes. Idempotent ones are spared: their lost batches would leave a gap in the producer's
   * sequence, which `idempotent-send-failed` reports first and ends the run before its final reads. → lost-write
   */
  acksAllAsOne: 'lost-write',
  /** Idempotent batches lose their producer id on the way in: retries are appended again. → duplicate */
  dropProducerId: 'duplicate',
  /** The workload consumer's (client/c0) fetch replies lose their first batch: it skips offsets. → poll-skip */
  dropFirstFetchedBatch: 'poll-skip',
  /** Acknowledged produces reach producers as definite failures. → G1a (a failed write is read) */
  failAcknowledgedProduce: 'G1a',
  /** The workload consumer's fetched batches arrive two offsets too high. → nonmonotonic-poll */
  shiftFetchedOffsets: 'nonmonotonic-poll',
  /** The workload consumer's fetched batches carry the records of the wrong batch. → inconsistent-offsets */
  swapFetchedRecords: 'inconsistent-offsets',
  /**
   * A newly elected leader is told its predecessor's epoch, and produces carry no leader epoch (as
   * Kafka's do not), so nothing fences the two. → one-writer-per-epoch
   */
  electionKeepsEpoch: 'one-writer-per-epoch',
  /** A leader answers each follower's first data fetch with a divergence at offset 0. → hw-regressed */
  divergeToStart: 'hw-regressed',
  /**
   * The leader counts a follower at the LEO it last told that follower, not at the offset the follower
   * asks for next (as if a batch sent were a batch stored): it commits and acknowledges acks=all
   * batches the rest of the ISR does not have, and a failover to such a follower exposes a shorter log. → exposed-hw-regressed / lost-write
   */
  ackBeforeIsrHasBatch: 'exposed-hw-regressed',
  /**
   * A partition append that failed on disk reaches its replica as stored: a leader whose write
   * failed keeps leading with the batch in memory only, serves it to followers and acknowledges it,
   * while its own log has a hole. → replicas-diverge-below-hw
   */
  leaderKeepsLeadingOnWriteError: 'replicas-diverge-below-hw',
  /** node-2's disk acknowledges partition appends it never makes. → exposed-hw-regressed */
  lyingDiskOnNode2: 'exposed-hw-regressed',
  /** Node 1 skips other nodes' re-registrations in its metadata (but counts them as applied). → node-epoch-regressed */
  node1IgnoresNodeRecords: 'node-epoch-regressed',
  /**
   * The controller finishes reassignments without waiting for the new replicas to join the ISR: a
   * move onto empty replicas elects one of them. → lost-write
   */
  dropRemovingEarly: 'lost-write',
  /**
   * The controller leader drops a follower's refusal when a later request overtook it (a round
   * trip longer than the heartbeat interval): a follower behind a new leader is never backed up
   * and stays behind while the other two voters commit. → liveness (controller voters behind)
   */
  dropOvertakenRefusals: 'liveness',
  /** Every heartbeat reply hands its member partition 0 as well, whoever owns it. → group-two-owners */
  repliesGrantPartition0: 'group-two-owners',
  /** A coordinator loading its groups from the log loses their group, member and target records: epochs start again. → group-epoch-regressed */
  loadForgetsGroupEpochs: 'group-epoch-regressed',
  /** A coordinator loading its groups from the log loses their committed offsets. → commit-regressed / commit-lost */
  loadForgetsOffsets: 'commit-regressed',
  /** Committed offsets reach group members one too high: a member taking a partition over skips a record. → group-skip */
  committedOneAhead: 'group-skip',
  /** Every member heartbeat arrives as a join (no member id, epoch 0): the group's membership churns and never settles. → group-unsettled */
  heartbeatsAlwaysJoin: 'group-unsettled',
} as const;

export type BugName = keyof typeof BUGS;

/** The workload's first consumer (runtime/sim/workload.ts), whose fetches some bugs garble. */
const WORKLOAD_CONSUMER = clientAddress('c0');

const planted = new Set<BugName>();
/** Replica addresses a once-per-run bug already hit; a new simulated world starts it afresh. */
const hitOnce = new Set<string>();
/** "follower|leader" replica addresses → the leader's LEO in its last fetch answer to that follower, for ackBeforeIsrHasBatch. */
const leoTold = new Map<string, number>();

export function plantBug(bug: BugName): void { planted.add(bug); hitOnce.clear(); leoTold.clear(); }
export function clearBugs(): void { planted.clear(); hitOnce.clear(); leoTold.clear(); }
export function resetBugRun(): void { hitOnce.clear(); node1Known.clear(); leoTold.clear(); }
export function bugPlanted(bug: BugName): boolean { return planted.size > 0 && planted.has(bug); }
export function anyBugPlanted(): boolean { return planted.size > 0; }

function idempotent(body: Record<string, unknown>): boolean {
  const batch = body['batch'] as Record<string, unknown> | undefined;
  return typeof batch === 'object' && batch !== null && batch['producerId'] !== -1;
}

/** The message as a planted bug garbles it on arrival (the original when no bug applies). */
export function garbleInbound(envelope: Envelope): Envelope {
  const body = envelope.body as Record<string, unknown> | null;
  if (typeof body !== 'object' || body === null) return envelope;
  if (planted.has('grantEveryVote') && envelope.type === 'requestVoteReply') return { ...envelope, body: { ...body, granted: true } };
  if (planted.has('acksAllAsOne') && envelope.type === 'produce' && body['acks'] === -1 && !idempotent(body)) return { ...envelope, body: { ...body, acks: 1 } };
  if (planted.has('electionKeepsEpoch') && envelope.type === 'produce' && body['leaderEpoch'] !== undefined) {
    const { leaderEpoch: _stripped, ...rest } = body;
    return { ...envelope, body: rest };
  }
  if (planted.has('dropProducerId') && envelope.type === 'produce' && typeof body['batch'] === 'object' && body['batch'] !== null) {
    const batch = body['batch'] as Record<string, unknown>;
    if (batch['producerId'] !== -1) return { ...envelope, body: { ...body, batch: { ...batch, producerId: -1, producerEpoch: -1, baseSequence: -1 } } };
  }
  if (planted.has('dropFirstFetchedBatch') && envelope.type === 'fetchReply' && envelope.to === WORKLOAD_CONSUMER && Array.isArray(body['batches']) && body['batches'].length > 1) {
    return { ...envelope, body: { ...body, batches: body['batches'].slice(1) } };
  }
  if (planted.has('failAcknowledgedProduce') && envelope.type === 'produceReply' && envelope.to.startsWith(clientAddress('p')) && body['code'] === 'OK') {
    return { ...envelope, body: { code: 'CORRUPT_MESSAGE', message: 'planted bug' } };
  }
  if (planted.has('swapFetchedRecords') && envelope.type === 'fetchReply' && envelope.to === WORKLOAD_CONSUMER && Array.isArray(body['batches']) && body['batches'].length > 1) {
    const [first, second, ...rest] = body['batches'] as Array<Record<string, unknown>>;
    if (first?.['recordCount'] === second?.['recordCount'] && first?.['records'] !== undefined) {
      return { ...envelope, body: { ...body, batches: [{ ...first, records: second?.['records'] }, { ...second, records: first['records'] }, ...rest] } };
    }
  }
  if (planted.has('divergeToStart') && envelope.type === 'fetchReply' && envelope.to.startsWith(`${REPLICA_PREFIX}/`) && body['code'] === 'OK'
      && Array.isArray(body['batches']) && body['batches'].length > 0 && Number(body['hw']) > 0 && !hitOnce.has(envelope.to)) {
    hitOnce.add(envelope.to);
    const { batches: _dropped, ...rest } = body;
    return { ...envelope, body: { ...rest, divergingEpoch: { epoch: 0, endOffset: 0 } } };
  }
  if (planted.has('ackBeforeIsrHasBatch')) return countFollowerAtLeoTold(envelope, body);
  const group = garbleGroupTraffic(envelope, body);
  if (group !== undefined) return group;
  if (planted.has('node1IgnoresNodeRecords') && envelope.to === nodeAddress(1)) return garbleNode1Metadata(envelope, body);
  if (planted.has('shiftFetchedOffsets') && envelope.type === 'fetchReply' && envelope.to === WORKLOAD_CONSUMER && Array.isArray(body['batches'])) {
    const batches = (body['batches'] as Array<Record<string, unknown>>).map((b) => ({ ...b,
      baseOffset: Number(b['baseOffset']) + 2, lastOffset: Number(b['lastOffset']) + 2 }));
    return { ...envelope, body: { ...body, batches } };
  }
  return envelope;
}

/** ackBeforeIsrHasBatch: remembers the LEO a leader tells each follower, and raises that follower's next fetch offset to it. */
function countFollowerAtLeoTold(envelope: Envelope, body: Record<string, unknown>): Envelope {
  const replicas = envelope.to.startsWith(`${REPLICA_PREFIX}/`) && envelope.from.startsWith(`${REPLICA_PREFIX}/`);
  if (replicas && envelope.type === 'fetchReply' && body['code'] === 'OK' && typeof body['leo'] === 'number') {
    leoTold.set(`${envelope.to}|${envelope.from}`, body['leo']);
  }
  const told = leoTold.get(`${envelope.from}|${envelope.to}`);
  if (replicas && envelope.type === 'fetch' && told !== undefined && Number(body['fetchOffset']) < told) {
    return { ...envelope, body: { ...body, fetchOffset: told } };
  }
  return envelope;
}

/** The planted consumer-group bugs (undefined when none applies). */
function garbleGroupTraffic(envelope: Envelope, body: Record<string, unknown>): Envelope | undefined {
  const toCoordinator = envelope.to.startsWith(`${COORDINATOR_PREFIX}/`);
  if (planted.has('repliesGrantPartition0') && envelope.type === 'groupHeartbeatReply' && body['code'] === 'OK' && Array.isArray(body['assignment']) && body['assignment'].length > 0) {
    const assignment = body['assignment'] as Array<{ topic: string; partitions: number[] }>;
    const [first, ...rest] = assignment;
    if (first !== undefined && !first.partitions.includes(0)) return { ...envelope, body: { ...body, assignment: [{ ...first, partitions: [0, ...first.partitions] }, ...rest] } };
  }
  if (planted.has('heartbeatsAlwaysJoin') && toCoordinator && envelope.type === 'groupHeartbeat' && Number(body['memberEpoch']) > 0) {
    return { ...envelope, body: { ...body, memberId: '', memberEpoch: 0, subscribedTopics: ['events'] } };
  }
  if (planted.has('committedOneAhead') && envelope.type === 'offsetFetchReply' && envelope.to.startsWith(clientAddress('g')) && Array.isArray(body['offsets'])) {
    const offsets = (body['offsets'] as Array<Record<string, unknown>>).map((o) => (Number(o['offset']) >= 0 ? { ...o, offset: Number(o['offset']) + 1 } : o));
    return { ...envelope, body: { ...body, offsets } };
  }
  const forget: Array<CoordRecord['kind']> | undefined = planted.has('loadForgetsGroupEpochs') ? ['group', 'member', 'target'] : planted.has('loadForgetsOffsets') ? ['offset'] : undefined;
  if (forget !== undefined && toCoordinator && envelope.type === 'fetchReply' && Array.isArray(body['batches'])) {
    return { ...envelope, body: { ...body, batches: (body['batches'] as StoredBatch[]).map((b) => withoutRecords(b, forget)) } };
  }
  return undefined;
}

/** The batch with the values of some kinds of group record emptied (deletions), offsets and counts unchanged. */
function withoutRecords(batch: StoredBatch, kinds: ReadonlyArray<CoordRecord['kind']>): StoredBatch {
  const { records } = fromBatch(batch);
  if (records.length !== batch.recordCount || !records.some((r) => kinds.includes(r.kind))) return batch;
  const encoded = toBatch(records.map((r) => (kinds.includes(r.kind) && r.kind !== 'barrier' ? { ...r, value: null } as CoordRecord : r)), batch.firstTimestamp);
  return { ...batch, records: encoded.records };
}

/**
 * A runtime event as a planted bug garbles it on its way from the node to an actor (the original
 * when no bug applies). `address` is the actor's; a partition replica's ends with its node id.
 */
export function garbleLocal<E extends { type: string; [field: string]: unknown }>(address: string, event: E): E {
  if (planted.has('electionKeepsEpoch') && event.type === 'metadataChanged' && address.startsWith(`${REPLICA_PREFIX}/`)) {
    const state = event['state'] as { leader: number; leaderEpoch: number } | undefined;
    const self = Number(address.slice(address.lastIndexOf('/') + 1));
    if (state !== undefined && state.leader === self && state.leaderEpoch > 0) return { ...event, state: { ...state, leaderEpoch: state.leaderEpoch - 1 } };
  }
  return event;
}

/** Whether a planted bug makes this host's disk drop an append while acknowledging it. */
export function dropAppend(hostName: string, log: string): boolean {
  return planted.has('lyingDiskOnNode2') && hostName === 'node-2' && log.startsWith('p/');
}

/** The node epochs node 1 knows of other nodes in this life, for node1IgnoresNodeRecords. */
const node1Known = new Map<number, number>();

/**
 * node1IgnoresNodeRecords: heartbeat replies reach node 1 with other nodes' re-registrations, and
 * the state changes of those new incarnations, turned into no-op records (they still count as
 * applied, so node 1 never asks for them again).
 */
function garbleNode1Metadata(envelope: Envelope, body: Record<string, unknown>): Envelope {
  if (envelope.type === 'registerNodeReply' && body['code'] === 'OK') node1Known.clear(); // A new life: it knows nothing yet.
  if (envelope.type !== 'nodeHeartbeatReply' || !Array.isArray(body['records'])) return envelope;
  const snapshot = body['snapshot'] as { image?: { nodes?: Record<string, { nodeId: number; nodeEpoch: number }> } } | undefined;
  for (const node of Object.values(snapshot?.image?.nodes ?? {})) node1Known.set(node.nodeId, node.nodeEpoch);
  const records = (body['records'] as Array<{ offset: number; record: GarbledRecord }>).map((entry) => {
    const r = entry.record;
    if (r.type === 'batch' && Array.isArray(r.records)) return { offset: entry.offset, record: { ...r, records: r.records.map(garbleRecord) } };
    return { offset: entry.offset, record: garbleRecord(r) };
  });
  return { ...envelope, body: { ...body, records } };
}

type GarbledRecord = { type?: string; nodeId?: number; nodeEpoch?: number; records?: GarbledRecord[] };

/** A state change of another node's incarnation node 1 has not heard register, as a no-op. */
function garbleRecord(r: GarbledRecord): GarbledRecord {
  if (typeof r.type !== 'string' || !r.type.startsWith('node') || r.nodeId === undefined || r.nodeId === 1) return r;
  const known = node1Known.get(r.nodeId);
  if (known === undefined && r.type === 'nodeRegistered' && r.nodeEpoch !== undefined) node1Known.set(r.nodeId, r.nodeEpoch);
  return known !== undefined && r.nodeEpoch !== known ? { type: 'leaderChanged', leaderId: 0, term: 0 } as GarbledRecord : r;
}

/** The planted bugs as the runtime's seams (runtime/bug-hooks.ts): the simulator hands these to every host and node. */
export const plantedBugs: BugHooks = {
  inbound: (envelope) => (planted.size > 0 ? garbleInbound(envelope) : envelope),
  local: (address, event) => (planted.size > 0 ? garbleLocal(address, event) : event),
  dropAppend: (hostName, log) => planted.size > 0 && dropAppend(hostName, log),
  hideWriteError: (_hostName, log) => bugPlanted('leaderKeepsLeadingOnWriteError') && log.startsWith('p/'),
  skipTruncation: () => bugPlanted('skipTruncation'),
  forgetMeta: (key) => key === 'ctl/state' && bugPlanted('forgetRaftState'),
};
