// Goal: the metering transport turns the envelopes a node sees into Kafka's request and topic
// metrics: produce and fetch times and errors, records and bytes in and out per topic,
// replication bytes, and ISR shrinks/expansions once the controller commits them.
// Method: a fake inner transport; envelopes are pushed through the wrapper's listen handlers and
// send, and the registry's text is read back with the exposition reader.
import test from 'ava';
import type { Envelope } from '../../../transport/envelope.js';
import type { EnvelopeHandler, Transport } from '../../../transport/transport.js';
import { BrookMetrics } from '../../../runtime/http/metrics-registry.js';
import { MeteredTransport } from '../../../runtime/http/metered-transport.js';
import { LabelBudget, OTHER_LABEL } from '../../../runtime/http/label-budget.js';
import { parseExposition, sumOf } from '../../helpers/prometheus-text.js';

function harness(isr: number | undefined = 3) {
  const handlers = new Map<string, EnvelopeHandler>();
  const sent: Envelope[] = [];
  const inner: Transport = { send: (e) => { sent.push(e); }, listen: (a, h) => { handlers.set(a, h); }, unlisten: (a) => { handlers.delete(a); }, close: async () => {} };
  const metrics = new BrookMetrics();
  let nowMs = 1000;
  const metered = new MeteredTransport(inner, metrics, { nowMs: () => nowMs, topicsMax: 2, isrSize: () => isr });
  const delivered: Envelope[] = [];
  const arrive = (e: Envelope): void => {
    if (!handlers.has(e.to)) metered.listen(e.to, (x) => delivered.push(x));
    handlers.get(e.to)?.(e);
  };
  return { metered, metrics, sent, delivered, arrive, advance: (ms: number) => { nowMs += ms; },
    read: async () => parseExposition(await metrics.registry.metrics()) };
}

const batch = (baseOffset: number, lastOffset: number, bytes: number) => ({ baseOffset, lastOffset, bytes, records: new Uint8Array(1) });

test('a produce acknowledged OK counts its records, bytes and time; the envelope still reaches the actor', async (t) => {
  const h = harness();
  h.arrive({ to: 'c/produce/orders/0/1', from: 'client/p-1', type: 'produce', corr: 7, body: { acks: -1, batch: { recordCount: 10, records: new Uint8Array(100) } } });
  h.advance(25);
  h.metered.send({ to: 'client/p-1', from: 'n/repl/orders/0/1', type: 'produceReply', corr: 7, body: { code: 'OK', baseOffset: 0 } });
  const f = await h.read();
  t.is(h.delivered.length, 1, 'the actor got the produce');
  t.is(h.sent.length, 1, 'the reply went out');
  t.is(sumOf(f, 'brook_broker_topic_messages_in_total', { topic: 'orders' }), 10);
  t.is(sumOf(f, 'brook_broker_topic_bytes_in_total', { topic: 'orders' }), 161, 'record bytes plus the 61-byte batch header');
  t.is(sumOf(f, 'brook_request_total_time_seconds_count', { request: 'Produce' }), 1);
  t.is(sumOf(f, 'brook_request_total_time_seconds_sum', { request: 'Produce' }), 0.025);
  t.is(sumOf(f, 'brook_request_errors_total'), 0);
});

test('a refused produce counts an error by code and no records; acks=0 counts on arrival', async (t) => {
  const h = harness();
  h.arrive({ to: 'c/produce/orders/1/1', from: 'client/p-1', type: 'produce', corr: 8, body: { acks: 1, batch: { recordCount: 4, records: new Uint8Array(10) } } });
  h.metered.send({ to: 'client/p-1', from: 'n/repl/orders/1/1', type: 'produceReply', corr: 8, body: { code: 'NOT_LEADER_OR_FOLLOWER' } });
  h.arrive({ to: 'c/produce/orders/1/1', from: 'client/p-2', type: 'produce', body: { acks: 0, batch: { recordCount: 3, records: new Uint8Array(10) } } });
  // A reply nobody asked for (late, or another node's request) changes nothing.
  h.metered.send({ to: 'client/p-9', from: 'n/repl/orders/1/1', type: 'produceReply', corr: 99, body: { code: 'OK' } });
  const f = await h.read();
  t.is(sumOf(f, 'brook_request_errors_total', { request: 'Produce', error: 'NOT_LEADER_OR_FOLLOWER' }), 1);
  t.is(sumOf(f, 'brook_broker_topic_messages_in_total', { topic: 'orders' }), 3, 'only the acks=0 batch');
  t.is(sumOf(f, 'brook_request_total_time_seconds_count', { request: 'Produce' }), 1);
});

test('consumer fetches count records and bytes out; follower fetches count replication bytes both ways', async (t) => {
  const h = harness();
  h.arrive({ to: 'c/fetch/orders/0/1', from: 'client/c-1', type: 'fetch', corr: 1, body: { replicaId: -1, fetchOffset: 0 } });
  h.metered.send({ to: 'client/c-1', from: 'n/repl/orders/0/1', type: 'fetchReply', corr: 1, body: { code: 'OK', hw: 15, batches: [batch(0, 9, 300), batch(10, 14, 200)] } });
  h.arrive({ to: 'n/repl/orders/0/1', from: 'n/repl/orders/0/2', type: 'fetch', corr: 5, body: { replicaId: 2, fetchOffset: 0 } });
  h.metered.send({ to: 'n/repl/orders/0/2', from: 'n/repl/orders/0/1', type: 'fetchReply', corr: 5, body: { code: 'OK', hw: 15, batches: [batch(0, 14, 500)] } });
  h.arrive({ to: 'n/repl/orders/1/1', from: 'n/repl/orders/1/3', type: 'fetchReply', corr: 2, body: { code: 'OK', hw: 3, batches: [batch(0, 2, 90)] } });
  const f = await h.read();
  t.is(sumOf(f, 'brook_broker_topic_messages_out_total', { topic: 'orders' }), 15);
  t.is(sumOf(f, 'brook_broker_topic_bytes_out_total', { topic: 'orders' }), 500);
  t.is(sumOf(f, 'brook_broker_topic_replication_bytes_out_total'), 500);
  t.is(sumOf(f, 'brook_broker_topic_replication_bytes_in_total'), 90);
  t.is(sumOf(f, 'brook_request_total_time_seconds_count', { request: 'FetchConsumer' }), 1);
  t.is(sumOf(f, 'brook_request_total_time_seconds_count', { request: 'FetchFollower' }), 1);
});

test('an ISR proposal counts as a shrink or an expansion once, and only when the controller says OK', async (t) => {
  const h = harness(2);
  const propose = (corr: number, isr: number[]): void => h.metered.send({ to: 'n/ctl/leader', from: 'n/repl/orders/0/1', type: 'alterPartition', corr,
    body: { topicId: 'T', partition: 0, leaderId: 1, leaderEpoch: 0, partitionEpoch: 1, isr } });
  const answer = (corr: number, code: string): void => h.arrive({ to: 'n/repl/orders/0/1', from: 'n/ctl/2', type: 'alterPartitionReply', corr, body: { code } });
  propose(1, [1]); propose(1, [1]); // resent with the same corr
  answer(1, 'OK'); answer(1, 'OK'); // and answered twice
  propose(2, [1, 2, 3]);
  answer(2, 'OK');
  propose(3, [1]);
  answer(3, 'INVALID_REQUEST');
  propose(4, [1, 2]); // same size as the committed ISR: neither
  answer(4, 'OK');
  const f = await h.read();
  t.is(sumOf(f, 'brook_replica_manager_isr_shrinks_total'), 1);
  t.is(sumOf(f, 'brook_replica_manager_isr_expands_total'), 1);
});

test('topic labels are bounded: topics past the budget count under _other', async (t) => {
  const h = harness();
  for (const [i, topic] of ['a', 'b', 'c', 'd'].entries()) {
    h.arrive({ to: `c/produce/${topic}/0/1`, from: 'client/p', type: 'produce', corr: i, body: { acks: -1, batch: { recordCount: 1, records: new Uint8Array(1) } } });
    h.metered.send({ to: 'client/p', from: `n/repl/${topic}/0/1`, type: 'produceReply', corr: i, body: { code: 'OK' } });
  }
  const f = await h.read();
  const topics = f.get('brook_broker_topic_messages_in_total')?.samples.map((s) => s.labels['topic']).sort();
  t.deepEqual(topics, ['_other', 'a', 'b']);
  t.is(sumOf(f, 'brook_broker_topic_messages_in_total', { topic: OTHER_LABEL }), 2);
  const budget = new LabelBudget(1);
  t.deepEqual([budget.label('x'), budget.label('y'), budget.label('x')], ['x', OTHER_LABEL, 'x']);
});
