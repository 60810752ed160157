/**
 * Log scales cannot show zero or negative values, and the step axis usually starts at step 0. Rather than let the
 * chart library draw nonsense (or throw), such points become gaps and are counted so the chart can say how many
 * it hides ("2 points ≤ 0 not shown on a log axis").
 */
export interface LogFiltered {
  readonly values: Float64Array;
  readonly hidden: number;
}

/** Replaces values ≤ 0 by NaN (a gap); NaN gaps in the input stay gaps and are not counted. */
export function positiveOnly(values: ArrayLike<number>): LogFiltered {
  const out = new Float64Array(values.length);
  let hidden = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v > 0) out[i] = v;
    else {
      out[i] = NaN;
      if (!Number.isNaN(v)) hidden++;
    }
  }
  return { values: out, hidden };
}

/** The visible range on a log axis: a non-positive lower bound becomes the smallest positive value seen (or 1). */
export function logRange(min: number, max: number, smallestPositive: number | undefined): [number, number] {
  const lo = min > 0 ? min : (smallestPositive ?? 1);
  const hi = max > lo ? max : lo * 10;
  return [lo, hi];
}

/** The axis mapping used to bucket points into pixel columns. */
export function axisMap(log: boolean): (x: number) => number {
  return log ? Math.log10 : (x) => x;
}
