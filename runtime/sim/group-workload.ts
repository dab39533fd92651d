/**
 * The consumer-group part of the simulation workload: consumers of one group (the SDK's real
 * consumer actor, subscribed, auto-committing) on client nodes of the simulated world. They join,
 * leave, crash and restart on a seeded schedule while producers write; what they are handed goes
 * to the history (an `assign` op per assigned notice, so positions are tracked per ownership) and
 * to the group checker. A revoked notice is acknowledged at once, as an application whose
 * callback returns would.
 */
import { consumerKind } from '../sdk/kinds.js';
import type { Random } from '../random.js';
import type { SimNode, SimWorld } from './world.js';
import type { HistoryRecorder, PolledRecord } from './checks/history.js';
import type { GroupChecker } from './checks/groups.js';

const decoder = new TextDecoder();

export interface GroupSpec { groupId: string; members: number; churnMeanMs: number; autoCommitIntervalMs: number }

interface Notice { id: number; kind: 'assigned' | 'revoked'; partitions: Array<{ topic: string; partition: number }> }
interface Member { node: SimNode; up: boolean; clientId: string; crashed: () => void }
interface PollReply { ok: boolean; records?: Array<{ topic: string; partition: number; offset: number; value: Uint8Array | null }>; notice?: Notice; code?: string }

export class GroupWorkload {
  private readonly members: Member[] = [];
  polled = 0;
  churns = 0;
  /** Set when the safety phase ends: no more crashes. */
  stopped = false;

  constructor(private readonly world: SimWorld, private readonly random: Random, private readonly recorder: HistoryRecorder,
    private readonly checker: GroupChecker, readonly topic: string, readonly spec: GroupSpec) {}

  /** Adds the members; call before the world's clients start. */
  addMembers(): SimNode[] {
    for (let i = 0; i < this.spec.members; i++) this.addMember(i);
    return this.members.map((m) => m.node);
  }

  private addMember(index: number): void {
    const clientId = `g${index}`;
    const address = `client/${clientId}`;
    let requestId = 0;
    let pollOp: number | undefined;
    let incarnation = 0;
    const node = this.world.addNode(`client-${clientId}`, (sim) => {
      incarnation++;
      sim.host.spawn(consumerKind, address, { clientId, seed: sim.random.u32(), groupId: this.spec.groupId, autoCommit: true,
        autoCommitIntervalMs: this.spec.autoCommitIntervalMs, autoOffsetReset: 'earliest', maxWaitMs: 100, requestTimeoutMs: 1000, nowMs: sim.clock.nowMs() });
      sim.host.send(address, { type: 'subscribe', requestId: ++requestId, topics: [this.topic], nowMs: sim.clock.nowMs() });
      const mine = incarnation;
      this.world.scheduler.at(5, () => poll(mine));
    });
    let polling = false;
    // After the safety phase members keep polling (revocations are acknowledged from poll results,
    // so the group could not settle otherwise) but outside the history, which must drain.
    // One poll chain per incarnation: a chain's timer outliving its process's crash stops there.
    const poll = (chain: number): void => {
      if (chain !== incarnation || !node.up || polling) return;
      polling = true;
      pollOp = this.stopped ? undefined : this.recorder.invoke(clientId, 'poll', []);
      node.host.send(address, { type: 'poll', requestId: ++requestId, maxRecords: 200, timeoutMs: 100, nowMs: node.clock.nowMs() });
    };
    node.onDeliver = (_address, _id, raw) => {
      const result = raw as PollReply;
      if (!polling || !('records' in result || 'code' in result || 'notice' in result)) return;
      polling = false;
      const op = pollOp;
      pollOp = undefined;
      const records: PolledRecord[] = (result.records ?? []).map((r) => ({ topic: r.topic, partition: r.partition, offset: r.offset, value: r.value ? decoder.decode(r.value) : '' }));
      this.polled += records.length;
      const notice = result.notice;
      if (notice?.kind === 'assigned' && !this.stopped) {
        // Before the poll completes: records of a partition just taken over start a new position track.
        const taken = notice.partitions.map((p) => ({ topic: p.topic, partition: p.partition }));
        this.recorder.complete(this.recorder.invoke(clientId, 'assign', taken), 'ok', taken);
      }
      if (op !== undefined) this.recorder.complete(op, result.ok ? 'ok' : 'info', records);
      this.checker.onDelivered(this.spec.groupId, records);
      if (notice?.kind === 'revoked') {
        node.host.send(address, { type: 'ackRevoked', requestId: ++requestId, noticeId: notice.id, nowMs: node.clock.nowMs() });
      }
      const chain = incarnation;
      this.world.scheduler.at(5, () => poll(chain));
    };
    // A poll in flight when the process dies never completes: it may or may not have been served.
    const crashed = (): void => { if (pollOp !== undefined) this.recorder.complete(pollOp, 'info', []); pollOp = undefined; polling = false; };
    const member: Member = { node, up: true, clientId, crashed };
    this.members.push(member);
    this.scheduleChurn(member, this.random.fork(`churn-${clientId}`));
  }

  /** Now and then a member crashes (its process is gone: it owns nothing) and restarts a while later. */
  private scheduleChurn(member: Member, random: Random): void {
    const next = (): void => {
      if (this.stopped) return;
      if (member.up) {
        member.up = false;
        this.churns++;
        member.node.crash('process');
        member.crashed();
        this.checker.clientGone(member.clientId);
        this.world.scheduler.at(random.int(100, 2 * this.spec.churnMeanMs), next);
      } else {
        member.up = true;
        member.node.restart();
        this.world.scheduler.at(random.int(this.spec.churnMeanMs / 2, 2 * this.spec.churnMeanMs), next);
      }
    };
    this.world.scheduler.at(random.int(this.spec.churnMeanMs / 2, 2 * this.spec.churnMeanMs), next);
  }

  /** Healing: no more churn, every member up again. */
  heal(): void {
    this.stopped = true;
    for (const m of this.members) if (!m.up) { m.up = true; m.node.restart(); }
  }
}
