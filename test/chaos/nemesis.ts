/**
 * The nemesis: one fault at a time, then its heal, then a wait for the cluster to settle (bounded)
 * and a pause. Kinds are drawn from a shuffled deck of every kind, so each kind comes up once per
 * round of the deck. Every choice comes from the nemesis's own seeded PRNG; targets that depend on
 * the cluster (the controller leader, a partition's leader) are read from the admin at the time.
 */
import type { ChaosCluster } from './cluster.js';
import { Prng } from './prng.js';

export const FAULT_KINDS = ['kill-node', 'kill-controller-leader', 'kill-partition-leader', 'pause-partition-leader', 'restart-node',
  'restart-controller-leader', 'kill-nats', 'cut-node', 'cut-partition-leader'] as const;
export type FaultKind = typeof FAULT_KINDS[number];

export interface Fault {
  kind: FaultKind;
  /** `node-3`, `nats-1`. */
  target: string;
  /** Milliseconds since the run started. */
  atMs: number;
  healedAtMs: number;
  /** When the cluster had every node unfenced and every ISR full again (undefined: not within the bound). */
  settledAtMs: number | undefined;
  note?: string;
}

export interface NemesisOptions {
  seed: number;
  topic: string;
  /** How long a killed process stays down, or a cut / pause lasts: [min, max] ms. */
  downMs: [number, number];
  /** Quiet time after the cluster settled, before the next fault: [min, max] ms. */
  pauseMs: [number, number];
  /** How long to wait for the cluster to settle after a heal. */
  settleMaxMs: number;
  /** Fault kinds to leave out. */
  skip?: readonly FaultKind[];
  /** Only these kinds (after `skip`). */
  only?: readonly FaultKind[];
  /** Keep going past the deadline until this many faults were applied (a short run still covers every kind). */
  faultsMin?: number;
}

export class Nemesis {
  readonly faults: Fault[] = [];
  private readonly random: Prng;
  private deck: FaultKind[] = [];
  private stopped = false;
  private sleeping: { timer: NodeJS.Timeout; resolve: () => void } | undefined;

  constructor(private readonly cluster: ChaosCluster, private readonly options: NemesisOptions, private readonly startMs: number) {
    this.random = new Prng(options.seed);
  }

  get kinds(): FaultKind[] {
    return FAULT_KINDS.filter((k) => !(this.options.skip ?? []).includes(k) && (this.options.only === undefined || this.options.only.includes(k)));
  }

  /** Applies faults until `untilMs` (since the run started) or `stop()`; a fault under way is always healed. */
  async run(untilMs: number): Promise<void> {
    const more = (): boolean => !this.stopped && (this.now() < untilMs || this.faults.length < (this.options.faultsMin ?? 0));
    while (more()) {
      await this.one(this.nextKind());
      if (!more()) break;
      await this.sleep(this.random.between(...this.options.pauseMs));
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.sleeping) { clearTimeout(this.sleeping.timer); this.sleeping.resolve(); }
  }

  private nextKind(): FaultKind {
    if (this.deck.length === 0) this.deck = this.random.shuffle(this.kinds);
    return this.deck.shift() as FaultKind;
  }

  private async one(kind: FaultKind): Promise<void> {
    const c = this.cluster;
    // A process that died on its own (the report lists it) is started again first, so that one
    // death does not turn every later fault into a second concurrent one.
    const revived: string[] = [];
    for (const m of c.nats.members) if (!c.nats.alive(m.index)) { await c.nats.restart(m.index); revived.push(`nats-${m.index}`); }
    for (const id of c.ids) if (!c.alive(id)) { c.startNode(id); revived.push(`node-${id}`); }
    const down = this.random.between(...this.options.downMs);
    const record = (target: string, note?: string): Fault => {
      const fault: Fault = { kind, target, atMs: this.now(), healedAtMs: -1, settledAtMs: undefined };
      if (note !== undefined) fault.note = note;
      this.faults.push(fault);
      return fault;
    };
    let fault: Fault;
    switch (kind) {
      case 'kill-node':
      case 'kill-controller-leader':
      case 'kill-partition-leader': {
        const { id, note } = await this.target(kind);
        fault = record(`node-${id}`, note);
        await c.kill9(id);
        await this.sleepAlways(down);
        c.startNode(id);
        break;
      }
      case 'pause-partition-leader': {
        const { id, note } = await this.target(kind);
        fault = record(`node-${id}`, note);
        c.node(id).process?.signal('SIGSTOP');
        await this.sleepAlways(this.random.between(500, 3_000));
        c.node(id).process?.signal('SIGCONT');
        break;
      }
      case 'restart-node':
      case 'restart-controller-leader': {
        const { id, note } = kind === 'restart-node' ? { id: this.random.pick(this.liveNodes()), note: undefined } : await this.target(kind);
        fault = record(`node-${id}`, note);
        const exit = await c.terminate(id);
        if (exit && exit.code !== 0) fault.note = `exit code ${exit.code} signal ${exit.signal}`;
        c.startNode(id);
        break;
      }
      case 'kill-nats': {
        const index = this.random.int(c.nats.members.length);
        fault = record(`nats-${index}`);
        await c.nats.kill9(index);
        await this.sleepAlways(down);
        await c.nats.restart(index);
        break;
      }
      case 'cut-node':
      case 'cut-partition-leader': {
        const { id, note } = kind === 'cut-node' ? { id: this.random.pick(this.liveNodes()), note: undefined } : await this.target(kind);
        fault = record(`node-${id}`, note);
        c.node(id).proxy.cutOff();
        await this.sleepAlways(down);
        c.node(id).proxy.restore();
        break;
      }
    }
    if (revived.length > 0) fault.note = `${fault.note ?? ''}${fault.note ? '; ' : ''}first restarted ${revived.join(', ')} (died on its own)`;
    fault.healedAtMs = this.now();
    if (await settled(c, this.options.topic, this.options.settleMaxMs)) fault.settledAtMs = this.now();
  }

  /** The node a kind aims at; a random live node (with a note) when the admin cannot say. */
  private async target(kind: FaultKind): Promise<{ id: number; note?: string }> {
    const c = this.cluster;
    const live = this.liveNodes();
    // The draw happens whatever the admin answers, so the PRNG sequence depends only on the seed.
    const fallback = this.random.pick(live);
    const partition = this.random.int(64);
    try {
      if (kind === 'kill-controller-leader' || kind === 'restart-controller-leader') {
        const quorum = await c.admin.describeQuorum();
        if (live.includes(quorum.leaderId)) return { id: quorum.leaderId };
      } else if (kind === 'kill-partition-leader' || kind === 'pause-partition-leader' || kind === 'cut-partition-leader') {
        const topic = await c.admin.describeTopic(this.options.topic);
        const p = topic.partitions[partition % topic.partitions.length];
        if (p && live.includes(p.leader)) return { id: p.leader, note: `leader of partition ${p.partition}` };
      } else {
        return { id: fallback };
      }
    } catch (error) {
      return { id: fallback, note: `admin could not name the target (${String(error)}): a random node` };
    }
    return { id: fallback, note: 'target not live: a random node' };
  }

  private liveNodes(): number[] { return this.cluster.ids.filter((id) => this.cluster.alive(id)); }

  private now(): number { return Date.now() - this.startMs; }

  /** A pause that `stop()` cuts short. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => { this.sleeping = { timer: setTimeout(resolve, ms), resolve }; });
  }

  /** A fault's own duration: not cut short, so every fault lasts as drawn and is healed. */
  private sleepAlways(ms: number): Promise<void> { return new Promise((resolve) => setTimeout(resolve, ms)); }
}

/** Every node unfenced and every partition led with a full ISR, within `timeoutMs`. */
export async function settled(c: ChaosCluster, topic: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const meta = await c.admin.metadata([topic]);
      const nodesOk = meta.nodes.length === c.ids.length && meta.nodes.every((n) => n.state === 'unfenced');
      const t = meta.topics.find((x) => x.name === topic);
      const rf = t?.partitions[0]?.replicas.length ?? 0;
      if (nodesOk && t !== undefined && t.partitions.every((p) => p.leader > 0 && p.isr.length === rf)) return true;
    } catch { /* the admin's node may be the one that is down: ask again */ }
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}
