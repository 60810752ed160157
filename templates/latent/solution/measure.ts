/**
 * The measurement: pixel-space against latent-space diffusion on the same budget (the same UNet, batch and
 * number of training steps). Rombach et al. 2022 make the same comparison in §4.1 (Fig. 6 and 7: sample
 * quality against training progress and sampling throughput for downsampling factors f = 1 … 32).
 *
 * What each space's run records (train.ts fills it in):
 *   trainStepsPerSecond    training steps per second, after warm-up (latent: including the frozen encoder)
 *   sampleSeconds          seconds to draw one batch of samples, all T steps (latent: including the decoder)
 *   flopsPerStep           unetFlops: analytic FLOPs of one denoising step for one image
 *   quality                the MNIST judge's sample_confidence at each evaluation, against the training seconds
 *                          spent so far (evaluation time not counted)
 */

export interface QualityPoint {
  /** Training wall-clock seconds when this evaluation ran. */
  seconds: number;
  /** sample_confidence of the samples drawn then (lab/classifier.ts). */
  confidence: number;
}

export interface SpaceMeasurement {
  trainStepsPerSecond: number;
  sampleSeconds: number;
  flopsPerStep: number;
  quality: QualityPoint[];
}

export interface Comparison {
  /** latent ÷ pixel training steps per second: the milestone's latent_speedup. */
  trainSpeedup: number;
  /** pixel ÷ latent seconds per batch of samples. */
  sampleSpeedup: number;
  /** pixel ÷ latent FLOPs per denoising step: the speed-up the arithmetic promises. */
  flopRatio: number;
  /** Training seconds until sample_confidence first reached the target (null: never in this run). */
  timeToQuality: { pixel: number | null; latent: number | null };
  /** pixel ÷ latent time to quality, or null unless both reached it. */
  qualitySpeedup: number | null;
}

/**
 * The training time at which the quality curve first reaches `target`: linearly interpolated between the last
 * evaluation below the target and the first at or above it; the first evaluation's time if that one already
 * reaches it; null if none does. `quality` is in the order the evaluations ran.
 */
export function timeToQuality(quality: readonly QualityPoint[], target: number): number | null {
  const hit = quality.findIndex((q) => q.confidence >= target);
  if (hit < 0) return null;
  if (hit === 0) return quality[0].seconds;
  const [before, after] = [quality[hit - 1], quality[hit]];
  return (
    before.seconds +
    ((target - before.confidence) / (after.confidence - before.confidence)) * (after.seconds - before.seconds)
  );
}

/** Compares the two runs (see Comparison); the target is the sample_confidence that counts as "good samples". */
export function compareSpaces(pixel: SpaceMeasurement, latent: SpaceMeasurement, target: number): Comparison {
  const pixelTime = timeToQuality(pixel.quality, target);
  const latentTime = timeToQuality(latent.quality, target);
  return {
    trainSpeedup: latent.trainStepsPerSecond / pixel.trainStepsPerSecond,
    sampleSpeedup: pixel.sampleSeconds / latent.sampleSeconds,
    flopRatio: pixel.flopsPerStep / latent.flopsPerStep,
    timeToQuality: { pixel: pixelTime, latent: latentTime },
    qualitySpeedup: pixelTime !== null && latentTime !== null && latentTime > 0 ? pixelTime / latentTime : null,
  };
}
