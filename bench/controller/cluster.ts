/**
 * The bench cluster: one nats-server and three `brook node join` processes (voters 1,2,3), one SDK
 * client with an admin, and a raw Rpc that asks each controller replica (its voter address) directly, so a
 * probe can see what every replica believes while the leader is dead. Every process is SIGKILLed
 * on `close()` and again on process exit (including Ctrl-C), so a failed bench leaves nothing behind.
 */
import { realClock } from '../../runtime/clock.js';
import { controllerVoter } from '../../actors/kit/addresses.js';
import { Rpc, type RpcResult } from '../../runtime/rpc.js';
import { clientInternals, connect, type BrookClient } from '../../runtime/sdk/connect.js';
import type { Admin, ClusterMetadata, QuorumInfo } from '../../runtime/sdk/admin.js';
import { BrookProcesses } from '../../test/helpers/brook-processes.js';
import { startNatsServer, type NatsServer } from '../../test/helpers/nats-server.js';
import { forgetDir, removeDirOnExit } from '../lib/processes.js';

export const VOTERS = [1, 2, 3] as const;

/** A voter's own view of the quorum, from `describeQuorum` sent to its voter address. */
export interface ReplicaView extends QuorumInfo { nodeId: number }

export interface BenchCluster {
  nats: NatsServer;
  processes: BrookProcesses;
  client: BrookClient;
  admin: Admin;
  probe: Rpc;
}

/** Kills every node process synchronously; safe to call more than once. */
function killNodesNow(processes: BrookProcesses): void {
  for (const node of processes.nodes.values()) {
    if (node.child.exitCode === null && node.child.signalCode === null) node.child.kill('SIGKILL');
  }
}

export async function startCluster(): Promise<BenchCluster> {
  const nats = await startNatsServer();
  let processes: BrookProcesses | undefined;
  try {
    processes = new BrookProcesses(nats.url, 'bench', [...VOTERS]);
    const owned = processes;
    // removeDirOnExit also installs the SIGINT/SIGTERM hooks that turn a signal into process exit.
    removeDirOnExit(owned.root);
    process.on('exit', () => killNodesNow(owned));
    for (const id of VOTERS) owned.startNode(id);
    const client = await connect({ nats: nats.url, cluster: 'bench' });
    const admin = client.admin({ timeoutMs: 30_000, requestTimeoutMs: 2_000 });
    const internals = clientInternals(client);
    const probe = new Rpc(internals.transport, realClock, internals.inboxAddress('probe'), { timeoutMsDefault: 1_000 });
    return { nats, processes: owned, client, admin, probe };
  } catch (error) {
    if (processes) await processes.stopAll();
    await nats.stop();
    throw error;
  }
}

export async function stopCluster(cluster: BenchCluster): Promise<void> {
  cluster.probe.close();
  cluster.admin.close();
  await cluster.client.close().catch(() => undefined);
  await cluster.processes.stopAll();
  forgetDir(cluster.processes.root);
  await cluster.nats.stop();
}

/** Callback form, for probes that must not wait for one another. */
export function askReplica(cluster: BenchCluster, nodeId: number, timeoutMs: number, done: (view: ReplicaView | undefined) => void): void {
  cluster.probe.call(controllerVoter(nodeId), 'describeQuorum', {}, { timeoutMs }, (result: RpcResult) => {
    if (!result.ok) return done(undefined);
    const body = result.envelope.body as Record<string, unknown>;
    if (body['code'] !== 'OK') return done(undefined);
    done({ nodeId, leaderId: Number(body['leaderId']), term: Number(body['term']), voters: body['voters'] as number[], commitIndex: Number(body['commitIndex']) });
  });
}

export function replicaView(cluster: BenchCluster, nodeId: number, timeoutMs = 1_000): Promise<ReplicaView | undefined> {
  return new Promise((resolve) => askReplica(cluster, nodeId, timeoutMs, resolve));
}

export function sleep(ms: number): Promise<void> { return new Promise((resolve) => setTimeout(resolve, ms)); }

export interface Steady { leaderId: number; term: number; metadata: ClusterMetadata }

/**
 * Waits until all three replicas name the same leader in the same term, the restarted replicas
 * have caught up to the leader's commit index, and the metadata lists three unfenced nodes that
 * satisfy `nodesOk` (e.g. a higher node epoch for a restarted node).
 */
export async function waitSteady(cluster: BenchCluster, timeoutMs: number, nodesOk: (m: ClusterMetadata) => boolean = () => true): Promise<Steady> {
  const deadline = performance.now() + timeoutMs;
  let last = 'no answer yet';
  while (performance.now() < deadline) {
    const views = await Promise.all(VOTERS.map((id) => replicaView(cluster, id)));
    const leader = views.find((v) => v !== undefined && v.leaderId === v.nodeId);
    const agreed = leader !== undefined && views.every((v) => v !== undefined && v.leaderId === leader.leaderId && v.term === leader.term);
    const caughtUp = agreed && views.every((v) => v !== undefined && v.commitIndex >= leader.commitIndex - 2);
    if (leader !== undefined && agreed && caughtUp) {
      const metadata = await cluster.admin.metadata().catch(() => undefined);
      const unfenced = metadata?.nodes.filter((n) => n.state === 'unfenced').length ?? 0;
      if (metadata !== undefined && unfenced === VOTERS.length && nodesOk(metadata)) return { leaderId: leader.leaderId, term: leader.term, metadata };
      last = `${unfenced} unfenced nodes`;
    } else {
      last = JSON.stringify(views.map((v) => v && { id: v.nodeId, leader: v.leaderId, term: v.term, commit: v.commitIndex }));
    }
    await sleep(100);
  }
  throw new Error(`cluster not steady within ${timeoutMs} ms (last: ${last})`);
}

/** The last lines a node process wrote to stderr, for error messages. */
export function nodeLogTail(cluster: BenchCluster, nodeId: number, charsMax = 2_000): string {
  const lines = cluster.processes.nodes.get(nodeId)?.stderr.join('') ?? '';
  return lines.slice(-charsMax);
}
