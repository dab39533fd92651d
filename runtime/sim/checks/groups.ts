/**
 * Online and final checks of consumer groups (DESIGN.md sections 7 and 10), fed by the reports
 * the consumer actors (`groupOwned`, `groupCommitAcked`) and the coordinators (`groupAssigned`,
 * `groupEpoch`) emit, plus what the workload knows (a client process killed, records delivered):
 *   group-two-owners         two live members of a group fetch one partition at the same instant;
 *   group-epoch-regressed    a group's epoch, or a member's epoch, went down (also across a
 *                            coordinator failover, which must rebuild them from the log);
 *   commit-regressed         a commit a coordinator wrote (in log order) is below one written
 *                            before it (the workload never resets offsets; acknowledgements may
 *                            reach members out of order, so the log order is what counts);
 *   commit-lost              the committed offset read back at the end is below one acknowledged
 *                            before that read was sent (a commit acknowledged while the read is on
 *                            its way is concurrent with it: the read may come before it);
 *   group-skip               a record below the final committed offset was delivered to no member;
 *   group-unsettled          after faults heal, the group is not stable with every partition assigned.
 */
export interface GroupFinalState {
  /** From describeGroup after healing. */
  state: string;
  groupEpoch: number;
  members: Array<{ memberEpoch: number; assignment: Array<{ topic: string; partition: number }> }>;
  /** From offsetFetch after healing: "topic/partition" → committed offset. */
  committed: ReadonlyMap<string, number>;
}

type Violate = (name: string, message: string) => void;

function key(topic: unknown, partition: unknown): string { return `${String(topic)}/${String(partition)}`; }

export class GroupChecker {
  readonly violations: string[] = [];
  /** "group topic/partition" → clientId fetching it now. */
  private readonly owners = new Map<string, string>();
  private readonly groupEpochs = new Map<string, number>();
  private readonly memberEpochs = new Map<string, number>();
  /** "group topic/partition" → highest commit acknowledged to a member. */
  private readonly acked = new Map<string, number>();
  /** `acked` as it stood when the final offset read was last sent: what that read must show. */
  private ackedAtRead: ReadonlyMap<string, number> | undefined;
  /** "group topic/partition" → the last commit a coordinator wrote. */
  private readonly written = new Map<string, number>();
  /** "group topic/partition" → offsets delivered to some member. */
  private readonly delivered = new Map<string, Set<number>>();
  ownershipChanges = 0;
  commitsAcked = 0;

  constructor(private readonly fail: (line: string) => void = () => {}) {}

  private readonly violate: Violate = (name, message) => {
    const line = `${name}: ${message}`;
    if (this.violations.length < 50) this.violations.push(line);
    this.fail(line);
  };

  onReport(kind: string, data: Record<string, unknown>): void {
    const group = String(data['groupId']);
    if (kind === 'groupOwned') this.onOwned(group, String(data['clientId']), key(data['topic'], data['partition']), data['owned'] === true);
    else if (kind === 'groupEpoch') this.monotonic(this.groupEpochs, group, Number(data['groupEpoch']), `group ${group}'s epoch`);
    else if (kind === 'groupAssigned') {
      this.monotonic(this.groupEpochs, group, Number(data['groupEpoch']), `group ${group}'s epoch`);
      this.monotonic(this.memberEpochs, `${group} ${String(data['memberId'])}`, Number(data['memberEpoch']), `member ${String(data['memberId'])}'s epoch`);
    } else if (kind === 'groupCommitAcked') this.onCommitAcked(group, key(data['topic'], data['partition']), Number(data['offset']));
    else if (kind === 'groupCommitted') this.onCommitWritten(group, key(data['topic'], data['partition']), Number(data['offset']));
  }

  private onOwned(group: string, clientId: string, tp: string, owned: boolean): void {
    const k = `${group} ${tp}`;
    const owner = this.owners.get(k);
    this.ownershipChanges++;
    if (owned) {
      if (owner !== undefined && owner !== clientId) this.violate('group-two-owners', `${tp} of group ${group} fetched by ${owner} and ${clientId}`);
      this.owners.set(k, clientId);
    } else if (owner === clientId) this.owners.delete(k);
  }

  private monotonic(map: Map<string, number>, k: string, value: number, what: string): void {
    const previous = map.get(k);
    if (previous !== undefined && value < previous) this.violate('group-epoch-regressed', `${what} went ${previous} → ${value}`);
    map.set(k, Math.max(previous ?? value, value));
  }

  private onCommitAcked(group: string, tp: string, offset: number): void {
    this.commitsAcked++;
    const k = `${group} ${tp}`;
    this.acked.set(k, Math.max(this.acked.get(k) ?? offset, offset));
  }

  private onCommitWritten(group: string, tp: string, offset: number): void {
    const k = `${group} ${tp}`;
    const previous = this.written.get(k);
    if (previous !== undefined && offset < previous) this.violate('commit-regressed', `${tp} of group ${group}: committed ${offset} after ${previous}`);
    this.written.set(k, offset);
  }

  /** A client process died: whatever it fetched, it fetches no more. */
  clientGone(clientId: string): void {
    for (const [k, owner] of [...this.owners]) if (owner === clientId) this.owners.delete(k);
  }

  /**
   * The final offset read is being sent. Members keep committing while it is on its way, and the
   * coordinator answers it with the offsets as of its arrival, so only commits acknowledged by now
   * must show in its answer (real-time order; seed 200781).
   */
  finalReadSent(): void { this.ackedAtRead = new Map(this.acked); }

  /** Records a poll handed to a member of `group`. */
  onDelivered(group: string, records: ReadonlyArray<{ topic: string; partition: number; offset: number }>): void {
    for (const r of records) {
      const k = `${group} ${key(r.topic, r.partition)}`;
      const set = this.delivered.get(k) ?? new Set<number>();
      set.add(r.offset);
      this.delivered.set(k, set);
    }
  }

  /**
   * After healing: the group settled, no acknowledged commit was lost, and every record below the
   * committed offset (the final reads hold every record of the topic) was delivered to some member.
   */
  checkFinal(group: string, final: GroupFinalState, finalReads: ReadonlyMap<string, ReadonlyArray<{ offset: number }>>, partitions: Array<{ topic: string; partition: number }>): void {
    const assigned = new Map<string, number>();
    for (const m of final.members) for (const tp of m.assignment) assigned.set(key(tp.topic, tp.partition), (assigned.get(key(tp.topic, tp.partition)) ?? 0) + 1);
    const missing = partitions.filter((tp) => assigned.get(key(tp.topic, tp.partition)) !== 1);
    const behind = final.members.filter((m) => m.memberEpoch !== final.groupEpoch);
    if (final.members.length > 0 && (final.state !== 'stable' || missing.length > 0 || behind.length > 0)) {
      this.violate('group-unsettled', `group ${group} is ${final.state} at epoch ${final.groupEpoch}; partitions not assigned exactly once: ${missing.map((tp) => key(tp.topic, tp.partition)).join(',') || 'none'}; members behind: ${behind.length}`);
    }
    for (const [k, offset] of this.ackedAtRead ?? this.acked) {
      if (!k.startsWith(`${group} `)) continue;
      const tp = k.slice(group.length + 1);
      const committed = final.committed.get(tp) ?? -1;
      if (committed < offset) this.violate('commit-lost', `${tp} of group ${group}: committed ${committed} after ${offset} was acknowledged`);
    }
    for (const [tp, committed] of final.committed) {
      const seen = this.delivered.get(`${group} ${tp}`) ?? new Set<number>();
      const skipped = (finalReads.get(tp) ?? []).filter((r) => r.offset < committed && !seen.has(r.offset));
      if (skipped.length > 0) this.violate('group-skip', `${tp} of group ${group}: ${skipped.length} records below committed ${committed} never delivered (first ${skipped[0]?.offset})`);
    }
  }
}
