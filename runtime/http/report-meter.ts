/**
 * Counters fed by the facts actors report (the `report` effect, also read by the simulator's
 * checkers): elections a controller replica won, and group epoch bumps (rebalances).
 */
import type { BrookMetrics } from './metrics-registry.js';
import { LabelBudget } from './label-budget.js';

export class ReportMeter {
  private readonly groups: LabelBudget;

  constructor(private readonly metrics: BrookMetrics, groupsMax: number) {
    this.groups = new LabelBudget(groupsMax);
  }

  readonly onReport = (_address: string, kind: string, data: Record<string, unknown>): void => {
    if (kind === 'raftLeader') this.metrics.raftElectionsWon.inc();
    else if (kind === 'groupEpoch' && typeof data['groupId'] === 'string') this.metrics.groupRebalances.labels(this.groups.label(data['groupId'])).inc();
  };
}
