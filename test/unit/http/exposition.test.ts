// Goal: the exposition reader the NATS and browser tests rely on accepts what a node's registry
// writes and refuses each kind of malformed text, so that "it parses" is a check that can fail.
// Method: a real BrookMetrics registry with samples of every kind, then hand-broken variants.
import test from 'ava';
import { BrookMetrics } from '../../../runtime/http/metrics-registry.js';
import { ExpositionError, parseExposition, sumOf } from '../../helpers/prometheus-text.js';

test('a node registry with gauges, labelled counters and a histogram parses', async (t) => {
  const m = new BrookMetrics();
  m.underReplicated.set(2);
  m.tallies.topic('orders').messagesIn += 5;
  m.tallies.topic('we"ird\\topic').messagesIn += 1;
  m.tallies.times.Produce.observe(0.003);
  m.tallies.times.Produce.observe(7);
  const families = parseExposition(await m.registry.metrics());
  t.is(sumOf(families, 'brook_replica_manager_under_replicated_partitions'), 2);
  t.is(sumOf(families, 'brook_broker_topic_messages_in_total', { topic: 'orders' }), 5);
  t.is(sumOf(families, 'brook_broker_topic_messages_in_total', { topic: 'we"ird\\topic' }), 1);
  t.is(sumOf(families, 'brook_request_total_time_seconds_count', { request: 'Produce' }), 2);
  t.is(families.get('brook_request_total_time_seconds')?.type, 'histogram');
  t.is(sumOf(families, 'brook_request_total_time_seconds_bucket', { request: 'Produce', le: '0.005' }), 1, 'cumulative buckets');
  t.is(sumOf(families, 'brook_request_total_time_seconds_bucket', { request: 'Produce', le: '+Inf' }), 2);
  t.true(families.has('process_resident_memory_bytes'), 'process metrics are exported');
  t.true(families.has('nodejs_eventloop_lag_seconds'), 'event-loop lag is exported');
});

const good = '# HELP a_total A.\n# TYPE a_total counter\na_total{x="1"} 3\n';

test('each kind of malformed text is refused', (t) => {
  t.notThrows(() => parseExposition(good));
  const broken: Array<[string, string]> = [
    ['no final newline', good.trimEnd()],
    ['bad metric name', good.replace('a_total{', '1a{')],
    ['unquoted label value', good.replace('"1"', '1')],
    ['bad escape', good.replace('"1"', '"\\q"')],
    ['bad value', good.replace('} 3', '} three')],
    ['sample before its TYPE', 'b 1\n# TYPE b gauge\n'],
    ['unknown type', '# TYPE c weird\nc 1\n'],
    ['split family', '# TYPE d gauge\nd 1\n# TYPE e gauge\ne 1\n# TYPE d gauge\n'],
    ['buckets not cumulative', '# TYPE h histogram\nh_bucket{le="1"} 5\nh_bucket{le="2"} 3\nh_bucket{le="+Inf"} 5\nh_count 5\nh_sum 1\n'],
    ['no +Inf bucket', '# TYPE h histogram\nh_bucket{le="1"} 5\nh_count 5\nh_sum 1\n'],
    ['count differs from +Inf', '# TYPE h histogram\nh_bucket{le="+Inf"} 5\nh_count 6\nh_sum 1\n'],
  ];
  for (const [what, text] of broken) t.throws(() => parseExposition(text), { instanceOf: ExpositionError }, what);
});
