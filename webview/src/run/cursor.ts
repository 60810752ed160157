/**
 * The one step cursor that every image and text panel follows (wandb #8960: per-panel sliders drift apart).
 * The slider moves over the union of logged steps of all image series of all runs. Each panel then shows its
 * frame at the **nearest logged step at or before** the cursor — what the model looked like at that point of
 * training, never a sample from the future. Before a series' first step the panel has nothing to show (it says
 * where it starts); past its last step it keeps showing its last frame.
 */

/** Sorted, de-duplicated union of steps. */
export function unionSteps(...lists: Iterable<number>[]): number[] {
  const set = new Set<number>();
  for (const l of lists) for (const s of l) if (Number.isFinite(s)) set.add(s);
  return [...set].sort((a, b) => a - b);
}

/** Index into sorted `steps` of the largest step ≤ `cursor`, or -1 when the cursor is before the first step. */
export function snapAtOrBefore(steps: readonly number[], cursor: number): number {
  let lo = 0,
    hi = steps.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (steps[mid] <= cursor) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/**
 * The cursor's step from saved state: `null` follows the latest step (live runs keep moving); a saved step is kept
 * as is if it still exists, else snapped to the union with the same rule (or the first step).
 */
export function resolveCursor(union: readonly number[], saved: number | null): number | undefined {
  if (union.length === 0) return undefined;
  if (saved === null) return union[union.length - 1];
  const i = snapAtOrBefore(union, saved);
  return union[Math.max(0, i)];
}

/** The named series each run logged (images or texts), picked by `series`: every name once, sorted. */
export function seriesNames<R>(runs: readonly R[], series: (run: R) => ReadonlyMap<string, unknown>): string[] {
  return [...new Set(runs.flatMap((r) => [...series(r).keys()]))].sort();
}

/** Every step at which any run logged an item of any series picked by `series` (for the shared cursor). */
export function seriesSteps<R>(
  runs: readonly R[],
  series: (run: R) => ReadonlyMap<string, readonly { readonly step: number }[]>,
): number[] {
  const out: number[] = [];
  for (const r of runs) for (const items of series(r).values()) for (const item of items) out.push(item.step);
  return out;
}

/** The item at the nearest logged step at or before the cursor (items sorted by step); undefined before the first. */
export function frameAt<T extends { readonly step: number }>(
  items: readonly T[] | undefined,
  cursor: number | undefined,
): T | undefined {
  if (!items || items.length === 0 || cursor === undefined) return undefined;
  const i = snapAtOrBefore(
    items.map((f) => f.step),
    cursor,
  );
  return i >= 0 ? items[i] : undefined;
}
