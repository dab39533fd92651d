/**
 * Online checks of partition replication (DESIGN.md section 10; simulation.md I2, I5, I9), fed by
 * the partition replicas' `report` effects and by reading what each replica actually stored:
 *   one-writer-per-epoch       two nodes appended as leader in the same (partition, leaderEpoch);
 *   hw-regressed               a replica's reported HW went down within one incarnation (a replica
 *                              dropped by a reassignment and assigned again later starts a new life);
 *   replicas-diverge-below-hw  (sweep) two replicas store different batches below
 *                              min(hw, leo) of both: records, offsets and leader epoch must agree;
 *   exposed-hw-regressed       a new leader's log lacks an offset below the highest HW any replica
 *                              ever reported for the partition (leader completeness).
 * Reports carry topic names, stores are keyed by topic id: `topicId` (wired by the lead from a
 * node's metadata image) maps one to the other; a topic it does not know yet is skipped.
 * Only up nodes' stores and HWs reported in their current incarnation take part in a sweep: a
 * crashed replica may have lost its unsynced tail, which the durability contract allows.
 */
import { assert } from '../../../actors/assert.js';
import type { StoredBatch } from '../../../actors/partition.js';
import { partitionLogName } from '../../../actors/partition.js';
import { decodeStoredValue } from '../../host.js';
import type { StoreSnapshot } from '../../storage/sim-store.js';
import { partitionKey, parsePartitionKey } from './history-check.js';

/** The parts of a simulated node the checker reads (runtime/sim/world.ts SimNode fits). */
export interface CheckedNode {
  readonly name: string;
  readonly incarnation: number;
  readonly up: boolean;
  readonly store: { viewForChecks(layer?: 'visible' | 'durable'): StoreSnapshot };
}

/** The parts of the world the checker uses (runtime/sim/world.ts SimWorld fits). */
export interface CheckedWorld {
  readonly nodes: ReadonlyMap<string, CheckedNode>;
  onReport(listener: (node: CheckedNode, address: string, kind: string, data: Record<string, unknown>) => void): void;
  fail(message: string): void;
}

export type PartitionViolation = 'one-writer-per-epoch' | 'hw-regressed' | 'replicas-diverge-below-hw' | 'exposed-hw-regressed';

/** A replica's latest HW, reported in incarnation `incarnation` of its node. */
interface ReplicaHw { incarnation: number; hw: number }

const VIOLATIONS_KEPT = 50;

export class PartitionChecker {
  readonly violations: string[] = [];
  /** "topic/partition@epoch" → node id of the first leader that appended in that epoch. */
  private readonly writers = new Map<string, number>();
  /** "topic/partition" → node name → latest HW. */
  private readonly hws = new Map<string, Map<string, ReplicaHw>>();
  /** "topic/partition" → the highest HW any replica ever reported. */
  private readonly hwMax = new Map<string, number>();
  /** "topic/partition" → leader epoch → the highest HW a replica reported while in that epoch. */
  private readonly hwMaxByEpoch = new Map<string, Map<number, number>>();
  /** "topic/partition" → the highest leader epoch a leader reported. */
  private readonly leaderEpochMax = new Map<string, number>();
  leaderChanges = 0;
  sweeps = 0;

  constructor(private readonly world: CheckedWorld, private readonly topicId: (topic: string) => string | undefined) {
    world.onReport((node, _address, kind, data) => this.onReport(node, kind, data));
  }

  private violate(name: PartitionViolation, detail: string): void {
    const line = `${name}: ${detail}`;
    if (this.violations.length < VIOLATIONS_KEPT) this.violations.push(line);
    this.world.fail(line);
  }

  private onReport(node: CheckedNode, kind: string, data: Record<string, unknown>): void {
    if (!kind.startsWith('partition')) return;
    const key = partitionKey(String(data['topic']), Number(data['partition']));
    const nodeId = Number(data['nodeId']);
    if (kind === 'partitionAppend' && data['asLeader'] === true) this.onLeaderAppend(key, nodeId, Number(data['leaderEpoch']));
    else if (kind === 'partitionHw') this.onHw(node, key, Number(data['hw']), Number(data['leaderEpoch']));
    else if (kind === 'partitionLeader') this.onLeader(node, key, nodeId, Number(data['leaderEpoch']));
    else if (kind === 'partitionReplicaDropped') this.hws.get(key)?.delete(node.name); // its log is deleted: a later replica here starts empty
  }

  private onLeaderAppend(key: string, nodeId: number, leaderEpoch: number): void {
    const epochKey = `${key}@${leaderEpoch}`;
    const writer = this.writers.get(epochKey);
    if (writer === undefined) this.writers.set(epochKey, nodeId);
    else if (writer !== nodeId) this.violate('one-writer-per-epoch', `${key} epoch ${leaderEpoch} appended by leaders ${writer} and ${nodeId}`);
  }

  private onHw(node: CheckedNode, key: string, hw: number, leaderEpoch: number): void {
    let replicas = this.hws.get(key);
    if (replicas === undefined) this.hws.set(key, (replicas = new Map()));
    const previous = replicas.get(node.name);
    if (previous !== undefined && previous.incarnation === node.incarnation && hw < previous.hw) {
      this.violate('hw-regressed', `${key} on ${node.name} (incarnation ${node.incarnation}) hw ${previous.hw} → ${hw}`);
    }
    const kept = previous !== undefined && previous.incarnation === node.incarnation ? Math.max(previous.hw, hw) : hw;
    replicas.set(node.name, { incarnation: node.incarnation, hw: kept });
    this.hwMax.set(key, Math.max(this.hwMax.get(key) ?? 0, hw));
    let byEpoch = this.hwMaxByEpoch.get(key);
    if (byEpoch === undefined) this.hwMaxByEpoch.set(key, (byEpoch = new Map()));
    byEpoch.set(leaderEpoch, Math.max(byEpoch.get(leaderEpoch) ?? 0, hw));
  }

  /**
   * The HW a leader of `leaderEpoch` must hold: the highest ever reported, or for a leader of an
   * epoch older than the newest one (a zombie that has not yet learned it was replaced, leading
   * again after rebuilding from disk) the highest reported in its epoch or before. What later
   * epochs committed it cannot have, and the newer epoch fences it from the ISR and the controller.
   */
  private hwOwed(key: string, leaderEpoch: number): number {
    if (leaderEpoch >= (this.leaderEpochMax.get(key) ?? -1)) return this.hwMax.get(key) ?? 0;
    let owed = 0;
    for (const [epoch, hw] of this.hwMaxByEpoch.get(key) ?? []) if (epoch <= leaderEpoch) owed = Math.max(owed, hw);
    return owed;
  }

  /** Leader completeness: the new leader's stored log holds every offset below the highest HW. */
  private onLeader(node: CheckedNode, key: string, nodeId: number, leaderEpoch: number): void {
    this.leaderChanges++;
    const hwMax = this.hwOwed(key, leaderEpoch);
    this.leaderEpochMax.set(key, Math.max(this.leaderEpochMax.get(key) ?? -1, leaderEpoch));
    const log = this.readLog(node, key);
    if (hwMax === 0 || log === undefined) return;
    const hole = firstHoleBelow(log, hwMax);
    if (hole !== undefined) {
      this.violate('exposed-hw-regressed', `${key} new leader ${nodeId} (epoch ${leaderEpoch}) lacks offset ${hole}, below the highest hw ${hwMax}`);
    }
  }

  /** Whole-cluster check: every pair of up replicas agrees on the batches below both HWs. */
  sweep(): void {
    this.sweeps++;
    for (const key of [...this.hws.keys()].sort()) {
      const replicas = this.currentReplicas(key);
      for (let i = 0; i < replicas.length; i++) {
        for (let j = i + 1; j < replicas.length; j++) this.compareReplicas(key, replicas[i] as Replica, replicas[j] as Replica);
      }
    }
  }

  private currentReplicas(key: string): Replica[] {
    const out: Replica[] = [];
    for (const [name, hw] of [...(this.hws.get(key) ?? new Map<string, ReplicaHw>())].sort(([a], [b]) => a.localeCompare(b))) {
      const node = this.world.nodes.get(name);
      if (node === undefined || !node.up || node.incarnation !== hw.incarnation) continue;
      const log = this.readLog(node, key);
      if (log !== undefined) out.push({ name, hw: hw.hw, log });
    }
    return out;
  }

  /** Both directions, so a batch that only one replica holds is found whichever it is. */
  private compareReplicas(key: string, a: Replica, b: Replica): void {
    const limit = Math.min(a.hw, b.hw, a.log.leo, b.log.leo);
    const from = Math.max(a.log.logStart, b.log.logStart);
    const difference = firstDifference(a.log, b.log, from, limit) ?? firstDifference(b.log, a.log, from, limit);
    if (difference === undefined) return;
    this.violate('replicas-diverge-below-hw', `${key} ${a.name} and ${b.name} differ below ${limit}: ${difference}`);
  }

  private readLog(node: CheckedNode, key: string): StoredLog | undefined {
    const { topic, partition } = parsePartitionKey(key);
    const topicId = this.topicId(topic);
    if (topicId === undefined) return undefined;
    return readStoredLog(node.store.viewForChecks(), topicId, partition);
  }
}

interface Replica { name: string; hw: number; log: StoredLog }

/** A replica's stored partition log: its batches in offset order, log start and log end offset. */
export interface StoredLog { batches: StoredBatch[]; logStart: number; leo: number }

/**
 * Decodes the partition log `p/<topicId>/<partition>` and its logStart meta key from a store snapshot.
 * The batches are decoded once per stored value and shared between calls: read them, never change them.
 */
export function readStoredLog(snapshot: StoreSnapshot, topicId: string, partition: number): StoredLog {
  const name = partitionLogName(topicId, partition);
  const batches = (snapshot.logs.get(name) ?? []).map((entry) => {
    const batch = decodedBatch(entry.value);
    if (batch.baseOffset !== entry.offset) assert(false, `${name}: entry ${entry.offset} holds batch ${batch.baseOffset}`);
    return batch;
  });
  // The replica writes the logStart key before deleting the batches below it, so the key rules;
  // without it nothing was ever deleted and the log starts at 0.
  const meta = snapshot.meta.get(`${name}/logStart`);
  const logStart = meta === undefined ? 0 : Number(decodeStoredValue(meta));
  assert(Number.isSafeInteger(logStart) && logStart >= 0, `${name}: logStart meta ${logStart} is an offset`);
  const last = batches[batches.length - 1];
  return { batches, logStart, leo: last === undefined ? logStart : Math.max(logStart, last.lastOffset + 1) };
}

/**
 * Stored values never change once written (the simulated store shares them between its layers and
 * snapshots), so each is decoded once: every sweep reads every replica's whole log again.
 */
const decoded = new WeakMap<Uint8Array, StoredBatch>();

function decodedBatch(value: Uint8Array): StoredBatch {
  let batch = decoded.get(value);
  if (batch === undefined) {
    batch = decodeStoredValue(value) as StoredBatch;
    decoded.set(value, batch);
  }
  return batch;
}

/** The lowest offset in [logStart, hw) that the log does not hold, or undefined when it holds them all. */
function firstHoleBelow(log: StoredLog, hw: number): number | undefined {
  let next = log.logStart;
  for (const batch of log.batches) {
    if (batch.lastOffset < next) continue; // below the log start: its deletion is still in flight
    if (next >= hw) return undefined;
    if (batch.baseOffset > next) return next;
    next = batch.lastOffset + 1;
  }
  return next >= hw ? undefined : next;
}

/** The first batch of `source` in [from, limit) that `target` does not hold identically. */
function firstDifference(source: StoredLog, target: StoredLog, from: number, limit: number): string | undefined {
  const targetBatches = new Map(target.batches.map((batch) => [batch.baseOffset, batch]));
  for (const batch of source.batches) {
    if (batch.baseOffset >= limit) return undefined;
    if (batch.lastOffset < from) continue; // deleted by retention on one of the two
    const difference = batchDifference(batch, targetBatches.get(batch.baseOffset));
    if (difference !== undefined) return `offset ${batch.baseOffset}: ${difference}`;
  }
  return undefined;
}

/** Why two stored batches differ, or undefined when they are the same batch. */
function batchDifference(a: StoredBatch, b: StoredBatch | undefined): string | undefined {
  if (b === undefined) return 'no batch starts there on the other replica';
  if (a.lastOffset !== b.lastOffset) return `lastOffset ${a.lastOffset} vs ${b.lastOffset}`;
  if (a.leaderEpoch !== b.leaderEpoch) return `leaderEpoch ${a.leaderEpoch} vs ${b.leaderEpoch}`;
  if (!sameBytes(a.records, b.records)) return 'records differ';
  return undefined;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && Buffer.compare(a, b) === 0;
}
