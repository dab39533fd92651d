/**
 * Brook node processes over a real nats-server, each with a Kafka listener on a free loopback
 * port (as `brook dev` starts them), and the Kafka command-line client kcat run against them with
 * a bounded time. For the tests that drive Brook with real Kafka clients.
 */
import { spawn } from 'node:child_process';
import { BrookProcesses, eventually } from './brook-processes.js';
import { startNatsServer, type NatsServer } from './nats-server.js';
import { freePort } from '../../runtime/cli/dev.js';
import { connect, type BrookClient } from '../../runtime/sdk/index.js';
import type { Admin } from '../../runtime/sdk/admin.js';
import { WireClient } from './kafka-wire.js';
import { metadata as metadataApi } from '../../runtime/kafka/schemas/index.js';

export interface Run { code: number; stdout: string; stderr: string }

export class KafkaCluster {
  readonly ports = new Map<number, number>();
  client!: BrookClient;
  admin!: Admin;

  private constructor(readonly nats: NatsServer, readonly processes: BrookProcesses) {}

  static async start(name: string, nodes: number): Promise<KafkaCluster> {
    const nats = await startNatsServer();
    const voters = Array.from({ length: Math.min(3, nodes) }, (_, i) => i + 1);
    const cluster = new KafkaCluster(nats, new BrookProcesses(nats.url, name, voters));
    for (let id = 1; id <= nodes; id++) await cluster.startNode(id);
    cluster.client = await connect({ nats: nats.url, cluster: name });
    cluster.admin = cluster.client.admin() as Admin;
    await eventually(async () => ((await cluster.admin.metadata()).nodes.filter((n) => n.state === 'unfenced').length === nodes ? true : undefined),
      60_000, `${nodes} unfenced nodes`);
    return cluster;
  }

  async startNode(id: number): Promise<void> {
    const port = this.ports.get(id) ?? await freePort();
    this.ports.set(id, port);
    this.processes.startNode(id, ['--kafka', `127.0.0.1:${port}`]);
  }

  get bootstrap(): string { return [...this.ports.values()].map((p) => `127.0.0.1:${p}`).join(','); }

  /** Runs kcat against the cluster; killed after `timeoutMs`. */
  kcat(args: string[], input?: string | Buffer, timeoutMs = 30_000): Promise<Run> {
    return run('kcat', ['-b', this.bootstrap, ...args], input, timeoutMs);
  }

  /**
   * Waits until the topic's partitions have leaders in the cluster's metadata and in the Metadata
   * answer of every node's listener: a node that has not applied the new topic yet answers
   * UNKNOWN_TOPIC_OR_PARTITION or LEADER_NOT_AVAILABLE, and a Kafka client asks one broker only.
   * With `leader`, waits until that node leads every partition, everywhere.
   */
  async waitLeaders(topic: string, partitions: number, leader?: number): Promise<void> {
    const led = (id: number): boolean => (leader === undefined ? id > 0 : id === leader);
    await eventually(async () => {
      const t = (await this.admin.metadata([topic])).topics.find((x) => x.name === topic);
      return t !== undefined && t.partitions.length === partitions && t.partitions.every((p) => led(p.leader)) ? true : undefined;
    }, 30_000, `leaders of ${topic}`);
    for (const port of this.ports.values()) {
      const wire = await WireClient.open(port);
      try {
        await eventually(async () => {
          const reply = await wire.request(metadataApi, 6, { topics: [{ name: topic }], allowAutoTopicCreation: false });
          const known = (reply['topics'] as Array<{ errorCode: number; partitions: Array<{ errorCode: number; leaderId: number }> }>)[0];
          return known?.errorCode === 0 && known.partitions.length === partitions && known.partitions.every((x) => x.errorCode === 0 && led(x.leaderId)) ? true : undefined;
        }, 30_000, `leaders of ${topic} at the listener on port ${port}`);
      } finally { wire.close(); }
    }
  }

  async stop(): Promise<void> {
    this.admin?.close();
    await this.client?.close();
    await this.processes.stopAll();
    await this.nats.stop();
  }
}

export function run(command: string, args: string[], input?: string | Buffer, timeoutMs = 30_000): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => { stderr += c; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code, signal) => { clearTimeout(timer); resolve({ code: code ?? (signal ? -1 : 0), stdout: Buffer.concat(out).toString('utf8'), stderr }); });
    child.stdin.on('error', () => {});
    child.stdin.end(input ?? '');
  });
}
