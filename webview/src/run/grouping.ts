/**
 * Which chart a scalar series goes on: the name's prefix before the first '/' (`acc/seen` and `acc/heldout` share
 * the `acc` chart; `loss` is its own). The runner's own series (RUNNER_SERIES, `runner/…`) form one group that starts
 * collapsed, so the learner's metrics come first.
 */
import { RUNNER_SERIES_GROUP } from '../../../src/protocol/runFiles';

export const RUNNER_GROUP = RUNNER_SERIES_GROUP;

export interface MetricGroup {
  readonly name: string;
  /** Series names in the group, sorted. */
  readonly series: readonly string[];
  readonly collapsedByDefault: boolean;
}

export function groupOf(seriesName: string): string {
  const slash = seriesName.indexOf('/');
  return slash > 0 ? seriesName.slice(0, slash) : seriesName;
}

/** Groups series names into charts: learner groups alphabetically with `loss` first, the runner group last. */
export function groupMetrics(seriesNames: Iterable<string>): MetricGroup[] {
  const groups = new Map<string, Set<string>>();
  for (const name of seriesNames) {
    const g = groupOf(name);
    let set = groups.get(g);
    if (!set) groups.set(g, (set = new Set()));
    set.add(name);
  }
  const rank = (g: string): number => (g === 'loss' ? 0 : g === RUNNER_GROUP ? 2 : 1);
  return [...groups.keys()]
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
    .map((name) => ({ name, series: [...(groups.get(name) ?? [])].sort(), collapsedByDefault: name === RUNNER_GROUP }));
}
