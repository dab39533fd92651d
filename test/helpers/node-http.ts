/**
 * Reaching a node process's HTTP endpoints in tests: its address comes from its `httpListening`
 * log line (nodes are started with `--http 127.0.0.1:0`, so the kernel picks a free port).
 */
import type { NodeProcess } from './brook-processes.js';
import { eventually } from './brook-processes.js';
import { parseExposition, type Family } from './prometheus-text.js';

export function httpUrlOf(node: NodeProcess): string | undefined {
  for (const line of node.stderr.join('').split('\n')) {
    if (!line.includes('"httpListening"')) continue;
    try { return (JSON.parse(line) as { url?: string }).url; } catch { /* a partial line */ }
  }
  return undefined;
}

export async function waitHttpUrl(node: NodeProcess, timeoutMs = 30_000): Promise<string> {
  return await eventually(async () => httpUrlOf(node), timeoutMs, `node ${node.id} to listen on HTTP`);
}

/** GET with a bound on time; `status: 0` when nothing answers (the process is gone). */
export async function httpGet(url: string, timeoutMs = 3_000): Promise<{ status: number; body: string }> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return { status: response.status, body: await response.text() };
  } catch {
    return { status: 0, body: '' };
  }
}

export async function scrape(url: string): Promise<Map<string, Family>> {
  const { status, body } = await httpGet(`${url}/metrics`);
  if (status !== 200) throw new Error(`${url}/metrics answered ${status}`);
  return parseExposition(body);
}
