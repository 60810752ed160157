/**
 * What every diffusion training loop here shares: the β range for T steps, Adam with β₂ = 0.99 and a warm-up +
 * cosine learning rate. PROVIDED.
 *
 * β₂ = 0.99 instead of Adam's 0.999: the second-moment estimate forgets in ~100 steps instead of ~1000, which suits
 * a run of a few thousand steps whose gradient scale falls fast (measured in exercise 2: README and
 * docs/PERFORMANCE.md).
 */
import * as tf from '@tensorflow/tfjs';

/**
 * The β range for T steps: the paper's 1e-4 → 0.02 over T = 1000, rescaled so that ᾱ_T ≈ 0 with fewer steps (x_T
 * is then pure noise). Pass it to a linear β schedule: `linearBetaSchedule(T, ...betaRange(T))`.
 */
export function betaRange(T: number): [start: number, end: number] {
  return [(1e-4 * 1000) / T, (0.02 * 1000) / T];
}

export interface LearningRateSchedule {
  /** The peak learning rate, reached at the end of the warm-up. */
  lr: number;
  warmup: number;
  steps: number;
}

/** Linear warm-up to `lr`, then a cosine decay to 10% of it at the last step (the final weights settle). */
export function warmupCosine(step: number, s: LearningRateSchedule): number {
  if (step < s.warmup) return (s.lr * step) / s.warmup;
  const progress = (step - s.warmup) / Math.max(1, s.steps - s.warmup); // 0 → 1
  return s.lr * (0.1 + 0.45 * (1 + Math.cos(Math.PI * progress)));
}

export interface DiffusionOptimizer {
  optimizer: tf.AdamOptimizer;
  /** Sets the learning rate for `step` (tfjs has no scheduler) and returns it. */
  setStep(step: number): number;
  /** One step: minimises `loss` over `vars` and returns the loss (the caller disposes it). */
  minimize(loss: () => tf.Scalar, vars: tf.Variable[]): tf.Scalar;
}

/** Adam (β₁ 0.9, β₂ `beta2`, default 0.99) driven by `warmupCosine`. */
export function diffusionAdam(schedule: LearningRateSchedule, beta2 = 0.99): DiffusionOptimizer {
  const optimizer = tf.train.adam(schedule.lr, 0.9, beta2);
  // Adam's learning rate is a plain field that tfjs does not expose in its type.
  const settable = optimizer as unknown as { learningRate: number };
  return {
    optimizer,
    setStep(step: number): number {
      settable.learningRate = warmupCosine(step, schedule);
      return settable.learningRate;
    },
    minimize(loss: () => tf.Scalar, vars: tf.Variable[]): tf.Scalar {
      const value = optimizer.minimize(loss, true, vars);
      if (!value) throw new Error('optimizer.minimize returned no loss (returnCost was true)');
      return value;
    },
  };
}

/** The U-Net size, the schedule length and the optimiser settings one configuration of a diffusion run shares. */
export interface DiffusionSettings {
  T: number;
  batch: number;
  /** The peak learning rate of `warmupCosine`. */
  lr: number;
  warmup: number;
  /** The U-Net's base channel count. */
  channels: number;
  /** The width of the sinusoidal time embedding. */
  timeDim: number;
  emaDecay: number;
}

/**
 * The settings exercises 4 and 7 train their U-Nets with, per configuration, so that the two compare like with like
 * (spread them into `lab.config` and add each run's own fields; any field can still be overridden there). Exercise 2
 * states its own, with a higher CPU learning rate found by its sweep (its README).
 */
export const DIFFUSION_SETTINGS: { cpu: DiffusionSettings; gpu: DiffusionSettings; smoke: DiffusionSettings } = {
  cpu: { T: 200, batch: 64, lr: 2e-3, warmup: 200, channels: 16, timeDim: 32, emaDecay: 0.998 },
  gpu: { T: 400, batch: 128, lr: 1e-3, warmup: 500, channels: 32, timeDim: 64, emaDecay: 0.999 },
  // smoke: tiny, so that even tfjs' pure-JS backend (a terminal run) finishes in well under a minute.
  smoke: { T: 20, batch: 8, lr: 3e-3, warmup: 0, channels: 4, timeDim: 8, emaDecay: 0.9 },
};
