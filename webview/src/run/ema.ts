/**
 * Exponential moving average for the "smoothing" slider, as TensorBoard does it: debiased (the first points are
 * not dragged towards zero) and gap-tolerant (a null/NaN point stays a gap and does not reset or poison the
 * average). Works incrementally, so a live series is smoothed once per appended point, not once per frame.
 */
export interface EmaState {
  /** Biased running average. */
  last: number;
  /** How many finite points fed the average (for the debias factor). */
  count: number;
}

export function emaStart(): EmaState {
  return { last: 0, count: 0 };
}

/** Feeds one value; returns the smoothed value, or NaN for a gap (null/NaN/±Infinity in, NaN out). */
export function emaStep(state: EmaState, value: number | null, weight: number): number {
  if (value === null || !Number.isFinite(value)) return NaN;
  if (weight <= 0) return value;
  state.last = state.last * weight + (1 - weight) * value;
  state.count++;
  return state.last / (1 - Math.pow(weight, state.count));
}

/** Smooths a whole series; `weight` is the slider's 0–0.99 (0 = no smoothing). Gaps come out as NaN. */
export function ema(values: ArrayLike<number | null>, weight: number): Float64Array {
  const w = clampWeight(weight);
  const out = new Float64Array(values.length);
  const s = emaStart();
  for (let i = 0; i < values.length; i++) out[i] = emaStep(s, values[i], w);
  return out;
}

/** The slider's range: 0 (off) to 0.99; anything else (NaN from a bad saved state) becomes 0. */
export function clampWeight(w: number): number {
  return Number.isFinite(w) ? Math.min(0.99, Math.max(0, w)) : 0;
}
