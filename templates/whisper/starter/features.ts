/**
 * The log-Mel front end: audio samples → a [T, 40] "image" of energy per time frame and Mel band.
 *
 * Radford et al. 2022, "Robust Speech Recognition via Large-Scale Weak Supervision", §2.2: 25 ms windows with a
 * 10 ms stride, 80 log-Mel channels, log10 of the power clamped to 8 decades below the clip's maximum, then
 * scaled to about [−1, 1]. Here: 8 kHz audio, so 200-sample windows, 80-sample hops and a 256-point FFT, and
 * 40 channels (the band is only 0–4 kHz).
 */
import { fft } from './fft'; // you will call it in TODO(2)

export const FEATURES = { sampleRate: 8000, frameLength: 200, hop: 80, nFft: 256, nMels: 40, fMin: 0, fMax: 4000 };

/** A log-Mel spectrogram, row-major: data[t · mels + m] is band m of frame t. */
export interface LogMel {
  frames: number;
  mels: number;
  data: Float32Array;
}

/** The HTK Mel scale: equal steps in Mel sound equally far apart to a listener. */
export const hzToMel = (hz: number): number => 2595 * Math.log10(1 + hz / 700);
export const melToHz = (mel: number): number => 700 * (10 ** (mel / 2595) - 1);

/**
 * TODO(1): the Mel filterbank: `nMels` triangular filters over the nFft/2 + 1 FFT bins, centred at points equally
 * spaced on the Mel scale. Take nMels + 2 points equally spaced in Mel from fMin to fMax; filter m rises from 0 at
 * point m to 1 at point m+1 (its centre) and falls back to 0 at point m+2, its neighbours' centres.
 *   → [nMels][nFft/2 + 1]
 */
export function melFilterbank(
  nMels = FEATURES.nMels,
  nFft = FEATURES.nFft,
  sampleRate = FEATURES.sampleRate,
  fMin = FEATURES.fMin,
  fMax = FEATURES.fMax,
): Float32Array[] {
  throw new Error(
    'TODO(1): implement melFilterbank — nMels + 2 points equally spaced in Mel from fMin to fMax, converted to Hz; filter m is a triangle over the FFT bin frequencies k·sampleRate/nFft, 0 at points m and m+2, 1 at point m+1 (README §What you implement)',
  );
}

/**
 * TODO(2): the log-Mel spectrogram of `audio`, zero-padded (or cut) to exactly `frames` frames, as Whisper pads every
 * clip to 30 s. Frame t covers samples [t·hop, t·hop + frameLength).
 *   1. frame and window: multiply each frame by a periodic Hann window w[n] = 0.5 − 0.5·cos(2πn / frameLength)
 *   2. power spectrum:   zero-pad the frame to nFft, FFT, |X[k]|² for k = 0 … nFft/2
 *   3. Mel:              each band is the filterbank row · the power spectrum
 *   4. log:              log10(max(mel, 1e-10)), then clamp below at (the clip's maximum − 8), then (x + 4) / 4
 */
export function logMelSpectrogram(audio: Float32Array, frames: number): LogMel {
  throw new Error(
    'TODO(2): implement logMelSpectrogram — frame, Hann window, fft(), power |X|², Mel filterbank, log10 with the 8-decade clamp and (x + 4) / 4 (README §What you implement)',
  );
}
