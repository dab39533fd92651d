/**
 * The in-memory Raft log: the entries after the last snapshot, indexed from snapshotIndex + 1.
 * These helpers return new arrays instead of mutating, so an event's previous context stays intact.
 */
import { assert } from '../assert.js';
import type { RaftEntry, RaftLog } from './types.js';
import { recordsOf } from '../metadata/records.js';

export function lastIndex(log: RaftLog): number { return log.snapshotIndex + log.entries.length; }

export function lastTerm(log: RaftLog): number {
  return log.entries.length === 0 ? log.snapshotTerm : (log.entries[log.entries.length - 1] as RaftEntry).term;
}

/** The entry at `index`, which must be in memory (after the snapshot, at most lastIndex). */
export function entryAt(log: RaftLog, index: number): RaftEntry {
  const entry = log.entries[index - log.snapshotIndex - 1];
  assert(entry !== undefined, `entry ${index} is in memory (snapshot ${log.snapshotIndex}, last ${lastIndex(log)})`);
  return entry;
}

/** The term of the entry at `index`; undefined when it is not known (before the snapshot or past the end). */
export function termAt(log: RaftLog, index: number): number | undefined {
  if (index === log.snapshotIndex) return log.snapshotTerm;
  if (index < log.snapshotIndex || index > lastIndex(log)) return undefined;
  return entryAt(log, index).term;
}

/**
 * Entries from `from` through `to` at most, holding at most `recordsMax` records in all (a batch
 * counts its records, so a message stays the size it was when each record was an entry), but
 * always the first one: a batch larger than the limit still goes, alone.
 */
export function slice(log: RaftLog, from: number, recordsMax: number, to = lastIndex(log)): RaftEntry[] {
  assert(from > log.snapshotIndex, 'slices start after the snapshot');
  assert(recordsMax > 0, 'a slice may hold records');
  const out: RaftEntry[] = [];
  let records = 0;
  for (let i = from; i <= Math.min(to, lastIndex(log)); i++) {
    const entry = entryAt(log, i);
    records += recordsOf(entry.record).length;
    if (out.length > 0 && records > recordsMax) break;
    out.push(entry);
  }
  return out;
}

export function appended(log: RaftLog, entries: RaftEntry[]): RaftLog {
  return { ...log, entries: [...log.entries, ...entries] };
}

/** The log without the entries at `from` and after. */
export function truncatedFrom(log: RaftLog, from: number): RaftLog {
  assert(from > log.snapshotIndex, 'never truncate into the snapshot');
  return { ...log, entries: log.entries.slice(0, from - log.snapshotIndex - 1) };
}

/** The log after a snapshot at `index` (entries up to it dropped; the rest kept when they agree). */
export function compacted(log: RaftLog, index: number, term: number): RaftLog {
  if (termAt(log, index) === term && index <= lastIndex(log)) {
    return { snapshotIndex: index, snapshotTerm: term, entries: log.entries.slice(index - log.snapshotIndex) };
  }
  return { snapshotIndex: index, snapshotTerm: term, entries: [] };
}

/** Raft §5.4.1: a candidate's log is at least as up to date as ours. */
export function upToDate(log: RaftLog, candidateLastIndex: number, candidateLastTerm: number): boolean {
  const term = lastTerm(log);
  return candidateLastTerm > term || (candidateLastTerm === term && candidateLastIndex >= lastIndex(log));
}

/** The first index of the term that holds `index` (the fast-backup hint of Raft §5.3). */
export function firstIndexOfTerm(log: RaftLog, index: number): number {
  const term = termAt(log, index);
  let i = index;
  while (i - 1 > log.snapshotIndex && termAt(log, i - 1) === term) i--;
  return Math.max(i, log.snapshotIndex + 1);
}
