/**
 * One scalar series in memory: steps and values in growable typed arrays (a 100k-point series is 1.6 MB, not a
 * million boxed objects), appended incrementally, kept sorted by step. The smoothed copy for the current EMA
 * weight is extended as points arrive and rebuilt only when the weight changes or a point lands out of order
 * (a resumed run re-logging earlier steps).
 */
import { upperBound } from './downsample';
import { emaStart, emaStep, type EmaState } from './ema';

export class SeriesStore {
  steps = new Float64Array(256);
  /** NaN marks a point whose value was NaN or infinite (the protocol sends null); it shows as a gap. */
  values = new Float64Array(256);
  length = 0;
  private smooth = new Float64Array(0);
  private smoothLength = 0;
  private smoothWeight = -1;
  private smoothState: EmaState = emaStart();
  /** Bumped on every change, so views can tell whether to redraw. */
  version = 0;

  append(points: readonly { readonly step: number; readonly value: number | null }[]): void {
    for (const p of points) {
      if (!Number.isFinite(p.step)) continue;
      const v = p.value === null || !Number.isFinite(p.value) ? NaN : p.value;
      this.push(p.step, v);
    }
    this.version++;
  }

  /** The EMA-smoothed values for `weight`, valid for indices below `length`. */
  smoothed(weight: number): Float64Array {
    if (weight !== this.smoothWeight || this.smoothLength > this.length) {
      this.smoothWeight = weight;
      this.smoothLength = 0;
      this.smoothState = emaStart();
    }
    if (this.smooth.length < this.length) {
      const next = new Float64Array(this.steps.length);
      next.set(this.smooth.subarray(0, this.smoothLength));
      this.smooth = next;
    }
    for (let i = this.smoothLength; i < this.length; i++)
      this.smooth[i] = emaStep(this.smoothState, this.values[i], weight);
    this.smoothLength = this.length;
    return this.smooth;
  }

  /** Smallest positive value (for a log-y range), or undefined. */
  minPositive(): number | undefined {
    let m = Infinity;
    for (let i = 0; i < this.length; i++) if (this.values[i] > 0 && this.values[i] < m) m = this.values[i];
    return m === Infinity ? undefined : m;
  }

  private push(step: number, value: number): void {
    if (this.length === this.steps.length) this.grow();
    let at = this.length;
    if (at > 0 && this.steps[at - 1] > step) {
      // Out of order: insert in place and restart smoothing from scratch (rare: resumed runs).
      at = upperBound(this.steps, step, this.length);
      this.steps.copyWithin(at + 1, at, this.length);
      this.values.copyWithin(at + 1, at, this.length);
      this.smoothWeight = -1;
    }
    this.steps[at] = step;
    this.values[at] = value;
    this.length++;
  }

  private grow(): void {
    const steps = new Float64Array(this.steps.length * 2);
    const values = new Float64Array(this.values.length * 2);
    steps.set(this.steps);
    values.set(this.values);
    this.steps = steps;
    this.values = values;
  }
}
