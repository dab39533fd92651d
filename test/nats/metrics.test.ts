// Goal: every node serves /metrics in the Prometheus text format, /health and /ready; the
// under-replicated count goes from 0 to > 0 when a node is killed with kill -9 and back to 0 once
// it has restarted and caught up, and /ready follows the node (gone, then 503 or 200 while it
// rejoins, then 200); a node that is alive but cut off from NATS keeps /health at 200 and turns
// /ready to 503 until it is back. Bad --http input and bad requests get clear answers.
// Method: a real nats-server and three `brook node join --http 127.0.0.1:0` processes (node 3
// reaches NATS through a TCP proxy the test can cut), driven with the `brook` CLI; every scrape
// is read with the strict exposition reader (test/helpers/prometheus-text.ts).
import test from 'ava';
import { startNatsServer, type NatsServer } from '../helpers/nats-server.js';
import { BrookProcesses, eventually, runBrook } from '../helpers/brook-processes.js';
import { NodeProxy } from '../helpers/tcp-proxy.js';
import { httpGet, scrape, waitHttpUrl } from '../helpers/node-http.js';
import { sumOf } from '../helpers/prometheus-text.js';

const HTTP = ['--http', '127.0.0.1:0'];
let nats: NatsServer;
let proxy: NodeProxy;
let cluster: BrookProcesses;
const urls = new Map<number, string>();

function start(id: number): void {
  const extra = id === 3 ? [...HTTP, '--nats', proxy.urls] : HTTP;
  cluster.startNode(id, extra);
  urls.delete(id);
}

async function url(id: number): Promise<string> {
  const known = urls.get(id);
  if (known !== undefined) return known;
  const node = cluster.nodes.get(id);
  if (node === undefined) throw new Error(`no node ${id}`);
  const found = await waitHttpUrl(node);
  urls.set(id, found);
  return found;
}

async function readyStatus(id: number): Promise<number> { return (await httpGet(`${await url(id)}/ready`)).status; }

/** Sum of a metric over the given nodes (each scrape is parsed strictly). */
async function total(ids: number[], name: string, match: Record<string, string> = {}): Promise<number> {
  let sum = 0;
  for (const id of ids) sum += sumOf(await scrape(await url(id)), name, match);
  return sum;
}

test.before(async () => {
  nats = await startNatsServer();
  proxy = await NodeProxy.start('node-3', [nats.port]);
  cluster = new BrookProcesses(nats.url, 'metrics', [1, 2, 3]);
  for (const id of [1, 2, 3]) start(id);
});

test.after.always(async () => {
  await cluster?.stopAll();
  await proxy?.close();
  await nats?.stop();
});

const UNDER = 'brook_replica_manager_under_replicated_partitions';

test.serial('under-replicated partitions rise after kill -9 and return to 0 after the restart; /ready follows', async (t) => {
  await eventually(async () => ((await Promise.all([1, 2, 3].map(readyStatus))).every((s) => s === 200) ? true : undefined), 30_000, 'every node ready');
  t.is((await httpGet(`${await url(1)}/health`)).status, 200);
  const created = await cluster.cli(['topics', 'create', 'orders', '--partitions', '6', '--replication-factor', '3']);
  t.is(created.code, 0, created.stderr);
  const lines = Array.from({ length: 60 }, (_, i) => `k${i}:v${i}`).join('\n') + '\n';
  const produced = await cluster.cli(['produce', 'orders', '--key-separator', ':'], lines);
  t.is(produced.code, 0, produced.stderr);

  // Healthy: nothing under-replicated, one active controller, the 60 records counted in by their leaders.
  await eventually(async () => (await total([1, 2, 3], 'brook_broker_topic_messages_in_total', { topic: 'orders' })) === 60 ? true : undefined, 20_000, '60 records in');
  await eventually(async () => (await total([1, 2, 3], UNDER)) === 0 ? true : undefined, 20_000, 'no under-replicated partition');
  t.is(await total([1, 2, 3], 'brook_controller_active_controller_count'), 1);
  t.is(await total([1, 2, 3], 'brook_replica_manager_leader_count'), 6, 'each of the 6 partitions led by one node');
  t.true(await total([1, 2, 3], 'brook_request_total_time_seconds_count', { request: 'Produce' }) >= 1, 'produce requests timed');
  t.true(await total([1, 2, 3], 'brook_request_total_time_seconds_count', { request: 'FetchFollower' }) >= 1, 'replication fetches timed');
  // Followers learn the HW on their next fetch.
  await eventually(async () => (await total([1, 2, 3], 'brook_partition_high_watermark', { topic: 'orders' })) === 3 * 60 ? true : undefined, 20_000, 'every replica\'s HW at the 60 records');
  t.is(await total([1, 2, 3], 'brook_log_log_end_offset', { topic: 'orders' }), 3 * 60);
  t.true(await total([1, 2, 3], 'brook_leveldb_size_bytes') > 0);

  await cluster.kill9(2);
  t.is(await readyStatus(2), 0, 'a killed node answers nothing');
  const under = await eventually(async () => { const n = await total([1, 3], UNDER); return n > 0 ? n : undefined; }, 20_000, 'under-replicated partitions after kill -9');
  t.true(under > 0);
  await eventually(async () => (await total([1, 3], 'brook_controller_fenced_broker_count')) === 1 ? true : undefined, 20_000, 'the controller counts one fenced node');

  start(2);
  const seen = new Set<number>();
  await eventually(async () => { const s = await readyStatus(2); seen.add(s); return s === 200 ? true : undefined; }, 30_000, 'node 2 ready again');
  t.log(`/ready of the restarted node answered ${[...seen].join(', ')}`);
  t.true([...seen].every((s) => s === 200 || s === 503), 'while it rejoins, /ready answers 503 or 200');
  await eventually(async () => (await total([1, 2, 3], UNDER)) === 0 ? true : undefined, 30_000, 'under-replicated back to 0');
  t.is(await total([1, 2, 3], 'brook_controller_offline_partitions_count'), 0);
});

test.serial("a group's members, state, committed offsets and lag are exported by the node that coordinates it", async (t) => {
  // 60 records are in `orders` (previous test); the group reads them all and commits on leaving,
  // then 20 more are produced: lag 20, read only from the coordinating node's metrics.
  const consumed = await cluster.cli(['consume', 'orders', '--group', 'audit', '--from-beginning', '--max-messages', '60']);
  t.is(consumed.code, 0, consumed.stderr);
  t.is(consumed.stdout.trim().split('\n').length, 60);
  await eventually(async () => (await total([1, 2, 3], 'brook_group_committed_offset', { group: 'audit' })) === 60 ? true : undefined, 20_000, '60 committed');
  t.is(await total([1, 2, 3], 'brook_group_lag_sum', { group: 'audit' }), 0);
  const more = await cluster.cli(['produce', 'orders', '--key-separator', ':'], Array.from({ length: 20 }, (_, i) => `m${i}:w${i}`).join('\n') + '\n');
  t.is(more.code, 0, more.stderr);
  await eventually(async () => (await total([1, 2, 3], 'brook_group_lag_sum', { group: 'audit' })) === 20 ? true : undefined, 20_000, 'the group lag at 20');
  t.is(await total([1, 2, 3], 'brook_group_lag', { group: 'audit' }), 20, 'per-partition lag adds up');
  t.is(await total([1, 2, 3], 'brook_group_members', { group: 'audit' }), 0, 'the member left');
  t.is(await total([1, 2, 3], 'brook_group_state', { group: 'audit', state: 'empty' }), 1, 'one node coordinates the group');
  t.true(await total([1, 2, 3], 'brook_group_rebalances_total', { group: 'audit' }) >= 1);
  t.true(await total([1, 2, 3], 'brook_broker_topic_messages_out_total', { topic: 'orders' }) >= 60, 'records sent to the consumer counted out');
});

test.serial('a node cut off from NATS keeps /health at 200 and turns /ready to 503 until it is back', async (t) => {
  await eventually(async () => (await readyStatus(3)) === 200 ? true : undefined, 30_000, 'node 3 ready');
  proxy.cutOff();
  const body = await eventually(async () => { const r = await httpGet(`${await url(3)}/ready`); return r.status === 503 ? r.body : undefined; }, 20_000, '/ready 503 on the cut-off node');
  t.regex(body, /no heartbeat answered/);
  t.is((await httpGet(`${await url(3)}/health`)).status, 200, 'the process still serves');
  const metrics = await scrape(await url(3));
  t.is(sumOf(metrics, 'brook_node_ready'), 0);
  await eventually(async () => (await total([1, 2], UNDER)) > 0 ? true : undefined, 20_000, 'the others see under-replicated partitions');
  proxy.restore();
  await eventually(async () => (await readyStatus(3)) === 200 ? true : undefined, 30_000, '/ready 200 after reconnecting');
  await eventually(async () => (await total([1, 2, 3], UNDER)) === 0 ? true : undefined, 30_000, 'under-replicated back to 0');
  t.pass();
});

test.serial('bad requests and bad --http values get clear answers', async (t) => {
  const base = await url(1);
  const missing = await httpGet(`${base}/nope`);
  t.is(missing.status, 404);
  t.regex(missing.body, /no such path/);
  const post = await fetch(`${base}/metrics`, { method: 'POST', signal: AbortSignal.timeout(3_000) });
  t.is(post.status, 405);
  t.is(post.headers.get('allow'), 'GET, HEAD');
  const bad = await runBrook(['node', 'join', '--id', '9', '--data', `${cluster.root}/bad`, '--controllers', '1,2,3', '--nats', nats.url, '--cluster', 'metrics', '--http', 'localhost']);
  t.is(bad.code, 2);
  t.regex(bad.stderr, /--http takes HOST:PORT/);
  t.is(bad.stderr.trim().split('\n').length, 1);
  const port = new URL(base).port;
  const taken = await runBrook(['node', 'join', '--id', '9', '--data', `${cluster.root}/taken`, '--controllers', '1,2,3', '--nats', nats.url, '--cluster', 'metrics', '--http', `127.0.0.1:${port}`], undefined, { BROOK_LOG: 'error' });
  t.is(taken.code, 1);
  t.regex(taken.stderr, /HTTP_LISTEN_FAILED/);
  const status = await cluster.cli(['cluster', 'status', '--json']);
  t.false((JSON.parse(status.stdout) as { nodes: Array<{ nodeId: number }> }).nodes.some((n) => n.nodeId === 9), 'the refused process never registered');
});
