/**
 * An in-process cluster for integration tests that need real LevelDB stores but not separate
 * processes: N BrookNodes over one in-memory network, each with its own data directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryNetwork } from '../../transport/memory.js';
import { realClock } from '../../runtime/clock.js';
import { createLogger, RingSink } from '../../runtime/log.js';
import { SeededRandom } from '../../runtime/random.js';
import { LevelStore } from '../../runtime/storage/level-store.js';
import { BrookNode, type NodeConfig } from '../../runtime/node/node.js';
import { connect, type BrookClient } from '../../runtime/sdk/index.js';
import type { Admin } from '../../runtime/sdk/admin.js';

export class LocalCluster {
  readonly root = mkdtempSync(join(tmpdir(), 'brook-local-'));
  readonly logs = new RingSink(5000);
  readonly nodes = new Map<number, { node: BrookNode; store: LevelStore }>();
  readonly fatal: string[] = [];

  /** `network`: a test may pass its own (one that records what travels, say). */
  constructor(readonly size: number, readonly extra: Partial<Omit<NodeConfig, 'nodeId' | 'cluster' | 'voters'>> = {},
    readonly network = new MemoryNetwork()) {}

  async start(): Promise<void> {
    for (let id = 1; id <= this.size; id++) await this.startNode(id);
  }

  async startNode(id: number): Promise<void> {
    const store = await LevelStore.open(join(this.root, `n${id}`));
    const voters = Array.from({ length: Math.min(3, this.size) }, (_, i) => i + 1);
    const node = new BrookNode({ ...this.extra, nodeId: id, cluster: 'local', voters }, {
      transport: this.network.endpoint(), store, clock: realClock, random: new SeededRandom(id * 7919 + Date.now() % 1000),
      logger: createLogger(this.logs.sink, { level: 'info', bindings: { node: id } }),
      onFatal: (code, message) => this.fatal.push(`${id} ${code} ${message}`),
    });
    node.start();
    this.nodes.set(id, { node, store });
  }

  async stopNode(id: number): Promise<void> {
    const entry = this.nodes.get(id);
    if (!entry) return;
    entry.node.stop();
    await new Promise<void>((resolve) => entry.store.close(() => resolve()));
    this.nodes.delete(id);
  }

  async client(): Promise<{ client: BrookClient; admin: Admin }> {
    const client = await connect({ transport: this.network.endpoint(), cluster: 'local' });
    return { client, admin: client.admin() as Admin };
  }

  async stop(): Promise<void> {
    for (const id of [...this.nodes.keys()]) await this.stopNode(id);
    rmSync(this.root, { recursive: true, force: true });
  }
}

export async function until<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch { /* retried until the deadline */ }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
