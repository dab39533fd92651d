/**
 * Planted bugs: test-only switches that break the system on purpose so that tests can show each
 * simulation check fails when it should. They live at the runtime's seams (what a message says on
 * the way in, what a storage effect does) and are consulted only while a test has planted one;
 * production never sets them. Each names the check expected to catch it.
 */
import type { Envelope } from '../../transport/envelope.js';

export const BUGS = {
  /** Vote replies always grant: two candidates can both win one term. → one-raft-leader-per-term */
  grantEveryVote: 'one-raft-leader-per-term',
  /** The Raft term and vote are never persisted: a restarted voter goes back in time. → term-regressed */
  forgetRaftState: 'term-regressed',
  /** Log truncation is acknowledged but not done: conflicting entries survive. → log-matching / committed-changed / replicas-diverge-below-hw */
  skipTruncation: 'log-matching',
  /** Every produce is treated as acks=1: a leader's crash loses acknowledged writes. → lost-write */
  acksAllAsOne: 'lost-write',
  /** Idempotent batches lose their producer id on the way in: retries are appended again. → duplicate */
  dropProducerId: 'duplicate',
  /** The workload consumer's (client/c0) fetch replies lose their first batch: it skips offsets. → poll-skip */
  dropFirstFetchedBatch: 'poll-skip',
  /** Acknowledged produces reach producers as definite failures. → G1a (a failed write is read) */
  failAcknowledgedProduce: 'G1a',
  /** The workload consumer's fetched batches arrive two offsets too high. → nonmonotonic-poll */
  shiftFetchedOffsets: 'nonmonotonic-poll',
} as const;

export type BugName = keyof typeof BUGS;

const planted = new Set<BugName>();

export function plantBug(bug: BugName): void { planted.add(bug); }
export function clearBugs(): void { planted.clear(); }
export function bugPlanted(bug: BugName): boolean { return planted.size > 0 && planted.has(bug); }
export function anyBugPlanted(): boolean { return planted.size > 0; }

/** The message as a planted bug garbles it on arrival (the original when no bug applies). */
export function garbleInbound(envelope: Envelope): Envelope {
  const body = envelope.body as Record<string, unknown> | null;
  if (typeof body !== 'object' || body === null) return envelope;
  if (planted.has('grantEveryVote') && envelope.type === 'requestVoteReply') return { ...envelope, body: { ...body, granted: true } };
  if (planted.has('acksAllAsOne') && envelope.type === 'produce' && body['acks'] === -1) return { ...envelope, body: { ...body, acks: 1 } };
  if (planted.has('dropProducerId') && envelope.type === 'produce' && typeof body['batch'] === 'object' && body['batch'] !== null) {
    const batch = body['batch'] as Record<string, unknown>;
    if (batch['producerId'] !== -1) return { ...envelope, body: { ...body, batch: { ...batch, producerId: -1, producerEpoch: -1, baseSequence: -1 } } };
  }
  if (planted.has('dropFirstFetchedBatch') && envelope.type === 'fetchReply' && envelope.to === 'client/c0' && Array.isArray(body['batches']) && body['batches'].length > 1) {
    return { ...envelope, body: { ...body, batches: body['batches'].slice(1) } };
  }
  if (planted.has('failAcknowledgedProduce') && envelope.type === 'produceReply' && envelope.to.startsWith('client/p') && body['code'] === 'OK') {
    return { ...envelope, body: { code: 'CORRUPT_MESSAGE', message: 'planted bug' } };
  }
  if (planted.has('shiftFetchedOffsets') && envelope.type === 'fetchReply' && envelope.to === 'client/c0' && Array.isArray(body['batches'])) {
    const batches = (body['batches'] as Array<Record<string, unknown>>).map((b) => ({ ...b,
      baseOffset: Number(b['baseOffset']) + 2, lastOffset: Number(b['lastOffset']) + 2 }));
    return { ...envelope, body: { ...body, batches } };
  }
  return envelope;
}
