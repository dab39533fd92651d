// Goal: the web console, in a real browser, shows what an operator needs: a topic created from
// the CLI with its partitions, a node turning fenced after kill -9, and a consumer group's lag
// rising after producing and falling after consuming, with the produce and consume rate charts
// drawn.
// Method: a real nats-server and three `brook node join --http 127.0.0.1:0` processes; Debian's
// chromium driven by playwright-core loads node 1's console (polling every 500 ms) while the
// `brook` CLI creates, produces and consumes. BROOK_CONSOLE_SCREENSHOT=path saves the page at the
// end (the README's screenshot is made that way).
import test from 'ava';
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startNatsServer, type NatsServer } from '../helpers/nats-server.js';
import { BrookProcesses, eventually } from '../helpers/brook-processes.js';
import { httpGet, waitHttpUrl } from '../helpers/node-http.js';

/** Debian's chromium (`.ci/run` installs it when missing); BROOK_CHROMIUM points elsewhere. */
const CHROMIUM = process.env['BROOK_CHROMIUM'] ?? '/usr/bin/chromium';
const WAIT_MS = 30_000;

let nats: NatsServer;
let cluster: BrookProcesses;
let browser: Browser;
let page: Page;

test.before(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`no browser at ${CHROMIUM}: install it with \`apt-get install -y chromium\` (or set BROOK_CHROMIUM)`);
  nats = await startNatsServer();
  cluster = new BrookProcesses(nats.url, 'console', [1, 2, 3]);
  for (const id of [1, 2, 3]) cluster.startNode(id, ['--http', '127.0.0.1:0']);
  const url = await waitHttpUrl(cluster.nodes.get(1)!);
  await eventually(async () => ((await httpGet(`${url}/ready`)).status === 200 ? true : undefined), WAIT_MS, 'node 1 ready');
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${url}/?interval=500`);
});

test.after.always(async () => {
  await browser?.close();
  await cluster?.stopAll();
  await nats?.stop();
});

async function cli(args: string[], input?: string): Promise<string> {
  const result = await cluster.cli(args, input);
  if (result.code !== 0) throw new Error(`brook ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

function records(count: number, from: number): string {
  return Array.from({ length: count }, (_, i) => `k${from + i}:v${from + i}`).join('\n') + '\n';
}

async function groupLag(groupId: string): Promise<string | null> {
  return await page.locator(`[data-group="${groupId}"]`).getAttribute('data-lag', { timeout: WAIT_MS });
}

async function waitGroupLag(groupId: string, lag: number): Promise<void> {
  await page.waitForSelector(`[data-group="${groupId}"][data-lag="${lag}"]`, { timeout: WAIT_MS });
}

test.serial('the page loads with the cluster: three unfenced nodes and a controller leader', async (t) => {
  await page.waitForSelector('#nodes tbody tr[data-node-id="3"][data-state="unfenced"]', { timeout: WAIT_MS });
  t.is(await page.locator('#nodes tbody tr[data-state="unfenced"]').count(), 3);
  t.regex(await page.locator('#controller-leader').innerText(), /^[123]$/);
  t.is(await page.locator('#cluster-name').innerText(), 'console');
});

test.serial('a topic created from the CLI appears with its partitions, leaders and ISR', async (t) => {
  await cli(['topics', 'create', 'clicks', '--partitions', '3', '--replication-factor', '3']);
  const topic = page.locator('[data-topic="clicks"]');
  await topic.waitFor({ timeout: WAIT_MS });
  await page.waitForSelector('[data-topic="clicks"] tr[data-partition="2"][data-under-replicated="false"]', { timeout: WAIT_MS });
  t.is(await topic.locator('tbody tr').count(), 3);
  const leaders = await topic.locator('tbody tr').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-leader'))));
  t.true(leaders.every((l) => l >= 1 && l <= 3), `leaders ${leaders.join(',')}`);
});

test.serial("a group's lag rises after producing and falls after consuming; the rate charts move", async (t) => {
  await cli(['produce', 'clicks', '--key-separator', ':'], records(10, 0));
  await cli(['consume', 'clicks', '--group', 'billing', '--from-beginning', '--max-messages', '10']);
  await waitGroupLag('billing', 0);
  await cli(['produce', 'clicks', '--key-separator', ':'], records(25, 10));
  await waitGroupLag('billing', 25);
  t.is(await groupLag('billing'), '25');
  t.is(await page.locator('#total-lag').innerText(), '25');
  await cli(['consume', 'clicks', '--group', 'billing', '--max-messages', '25']);
  await waitGroupLag('billing', 0);
  t.is(await groupLag('billing'), '0');
  // Both charts are drawn, and each saw a non-zero rate (records produced, offsets committed).
  // (A string: `rates` is a top-level binding of the page's script, not a property of window.)
  await page.waitForFunction('Math.max(0, ...rates.produced) > 0', undefined, { timeout: WAIT_MS });
  await page.waitForFunction('Math.max(0, ...rates.consumed) > 0', undefined, { timeout: WAIT_MS });
  t.is(await page.locator('#produce-chart canvas').count(), 1);
  t.is(await page.locator('#consume-chart canvas').count(), 1);
});

test.serial('a node killed with kill -9 turns fenced and its partitions show as under-replicated', async (t) => {
  await cluster.kill9(3);
  await page.waitForSelector('#nodes tbody tr[data-node-id="3"][data-state="fenced"]', { timeout: WAIT_MS });
  await page.waitForSelector('[data-topic="clicks"] tr[data-under-replicated="true"]', { timeout: WAIT_MS });
  t.is(await page.locator('[data-topic="clicks"] tr[data-under-replicated="true"]').count(), 3, 'every partition of clicks had a replica on node 3');
  t.not(await page.locator('#partitions-under-replicated').innerText(), '0');
  const screenshot = process.env['BROOK_CONSOLE_SCREENSHOT'];
  if (screenshot !== undefined) await page.screenshot({ path: screenshot, fullPage: true });
});
