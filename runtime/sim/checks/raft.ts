/**
 * Online checks of the controller quorum (DESIGN.md section 10, simulation.md I6 and I10):
 *   one-raft-leader-per-term   two replicas reported leadership of the same term;
 *   committed-changed          an index a replica committed holds a different entry than the one
 *                              committed there first, or two snapshots at one index hold different
 *                              images (committed metadata lost or changed);
 *   log-matching               two voters hold different entries with the same index and term;
 *   term-regressed             a replica's durable term went down (also across restarts);
 *   node-epoch-regressed       a node's registered epoch went down in some node's image.
 * Entries are read from the simulated stores (what the replica actually persisted), and compared
 * by their encoded bytes. Entries at or below a replica's log start (its snapshot index, reported
 * with each commit) are no longer its log: an installed snapshot replaces them, and its deletion of
 * them may still be on its way to the disk. What replaces them is checked instead: every snapshot
 * taken or installed at an index must hold the same image.
 */
import { createHash } from 'node:crypto';
import type { MetadataImage } from '../../../actors/metadata/image.js';
import { decodeStoredValue as decodeValue } from '../../host.js';
import type { ClusterSim } from '../cluster.js';
import { METADATA_LOG, SNAPSHOT_KEY } from '../../../actors/controller/step.js';

export { METADATA_LOG };

export class RaftChecker {
  readonly violations: string[] = [];
  private readonly leaderByTerm = new Map<number, number>();
  private readonly termByNode = new Map<number, number>();
  private readonly commitIndexByNode = new Map<number, number>();
  /** Index → hash of the first committed entry seen there. */
  private readonly committed = new Map<number, string>();
  /** Snapshot index → hash of the first snapshot image stored there (keys sorted, so order does not count). */
  private readonly snapshots = new Map<number, { hash: string; nodeId: number }>();
  private readonly nodeEpochs = new Map<number, number>();
  private readonly durableTermByNode = new Map<number, number>();
  commitIndexMax = 0;
  leadersElected = 0;

  constructor(private readonly sim: ClusterSim) {
    sim.world.onReport((_node, _address, kind, data) => this.onReport(kind, data));
  }

  private violate(name: string, message: string): void {
    const line = `${name}: ${message}`;
    if (this.violations.length < 50) this.violations.push(line);
    this.sim.world.fail(line);
  }

  private onReport(kind: string, data: Record<string, unknown>): void {
    const nodeId = Number(data['nodeId']);
    const term = Number(data['term']);
    if (kind === 'raftLeader') {
      this.leadersElected++;
      const previous = this.leaderByTerm.get(term);
      if (previous !== undefined && previous !== nodeId) this.violate('one-raft-leader-per-term', `term ${term} has leaders ${previous} and ${nodeId}`);
      this.leaderByTerm.set(term, nodeId);
    } else if (kind === 'raftTerm') {
      const previous = this.termByNode.get(nodeId) ?? 0;
      if (term < previous) this.violate('term-regressed', `node ${nodeId} term ${previous} → ${term}`);
      this.termByNode.set(nodeId, Math.max(previous, term));
    } else if (kind === 'raftCommit') {
      const commitIndex = Number(data['commitIndex']);
      this.commitIndexByNode.set(nodeId, commitIndex);
      this.commitIndexMax = Math.max(this.commitIndexMax, commitIndex);
      this.checkCommitted(nodeId, commitIndex, Number(data['logStart'] ?? 0));
    } else if (kind === 'raftSnapshot') {
      this.checkSnapshot(nodeId, Number(data['index']));
    }
  }

  /** The snapshot a replica just stored must hold the image every other snapshot at that index holds. */
  private checkSnapshot(nodeId: number, index: number): void {
    const bytes = this.sim.nodes.get(nodeId)?.sim.store.snapshotForChecks().meta.get(SNAPSHOT_KEY);
    if (bytes === undefined) return;
    const stored = decodeValue(bytes) as { index?: unknown; image?: unknown } | undefined;
    if (stored?.index !== index) return; // A newer snapshot is already there: checked when it is reported.
    const hash = digest(Buffer.from(canonicalJson(stored.image)));
    const first = this.snapshots.get(index);
    if (first === undefined) this.snapshots.set(index, { hash, nodeId });
    else if (first.hash !== hash) this.violate('committed-changed', `node ${nodeId}'s snapshot at index ${index} differs from node ${first.nodeId}'s`);
  }

  /** Every entry of this voter's log (after its log start) at or below its commit index must be the one committed there first. */
  private checkCommitted(nodeId: number, commitIndex: number, logStart: number): void {
    const entries = this.sim.nodes.get(nodeId)?.sim.store.snapshotForChecks().logs.get(METADATA_LOG) ?? [];
    for (let i = entries.length - 1; i >= 0; i--) {
      const entry = entries[i];
      if (entry === undefined || entry.offset > commitIndex) continue;
      if (entry.offset <= logStart) return; // Replaced by the replica's snapshot (checked in checkSnapshot).
      const hash = digest(entry.value);
      const first = this.committed.get(entry.offset);
      if (first === undefined) this.committed.set(entry.offset, hash);
      else if (first !== hash) { this.violate('committed-changed', `node ${nodeId} index ${entry.offset} differs from the entry committed there`); return; }
      else return; // everything below was checked when it was first seen
    }
  }

  /**
   * The term a voter would recover with (what its disk holds for sure) never goes below a term it
   * reached. Judged on the durable layer, not the visible one: a term write still in flight may be
   * lost by a crash (nothing was sent on it: Raft messages wait for it), so it was never reached.
   */
  private checkDurableTerms(): void {
    for (const voter of this.sim.options.voters) {
      const node = this.sim.nodes.get(voter);
      if (!node || node.sim.store.isClosed) continue;
      const term = durableTerm(node.sim.store.snapshotForChecks('durable').meta);
      // Compare with every term this voter reported as stored (synced) and every term its disk held before.
      const previous = Math.max(this.durableTermByNode.get(voter) ?? 0, this.termByNode.get(voter) ?? 0);
      if (term < previous) this.violate('term-regressed', `node ${voter}'s stored term went ${previous} → ${term}`);
      this.durableTermByNode.set(voter, Math.max(previous, term));
    }
  }

  /** Periodic whole-cluster checks: log matching across voters, node epochs in every image. */
  sweep(): void {
    this.checkDurableTerms();
    const byIndexTerm = new Map<string, { hash: string; nodeId: number }>();
    for (const voter of this.sim.options.voters) {
      const entries = this.sim.nodes.get(voter)?.sim.store.snapshotForChecks().logs.get(METADATA_LOG) ?? [];
      for (const entry of entries) {
        const term = entryTerm(entry.value);
        const key = `${entry.offset}:${term}`;
        const hash = digest(entry.value);
        const seen = byIndexTerm.get(key);
        if (seen === undefined) byIndexTerm.set(key, { hash, nodeId: voter });
        else if (seen.hash !== hash) this.violate('log-matching', `index ${entry.offset} term ${term} differs between nodes ${seen.nodeId} and ${voter}`);
      }
    }
    for (const node of this.sim.up()) {
      const image = node.brook?.metadata.image as MetadataImage | undefined;
      for (const n of Object.values(image?.nodes ?? {})) {
        const previous = this.nodeEpochs.get(n.nodeId) ?? -1;
        if (n.nodeEpoch < previous && node.brook && image && image.offset >= 0) {
          // An image that is behind may show an older epoch; only a regression in an up-to-date image counts.
          if (image.offset >= this.commitIndexMax) this.violate('node-epoch-regressed', `node ${n.nodeId} epoch ${previous} → ${n.nodeEpoch} in node ${node.id}'s image`);
        }
        this.nodeEpochs.set(n.nodeId, Math.max(previous, n.nodeEpoch));
      }
    }
  }
}

function durableTerm(meta: ReadonlyMap<string, Uint8Array>): number {
  const bytes = meta.get('ctl/state');
  if (bytes === undefined) return 0;
  const value = decodeValue(bytes) as { term?: unknown } | undefined;
  return typeof value?.term === 'number' ? value.term : 0;
}

/** JSON with object keys sorted (Maps and byte arrays as their entries), so equal images hash equally. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof Map) return Object.fromEntries([...v.entries()].sort(([a], [b]) => String(a).localeCompare(String(b))));
    if (v instanceof Uint8Array) return [...v];
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)));
    }
    return v;
  });
}

function digest(bytes: Uint8Array): string { return createHash('sha1').update(bytes).digest('hex').slice(0, 16); }

/** The term of a stored metadata entry `{ term, record }` (encoded by the host's value codec). */
function entryTerm(bytes: Uint8Array): number {
  const value = decodeValue(bytes) as { term?: unknown } | undefined;
  return typeof value?.term === 'number' ? value.term : -1;
}
