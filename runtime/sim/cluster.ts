/**
 * A whole Brook cluster in one simulated world: every node is the real `BrookNode` (controller
 * replica, metadata follower, partition replicas) over the simulated clock, network and store.
 * Faults come from a plan generated up front as data (runtime/sim/faults.ts), so a failing run can
 * be replayed and shrunk; checkers subscribe to the actors' `report` effects.
 */
import { BrookNode, type NodeConfig } from '../node/node.js';
import { SimWorld, type SimNode, type SimWorldOptions } from './world.js';
import type { FaultOp } from './faults.js';
import { bugPlanted, plantedBugs } from './bugs.js';
import { PowerOutages } from './sole-in-sync.js';
import { sometimes } from './sometimes.js';
import type { MetadataImage } from '../../actors/metadata/image.js';
import type { RaftLog } from '../../actors/controller/types.js';
import { partitionLogName } from '../../actors/partition.js';

export interface ClusterSimOptions extends SimWorldOptions {
  nodeCount: number;
  voters: number[];
  cluster?: string;
  node?: Omit<NodeConfig, 'nodeId' | 'cluster' | 'voters'>;
  /**
   * Apply a power loss as a process crash when the node comes back still in an ISR, where it could
   * be left the only in-sync replica with a shorter log: the documented hole
   * (runtime/sim/sole-in-sync.ts), outside what the run checks.
   */
  sparePowerLossOfSoleInSync?: boolean;
}

export interface SimBrookNode { id: number; sim: SimNode; brook: BrookNode | undefined }

export class ClusterSim {
  readonly world: SimWorld;
  readonly nodes = new Map<number, SimBrookNode>();
  readonly cluster: string;
  faultsApplied = 0;
  /** The latest Raft leader by term, from the controllers' reports (for role-targeted faults). */
  private controllerLeader = { nodeId: -1, term: -1 };
  /** Role-targeted fault pair → the node its first step hit, so the undo hits the same one. */
  private readonly roleTargets = new Map<number, number[]>();
  /**
   * Controlled shutdowns under way, by node: the incarnation shutting down, and whether its restart
   * came while it was still moving its leaderships away (it then starts again once it exits).
   */
  private readonly exiting = new Map<number, { brook: BrookNode; restartDue: boolean }>();
  /** Nodes whose power went out, their page cache judged on restart (sparePowerLossOfSoleInSync). */
  private readonly powerOutages = new PowerOutages();

  constructor(readonly options: ClusterSimOptions) {
    this.world = new SimWorld(options);
    this.cluster = options.cluster ?? 'sim';
    for (let id = 1; id <= options.nodeCount; id++) {
      const entry: SimBrookNode = { id, sim: undefined as never, brook: undefined };
      entry.sim = this.world.addNode(`n${id}`, (sim) => {
        // A few `__consumer_offsets` partitions: simulated clusters are small.
        const knobs = { offsetsTopicPartitions: 3, ...options.node?.knobs };
        // The planted placement and replication bugs are controller knobs: production code never asks for them.
        const controller = { ...options.node?.controller, ...(bugPlanted('dropRemovingEarly') ? { dropRemovingReplicasEarly: true } : {}),
          ...(bugPlanted('dropOvertakenRefusals') ? { dropOvertakenRefusals: true } : {}) };
        const brook = new BrookNode({ ...options.node, knobs, controller, nodeId: id, cluster: this.cluster, voters: options.voters }, {
          transport: sim.transport, store: sim.store, clock: sim.clock, random: sim.random.fork(`incarnation/${sim.incarnation}`), logger: sim.logger,
          checkInvariants: options.checkInvariants ?? true,
          onReport: (address, kind, data) => this.world.report(sim, address, kind, data),
          onActorError: (address, error) => this.world.fail(`n${id} ${address} failed: ${(error as Error)?.stack ?? String(error)}`),
          onTrace: (address, type) => this.world.trace.add(this.world.scheduler.nowMs, 'ev', address, type),
          onFatal: (code, message) => this.world.fail(`n${id} fatal ${code}: ${message}`),
          bugs: plantedBugs,
          ...(options.tap ? { tap: options.tap } : {}),
        });
        entry.brook = brook;
        brook.start();
      });
      this.nodes.set(id, entry);
    }
    this.world.onReport((_node, _address, kind, data) => {
      const term = Number(data['term']);
      if (kind === 'raftLeader' && term > this.controllerLeader.term) this.controllerLeader = { nodeId: Number(data['nodeId']), term };
    });
  }

  /** The nodes a step hits: its own list, or whoever holds its role now (the undo: whoever its first step hit). */
  private targets(op: FaultOp): number[] {
    if (op.role === undefined) return op.nodes;
    if (op.op === 'diskError') return this.roleHolder(op); // One-shot: no undo to aim at the same node.
    const pair = op.pair ?? 0;
    const earlier = this.roleTargets.get(pair);
    if (earlier !== undefined) { this.roleTargets.delete(pair); return earlier; }
    const targets = this.roleHolder(op);
    this.roleTargets.set(pair, targets);
    return targets;
  }

  /** The up node holding the step's role now (for a step naming a partition: its leader), or none. */
  private roleHolder(op: FaultOp): number[] {
    const nodeId = op.role === 'controllerLeader' ? this.controllerLeader.nodeId
      : op.role === 'addingReplica' ? this.catchingUp()
      : op.partition !== undefined ? this.freshestImage()?.topics[op.partition.topic]?.partitions[op.partition.partition]?.leader ?? -1
      : this.busiestLeader();
    return nodeId >= 0 && this.nodes.get(nodeId)?.sim.up === true ? [nodeId] : [];
  }

  /** The logs of the partitions `nodeId` leads, in the first up node's image. */
  private ledLogs(nodeId: number): string[] {
    const image = this.up()[0]?.brook?.metadata.image;
    const logs: string[] = [];
    for (const name of Object.keys(image?.topics ?? {}).sort()) {
      const topic = image?.topics[name];
      topic?.partitions.forEach((p, i) => { if (p.leader === nodeId) logs.push(partitionLogName(topic.topicId, i)); });
    }
    return logs;
  }

  /** The node leading the most partitions in the first up node's image. */
  private busiestLeader(): number {
    const image = this.up()[0]?.brook?.metadata.image;
    const counts = new Map<number, number>();
    for (const topic of Object.values(image?.topics ?? {})) for (const p of topic.partitions) if (p.leader >= 0) counts.set(p.leader, (counts.get(p.leader) ?? 0) + 1);
    let best = -1;
    for (const [nodeId, n] of [...counts].sort((a, b) => a[0] - b[0])) if (best < 0 || n > (counts.get(best) ?? 0)) best = nodeId;
    return best;
  }

  /** The lowest node id holding a replica that a reassignment adds and the ISR lacks, in the freshest image; -1 if none. */
  private catchingUp(): number {
    const image = this.freshestImage();
    let found = -1;
    for (const topic of Object.values(image?.topics ?? {})) {
      for (const p of topic.partitions) {
        for (const id of p.addingReplicas ?? []) if (!p.isr.includes(id) && (found < 0 || id < found)) found = id;
      }
    }
    return found;
  }

  get names(): string[] { return [...this.nodes.values()].map((n) => n.sim.name); }

  start(): void { this.world.within(() => { for (const node of this.nodes.values()) node.sim.start(); }); }

  /** Applies one fault-plan step; called inside the world's run loop by the scheduled plan. */
  apply(op: FaultOp): void {
    this.faultsApplied++;
    const nodes = this.targets(op);
    this.world.trace.add(this.world.scheduler.nowMs, 'fault', op.op, nodes.join(','));
    const named = nodes.map((id) => this.nodes.get(id)).filter((n): n is SimBrookNode => n !== undefined);
    switch (op.op) {
      case 'crash': for (const n of named) { n.brook?.stop(); n.sim.crash('process'); } return;
      case 'powerLoss': for (const n of named) this.losePower(n); return;
      case 'wipe': for (const n of named) { n.brook?.stop(); n.sim.crash('wipe'); } return;
      case 'restart': for (const n of named) this.restart(n); return;
      // SIGTERM: the node asks the controller to move its leaderships away, then its process ends.
      case 'shutdown': for (const n of named) this.shutDown(n); return;
      case 'isolate': this.world.network.partition([named.map((n) => n.sim.name), this.names.filter((x) => !named.some((n) => n.sim.name === x))]); return;
      case 'partition': {
        const side = named.map((n) => n.sim.name);
        this.world.network.partition([side, this.names.filter((x) => !side.includes(x))]);
        return;
      }
      case 'heal': this.world.network.heal(); return;
      case 'pause': for (const n of named) n.sim.clock.paused = true; return;
      case 'resume': for (const n of named) n.sim.clock.paused = false; return;
      case 'slowDisk': for (const n of named) n.sim.store.knobs.slowFactor = 20; return;
      case 'fastDisk': for (const n of named) n.sim.store.knobs.slowFactor = 1; return;
      case 'clockSkew': for (const n of named) n.sim.clock.skewMs += 5_000; return;
      case 'diskError':
        // Each log the node leads fails its next append: the first to write finds the error as leader.
        for (const n of named) for (const log of this.ledLogs(n.id)) n.sim.store.failNextAppendTo(log);
        return;
      default: { const never: never = op.op; throw new Error(`unknown fault ${String(never)}`); }
    }
  }

  /**
   * Power loss. When the run spares the documented hole, the node goes down keeping its page cache
   * and `restart` decides whether the power loss takes it: the ISR may shrink to the node only
   * after its power went, even after it restarted (runtime/sim/sole-in-sync.ts, PowerOutages).
   */
  private losePower(n: SimBrookNode): void {
    const judgeLater = this.options.sparePowerLossOfSoleInSync === true && n.sim.up;
    const image = judgeLater ? this.freshestImage() : undefined;
    const logs = judgeLater ? this.controllerLogs() : [];
    n.brook?.stop();
    n.sim.crash(judgeLater ? 'process' : 'power');
    if (judgeLater) this.powerOutages.cut(n.id, image, logs);
  }

  /** Starts a down node again; a pending power loss takes its page cache unless it comes back in an ISR. */
  /**
   * SIGTERM: the node asks the controller to move its leaderships away, and its process ends when
   * the controller says it may go — which takes as long as the quorum takes to answer (seed 917207:
   * 1.6 s with two voters down), so the restart may come first.
   */
  private shutDown(n: SimBrookNode): void {
    const brook = n.brook;
    if (brook === undefined) return;
    const exit = { brook, restartDue: false };
    this.exiting.set(n.id, exit);
    brook.shutdown(() => {
      if (this.exiting.get(n.id) === exit) this.exiting.delete(n.id);
      if (n.brook !== brook || !n.sim.up) return;
      n.sim.crash('process');
      // Like a supervisor that restarts a service once it exits; in its own step, not inside the old node's.
      if (exit.restartDue) this.world.scheduler.at(0, () => this.restart(n));
    });
  }

  private restart(n: SimBrookNode): void {
    if (n.sim.up) {
      const exit = this.exiting.get(n.id);
      if (exit !== undefined && exit.brook === n.brook) exit.restartDue = true;
      return;
    }
    const inIsr = this.powerOutages.restore(n.id, this.freshestImage(), this.controllerLogs());
    if (inIsr !== undefined) {
      if (sometimes('power-loss-spared-in-isr', inIsr.length > 0)) this.world.trace.add(this.world.scheduler.nowMs, 'fault', 'powerLossAsCrash', `${n.id}:${inIsr.join(',')}`);
      else n.sim.store.losePower();
    }
    n.sim.restart();
  }

  /** The Raft logs of the up nodes' controller replicas, uncommitted entries included. */
  private controllerLogs(): RaftLog[] {
    return this.up().map((n) => n.brook?.controllerLog).filter((log): log is RaftLog => log !== undefined);
  }

  /** The metadata image with the highest applied offset among up nodes. */
  private freshestImage(): MetadataImage | undefined {
    let best: MetadataImage | undefined;
    for (const n of this.up()) {
      const image = n.brook?.metadata.image;
      if (image !== undefined && (best === undefined || image.offset > best.offset)) best = image;
    }
    return best;
  }

  /** Schedules every step of a plan at its time. */
  schedule(plan: readonly FaultOp[]): void {
    for (const op of plan) this.world.scheduler.at(op.atMs - this.world.scheduler.nowMs, () => this.apply(op));
  }

  /**
   * Ends the safety phase: heal the network, undo pauses and slow disks, then restart crashed
   * nodes — last, so that a pending power loss is judged against the nodes that are back.
   */
  healAll(): void {
    this.world.within(() => {
      this.world.network.heal();
      for (const n of this.nodes.values()) {
        n.sim.clock.paused = false;
        n.sim.store.knobs.slowFactor = 1;
      }
      for (const n of this.nodes.values()) this.restart(n);
    });
  }

  up(): SimBrookNode[] { return [...this.nodes.values()].filter((n) => n.sim.up && n.brook !== undefined); }
}
