/**
 * A bound on the distinct values one label takes: the first `max` values seen keep their name,
 * every later one is counted under `_other`. Topic and group names come from the cluster's users,
 * so without a bound a cluster with many topics would grow the scrape without limit.
 */
export const OTHER_LABEL = '_other';

export class LabelBudget {
  private readonly kept = new Set<string>();

  constructor(readonly max: number) {}

  label(value: string): string {
    if (this.kept.has(value)) return value;
    if (this.kept.size >= this.max) return OTHER_LABEL;
    this.kept.add(value);
    return value;
  }
}
