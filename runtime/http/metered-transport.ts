/**
 * Request metrics without touching the actors: a Transport that wraps the node's own and watches
 * the envelopes going by. A produce or fetch arriving at a replica is remembered by its reply
 * address and corr; the reply the replica sends back closes it, which gives Kafka's
 * RequestMetrics (time from arrival to reply, errors by code) and BrokerTopicMetrics (records
 * and bytes in and out per topic, replication bytes). A leader's ISR proposal is remembered the
 * same way and counted as a shrink or an expansion when the controller's OK comes back.
 *
 * The cost is per envelope and per batch, never per record: a type switch, one map entry per
 * request, and additions to plain numbers (runtime/http/tallies.ts) that a scrape reads.
 */
import type { Envelope } from '../../transport/envelope.js';
import type { EnvelopeHandler, SendOptions, Transport } from '../../transport/transport.js';
import { BATCH_OVERHEAD_BYTES } from '../../actors/partition/batch.js';
import { REPLICA_PREFIX } from '../../actors/kit/addresses.js';
import type { BrookMetrics } from './metrics-registry.js';
import { LabelBudget } from './label-budget.js';
import type { RequestName, RequestTallies, TopicTally } from './tallies.js';

interface Pending { request: RequestName; topic: string; startMs: number; records: number; bytes: number }

/** Requests still waiting for their reply; past this the oldest are forgotten (a reply that never comes). */
const PENDING_MAX = 10_000;

export interface MeterOptions {
  /** The committed ISR size of a partition, from the node's metadata image (undefined when unknown). */
  isrSize(topicId: string, partition: number): number | undefined;
  nowMs(): number;
  topicsMax: number;
}

export class MeteredTransport implements Transport {
  private readonly pending = new Map<string, Pending>();
  /** ISR proposals in flight: `from corr` → whether the proposal shrinks the ISR. */
  private readonly proposals = new Map<string, boolean>();
  private readonly topics: LabelBudget;
  /** Tallies by topic name (not by label: a lookup per request, the label budget only for new topics). */
  private readonly byTopic = new Map<string, TopicTally>();
  private readonly tallies: RequestTallies;

  constructor(private readonly inner: Transport, metrics: BrookMetrics, private readonly options: MeterOptions) {
    this.topics = new LabelBudget(options.topicsMax);
    this.tallies = metrics.tallies;
  }

  send(envelope: Envelope, options?: SendOptions): void {
    if (envelope.corr !== undefined) this.outbound(envelope, envelope.corr);
    this.inner.send(envelope, options);
  }

  listen(address: string, handler: EnvelopeHandler): void {
    this.inner.listen(address, (envelope) => {
      this.inbound(envelope);
      handler(envelope);
    });
  }

  unlisten(address: string): void { this.inner.unlisten(address); }

  close(): Promise<void> { return this.inner.close(); }

  private inbound(envelope: Envelope): void {
    switch (envelope.type) {
      case 'produce': return this.onProduce(envelope);
      case 'fetch': return this.onFetch(envelope);
      case 'fetchReply':
        // A follower's fetch answered by its leader: replication into this node.
        if (envelope.to.startsWith(`${REPLICA_PREFIX}/`)) this.tallies.replicationBytesIn += batchBytes(envelope.body);
        return;
      case 'alterPartitionReply': return this.onProposalAnswer(envelope);
      default: return;
    }
  }

  private outbound(envelope: Envelope, corr: number): void {
    switch (envelope.type) {
      case 'produceReply': case 'fetchReply': return this.onReply(envelope, corr);
      case 'alterPartition': return this.onProposal(envelope, corr);
      default: return;
    }
  }

  private onProduce(envelope: Envelope): void {
    const body = envelope.body as { acks?: unknown; batch?: { recordCount?: unknown; records?: unknown } } | undefined;
    const batch = body?.batch;
    const records = typeof batch?.recordCount === 'number' ? batch.recordCount : 0;
    const bytes = batch?.records instanceof Uint8Array ? batch.records.byteLength + BATCH_OVERHEAD_BYTES : 0;
    const topic = topicOf(envelope.to);
    if (body?.acks === 0) { // No reply will come: count what arrived.
      const tally = this.tallyOf(topic);
      tally.messagesIn += records;
      tally.bytesIn += bytes;
      return;
    }
    this.remember(envelope, { request: 'Produce', topic, startMs: this.options.nowMs(), records, bytes });
  }

  private onFetch(envelope: Envelope): void {
    const replicaId = (envelope.body as { replicaId?: unknown } | undefined)?.replicaId;
    const request: RequestName = typeof replicaId === 'number' && replicaId >= 0 ? 'FetchFollower' : 'FetchConsumer';
    this.remember(envelope, { request, topic: topicOf(envelope.to), startMs: this.options.nowMs(), records: 0, bytes: 0 });
  }

  private remember(envelope: Envelope, pending: Pending): void {
    if (envelope.corr === undefined) return;
    if (this.pending.size >= PENDING_MAX) {
      const oldest = this.pending.keys().next().value;
      if (oldest !== undefined) this.pending.delete(oldest);
    }
    this.pending.set(`${envelope.replyTo ?? envelope.from} ${envelope.corr}`, pending);
  }

  private onReply(envelope: Envelope, corr: number): void {
    const key = `${envelope.to} ${corr}`;
    const pending = this.pending.get(key);
    if (pending === undefined) return;
    this.pending.delete(key);
    this.tallies.times[pending.request].observe((this.options.nowMs() - pending.startMs) / 1000);
    const code = (envelope.body as { code?: unknown } | undefined)?.code;
    if (code !== 'OK') {
      this.tallies.error(pending.request, typeof code === 'string' ? code : 'UNKNOWN');
      return;
    }
    if (pending.request === 'Produce') {
      const tally = this.tallyOf(pending.topic);
      tally.messagesIn += pending.records;
      tally.bytesIn += pending.bytes;
    } else if (pending.request === 'FetchFollower') {
      this.tallies.replicationBytesOut += batchBytes(envelope.body);
    } else {
      const tally = this.tallyOf(pending.topic);
      tally.messagesOut += batchRecords(envelope.body);
      tally.bytesOut += batchBytes(envelope.body);
    }
  }

  private onProposal(envelope: Envelope, corr: number): void {
    const body = envelope.body as { topicId?: unknown; partition?: unknown; isr?: unknown } | undefined;
    if (typeof body?.topicId !== 'string' || typeof body.partition !== 'number' || !Array.isArray(body.isr)) return;
    const current = this.options.isrSize(body.topicId, body.partition);
    if (current === undefined || current === body.isr.length) return;
    if (this.proposals.size >= PENDING_MAX) this.proposals.clear();
    this.proposals.set(`${envelope.from} ${corr}`, body.isr.length < current);
  }

  private onProposalAnswer(envelope: Envelope): void {
    if (envelope.corr === undefined) return;
    const key = `${envelope.to} ${envelope.corr}`;
    const shrink = this.proposals.get(key);
    if (shrink === undefined) return;
    this.proposals.delete(key);
    if ((envelope.body as { code?: unknown } | undefined)?.code !== 'OK') return;
    if (shrink) this.tallies.isrShrinks++; else this.tallies.isrExpands++;
  }

  private tallyOf(topic: string): TopicTally {
    let tally = this.byTopic.get(topic);
    if (tally === undefined) {
      tally = this.tallies.topic(this.topics.label(topic));
      this.byTopic.set(topic, tally);
    }
    return tally;
  }
}

/** `c/produce/<topic>/<p>/<node>`, `c/fetch/…`, `n/repl/…`: the topic is the third segment. */
function topicOf(address: string): string {
  const start = address.indexOf('/', address.indexOf('/') + 1) + 1;
  const end = address.indexOf('/', start);
  return end < 0 ? address.slice(start) : address.slice(start, end);
}

function batchesOf(body: unknown): ReadonlyArray<{ bytes?: unknown; baseOffset?: unknown; lastOffset?: unknown }> {
  const batches = (body as { batches?: unknown } | undefined)?.batches;
  return Array.isArray(batches) ? batches as ReadonlyArray<{ bytes?: unknown }> : [];
}

function batchBytes(body: unknown): number {
  let bytes = 0;
  for (const b of batchesOf(body)) if (typeof b.bytes === 'number') bytes += b.bytes;
  return bytes;
}

function batchRecords(body: unknown): number {
  let records = 0;
  for (const b of batchesOf(body)) if (typeof b.baseOffset === 'number' && typeof b.lastOffset === 'number') records += b.lastOffset - b.baseOffset + 1;
  return records;
}
