/**
 * The log-Mel front end: audio samples → a [T, 40] "image" of energy per time frame and Mel band.
 *
 * Radford et al. 2022, "Robust Speech Recognition via Large-Scale Weak Supervision", §2.2: 25 ms windows with a
 * 10 ms stride, 80 log-Mel channels, log10 of the power clamped to 8 decades below the clip's maximum, then
 * scaled to about [−1, 1]. Here: 8 kHz audio, so 200-sample windows, 80-sample hops and a 256-point FFT, and
 * 40 channels (the band is only 0–4 kHz).
 */
import { fft } from './fft';

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
 * The Mel filterbank: `nMels` triangular filters over the nFft/2 + 1 FFT bins, centred at points equally spaced
 * on the Mel scale. Take nMels + 2 points equally spaced in Mel from fMin to fMax; filter m rises from 0 at point m
 * to 1 at point m+1 (its centre) and falls back to 0 at point m+2, its neighbours' centres.  → [nMels][nFft/2 + 1]
 */
export function melFilterbank(
  nMels = FEATURES.nMels,
  nFft = FEATURES.nFft,
  sampleRate = FEATURES.sampleRate,
  fMin = FEATURES.fMin,
  fMax = FEATURES.fMax,
): Float32Array[] {
  const bins = nFft / 2 + 1;
  const lo = hzToMel(fMin),
    hi = hzToMel(fMax);
  const points = Array.from({ length: nMels + 2 }, (_, i) => melToHz(lo + ((hi - lo) * i) / (nMels + 1))); // Hz
  return Array.from({ length: nMels }, (_, m) => {
    const [left, centre, right] = [points[m], points[m + 1], points[m + 2]];
    const row = new Float32Array(bins);
    for (let k = 0; k < bins; k++) {
      const hz = (k * sampleRate) / nFft; // the frequency of FFT bin k
      const rise = (hz - left) / (centre - left),
        fall = (right - hz) / (right - centre);
      row[k] = Math.max(0, Math.min(rise, fall));
    }
    return row;
  });
}

/**
 * The log-Mel spectrogram of `audio`, zero-padded (or cut) to exactly `frames` frames, as Whisper pads every
 * clip to 30 s. Frame t covers samples [t·hop, t·hop + frameLength).
 *   1. frame and window: multiply each frame by a periodic Hann window w[n] = 0.5 − 0.5·cos(2πn / frameLength)
 *   2. power spectrum:   zero-pad the frame to nFft, FFT, |X[k]|² for k = 0 … nFft/2
 *   3. Mel:              each band is the filterbank row · the power spectrum
 *   4. log:              log10(max(mel, 1e-10)), then clamp below at (the clip's maximum − 8), then (x + 4) / 4
 */
export function logMelSpectrogram(audio: Float32Array, frames: number): LogMel {
  const { frameLength, hop, nFft, nMels } = FEATURES;
  const bank = melFilterbank();
  const window = Float64Array.from(
    { length: frameLength },
    (_, n) => 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / frameLength),
  );
  const data = new Float32Array(frames * nMels);
  const re = new Float64Array(nFft),
    im = new Float64Array(nFft);
  const power = new Float64Array(nFft / 2 + 1);
  let max = -Infinity;
  for (let t = 0; t < frames; t++) {
    re.fill(0);
    im.fill(0);
    for (let n = 0; n < frameLength; n++) {
      const i = t * hop + n;
      re[n] = i < audio.length ? audio[i] * window[n] : 0; // [frameLength] then zeros to nFft
    }
    fft(re, im);
    for (let k = 0; k < power.length; k++) power[k] = re[k] * re[k] + im[k] * im[k]; // [nFft/2 + 1]
    for (let m = 0; m < nMels; m++) {
      let e = 0;
      const row = bank[m];
      for (let k = 0; k < power.length; k++) e += row[k] * power[k];
      const v = Math.log10(Math.max(e, 1e-10));
      data[t * nMels + m] = v;
      if (v > max) max = v;
    }
  }
  for (let i = 0; i < data.length; i++) data[i] = (Math.max(data[i], max - 8) + 4) / 4;
  return { frames, mels: nMels, data };
}
