// The Brook web console: polls the serving node's /api/cluster, /api/topics and /api/groups (the
// shapes of the CLI's --json) and renders them; rates are the change of the summed high
// watermarks (produced) and summed committed offsets (consumed) between two polls, drawn with uPlot.
'use strict';

const POLL_MS = Number(new URLSearchParams(location.search).get('interval')) || 2000;
const HISTORY_POINTS = 90;
const state = { topics: [], groups: [], showInternal: false, previous: undefined };
const rates = { times: [], produced: [], consumed: [] };

/** Builds an element; children are nodes or text (never parsed as HTML: names come from users). */
function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes ?? {})) {
    if (value === undefined || value === null) continue;
    if (key === 'class') node.className = value; else node.setAttribute(key, String(value));
  }
  for (const child of children.flat()) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

function badge(text, kind) { return el('span', { class: `badge ${kind ?? text}` }, text); }

function table(headers, rows, attributes) {
  return el('table', attributes, el('thead', null, el('tr', null, headers.map((h) => el('th', null, h)))), el('tbody', null, rows));
}

async function getJson(path) {
  const response = await fetch(path, { cache: 'no-store' });
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return await response.json();
}

function setText(id, text, bad) {
  const node = document.getElementById(id);
  node.textContent = String(text);
  node.classList.toggle('bad', Boolean(bad));
}

function renderCluster(cluster) {
  setText('cluster-name', cluster.cluster);
  setText('controller-leader', cluster.controller.leaderId < 0 ? 'none' : cluster.controller.leaderId);
  setText('controller-term', cluster.controller.term);
  setText('served-by', cluster.servedBy);
  const unfenced = cluster.nodes.filter((n) => n.state === 'unfenced').length;
  setText('nodes-unfenced', `${unfenced} / ${cluster.nodes.length}`, unfenced < cluster.nodes.length);
  setText('partitions-online', `${cluster.partitions.online} / ${cluster.partitions.total}`);
  setText('partitions-offline', cluster.partitions.offline, cluster.partitions.offline > 0);
  setText('partitions-under-replicated', cluster.partitions.underReplicated, cluster.partitions.underReplicated > 0);
  const rows = cluster.nodes.map((n) => el('tr', { 'data-node-id': n.nodeId, 'data-state': n.state },
    el('td', null, n.nodeId), el('td', { class: 'state' }, badge(n.state)), el('td', null, n.nodeEpoch), el('td', null, n.rack ?? '–'),
    el('td', null, n.nodeId === cluster.controller.leaderId ? 'controller leader' : ''), el('td', null, n.decommission ?? '')));
  document.querySelector('#nodes tbody').replaceChildren(...rows);
}

function renderTopics() {
  const shown = state.topics.filter((t) => state.showInternal || !t.internal);
  const list = shown.map((t) => {
    const under = t.partitions.filter((p) => p.underReplicated).length;
    const rows = t.partitions.map((p) => el('tr', { 'data-partition': p.partition, 'data-under-replicated': p.underReplicated, 'data-leader': p.leader },
      el('td', null, p.partition), el('td', null, p.leader < 0 ? badge('offline') : p.leader), el('td', null, p.leaderEpoch),
      el('td', null, p.replicas.join(', ')), el('td', null, p.isr.join(', ')),
      el('td', null, p.leader < 0 ? '' : p.underReplicated ? badge('under-replicated') : badge('in sync', 'in-sync')),
      el('td', { class: 'log-end' }, p.logEndOffset ?? '–')));
    return el('div', { class: 'topic', 'data-topic': t.name },
      el('h3', null, t.name, ' ', el('small', { class: 'empty' }, `${t.partitions.length} partitions${under > 0 ? `, ${under} under-replicated` : ''}`)),
      table(['Partition', 'Leader', 'Leader epoch', 'Replicas', 'ISR', '', 'Log end'], rows));
  });
  document.getElementById('topics').replaceChildren(...(list.length > 0 ? list : [el('p', { class: 'empty' }, 'No topics yet.')]));
}

function renderGroups(payload) {
  const list = payload.groups.map((g) => {
    const lag = g.partitions.reduce((sum, p) => sum + (p.lag ?? 0), 0);
    const rows = g.partitions.map((p) => el('tr', { 'data-topic': p.topic, 'data-partition': p.partition, 'data-lag': p.lag ?? '' },
      el('td', null, p.topic), el('td', null, p.partition), el('td', null, p.clientId ?? p.memberId ?? '–'),
      el('td', null, p.committedOffset ?? '–'), el('td', null, p.logEndOffset ?? '–'),
      el('td', { class: (p.lag ?? 0) > 0 ? 'lag lag-positive' : 'lag' }, p.lag ?? '–')));
    return el('div', { class: 'group', 'data-group': g.groupId, 'data-lag': lag, 'data-state': g.state },
      el('h3', null, g.groupId, ' ', badge(g.state), ' ', el('small', { class: 'empty' }, `${g.members.length} members, epoch ${g.groupEpoch}, lag `),
        el('span', { class: 'group-lag' }, lag)),
      table(['Topic', 'Partition', 'Owner', 'Committed', 'Log end', 'Lag'], rows));
  });
  const failed = payload.errors.map((e) => el('p', { class: 'empty', 'data-group-error': e.groupId }, `${e.groupId}: ${e.code} ${e.message}`));
  document.getElementById('groups').replaceChildren(...(list.length + failed.length > 0 ? [...list, ...failed] : [el('p', { class: 'empty' }, 'No consumer groups yet.')]));
  setText('total-lag', payload.groups.reduce((sum, g) => sum + g.partitions.reduce((s, p) => s + (p.lag ?? 0), 0), 0));
}

/** Offsets by key from this poll; the rate sums the changes of keys known in both polls. */
function offsetsNow() {
  const produced = new Map();
  for (const t of state.topics) if (!t.internal) for (const p of t.partitions) if (p.logEndOffset !== null) produced.set(`${t.name}/${p.partition}`, p.logEndOffset);
  const consumed = new Map();
  for (const g of state.groups) for (const p of g.partitions) if (p.committedOffset !== null) consumed.set(`${g.groupId} ${p.topic}/${p.partition}`, p.committedOffset);
  return { atMs: Date.now(), produced, consumed };
}

function rate(before, after, seconds) {
  let sum = 0;
  for (const [key, value] of after) { const old = before.get(key); if (old !== undefined && value >= old) sum += value - old; }
  return sum / seconds;
}

function makeChart(id, color) {
  const target = document.getElementById(id);
  return new uPlot({ width: 380, height: 140, legend: { show: false }, cursor: { show: false },
    scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(10, max * 1.15)] } },
    axes: [{ size: 28 }, { size: 52 }],
    series: [{}, { label: 'records/s', stroke: color, width: 2, fill: `${color}22` }] }, [[], []], target);
}

let charts;

function updateRates() {
  const now = offsetsNow();
  const before = state.previous;
  state.previous = now;
  if (before === undefined) return;
  const seconds = Math.max(0.001, (now.atMs - before.atMs) / 1000);
  rates.times.push(now.atMs / 1000);
  rates.produced.push(rate(before.produced, now.produced, seconds));
  rates.consumed.push(rate(before.consumed, now.consumed, seconds));
  if (rates.times.length > HISTORY_POINTS) for (const series of Object.values(rates)) series.shift();
  charts ??= { produce: makeChart('produce-chart', '#2c6bd6'), consume: makeChart('consume-chart', '#1f8a4c') };
  charts.produce.setData([rates.times, rates.produced]);
  charts.consume.setData([rates.times, rates.consumed]);
  document.getElementById('produce-chart').dataset.latest = String(Math.round(rates.produced.at(-1)));
  document.getElementById('consume-chart').dataset.latest = String(Math.round(rates.consumed.at(-1)));
}

async function poll() {
  const errors = [];
  const [cluster, topics, groups] = await Promise.allSettled([getJson('/api/cluster'), getJson('/api/topics'), getJson('/api/groups')]);
  if (cluster.status === 'fulfilled') renderCluster(cluster.value); else errors.push(String(cluster.reason));
  if (topics.status === 'fulfilled') { state.topics = topics.value; renderTopics(); } else errors.push(String(topics.reason));
  if (groups.status === 'fulfilled') { state.groups = groups.value.groups; renderGroups(groups.value); } else errors.push(String(groups.reason));
  if (topics.status === 'fulfilled' && groups.status === 'fulfilled') updateRates();
  document.getElementById('errors').textContent = errors.join(' · ');
  document.getElementById('updated').textContent = `updated ${new Date().toLocaleTimeString()}`;
  document.body.dataset.polls = String(Number(document.body.dataset.polls ?? 0) + 1);
}

async function loop() {
  try { await poll(); } catch (error) { document.getElementById('errors').textContent = String(error); }
  setTimeout(loop, POLL_MS);
}

document.getElementById('show-internal').addEventListener('change', (event) => { state.showInternal = event.target.checked; renderTopics(); });
loop();
