// TODO(1) and TODO(2): the log-Mel front end. The filterbank's shape (triangles that tile the spectrum), the
// spectrogram of pure tones, the log and its clamp, and a match with the features the base model was trained on.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { corpus } from '../../../lab/speech';
import { FEATURES, hzToMel, logMelSpectrogram, melFilterbank, melToHz } from '../features';
import { BASE_WEIGHTS } from '../model';

const BINS = FEATURES.nFft / 2 + 1; // 129
const binHz = (k: number): number => (k * FEATURES.sampleRate) / FEATURES.nFft;
/** The centre of filter m in Hz, from the definition: nMels + 2 points equally spaced in Mel. */
const expectedCentre = (m: number): number =>
  melToHz(
    hzToMel(FEATURES.fMin) + ((hzToMel(FEATURES.fMax) - hzToMel(FEATURES.fMin)) * (m + 1)) / (FEATURES.nMels + 1),
  );

function tone(hz: number, amplitude: number, seconds: number): Float32Array {
  return Float32Array.from(
    { length: Math.round(seconds * FEATURES.sampleRate) },
    (_, n) => amplitude * Math.sin((2 * Math.PI * hz * n) / FEATURES.sampleRate),
  );
}

describe('TODO(1): the Mel filterbank', () => {
  it('has nMels rows of nFft/2 + 1 weights, each in [0, 1]', () => {
    const bank = melFilterbank();
    assert.equal(
      bank.length,
      FEATURES.nMels,
      `expected ${FEATURES.nMels} filters (one per Mel band), got ${bank.length}`,
    );
    bank.forEach((row, m) => {
      assert.equal(
        row.length,
        BINS,
        `filter ${m} has ${row.length} weights; it needs one per FFT bin, nFft/2 + 1 = ${BINS}`,
      );
      for (const w of row)
        assert.ok(
          w >= 0 && w <= 1 + 1e-6,
          `filter ${m} has a weight ${w} outside [0, 1]: a triangle of height 1 never goes negative or above 1`,
        );
    });
  });

  it('makes each filter one triangle: zero, a rise to a single peak, a fall, zero', () => {
    melFilterbank().forEach((row, m) => {
      const nonzero = [...row.keys()].filter((k) => row[k] > 1e-6);
      assert.ok(
        nonzero.length > 0,
        `filter ${m} is all zeros: with 40 bands over 0–4 kHz every filter covers at least two bins`,
      );
      const first = nonzero[0],
        last = nonzero[nonzero.length - 1];
      assert.equal(
        last - first + 1,
        nonzero.length,
        `filter ${m} is non-zero on bins ${nonzero.join(', ')}: a triangle has no gaps`,
      );
      const peak = nonzero.reduce((best, k) => (row[k] > row[best] ? k : best));
      for (let k = first; k < peak; k++)
        assert.ok(
          row[k] <= row[k + 1] + 1e-6,
          `filter ${m} falls before its peak (bin ${k}): rise = (f − left)/(centre − left)`,
        );
      for (let k = peak; k < last; k++)
        assert.ok(
          row[k] >= row[k + 1] - 1e-6,
          `filter ${m} rises after its peak (bin ${k}): fall = (right − f)/(right − centre)`,
        );
    });
  });

  it('centres the filters at points equally spaced in Mel (so their centres increase)', () => {
    const bank = melFilterbank();
    let previous = -Infinity;
    bank.forEach((row, m) => {
      const total = row.reduce((a, b) => a + b, 0);
      const centroid = row.reduce((s, w, k) => s + w * binHz(k), 0) / total;
      assert.ok(
        centroid > previous,
        `filter ${m} (centre of mass ${centroid.toFixed(0)} Hz) is not above filter ${m - 1}: centres must increase`,
      );
      previous = centroid;
      const want = expectedCentre(m),
        halfWidth = (expectedCentre(m + 1) - expectedCentre(m - 1)) / 2; // centre ± one neighbour gap
      assert.ok(
        Math.abs(centroid - want) < halfWidth / 2 + binHz(1),
        `filter ${m} sits around ${centroid.toFixed(0)} Hz; the Mel scale puts its centre at ${want.toFixed(0)} Hz. ` +
          'Space nMels + 2 points equally in hzToMel(fMin)…hzToMel(fMax), then convert each back with melToHz.',
      );
    });
  });

  it('tiles the spectrum: between the first and last centre the weights of each bin sum to 1', () => {
    const bank = melFilterbank();
    const lo = expectedCentre(0),
      hi = expectedCentre(FEATURES.nMels - 1);
    for (let k = 0; k < BINS; k++) {
      if (binHz(k) < lo || binHz(k) > hi) continue;
      const sum = bank.reduce((s, row) => s + row[k], 0);
      assert.ok(
        Math.abs(sum - 1) < 1e-4,
        `the weights of bin ${k} (${binHz(k).toFixed(0)} Hz) sum to ${sum.toFixed(4)}, not 1: each triangle must end exactly at its neighbours' centres`,
      );
    }
    assert.ok(
      bank.every((row) => row[0] === 0 && row[BINS - 1] === 0),
      'at fMin (bin 0) and fMax (the last bin) every filter should be 0: they are the outer edges of the first and last triangles',
    );
  });
});

describe('TODO(2): the log-Mel spectrogram', () => {
  it('returns exactly `frames` frames of nMels bands', () => {
    const mel = logMelSpectrogram(tone(500, 0.3, 0.5), 64);
    assert.equal(mel.frames, 64, 'frames: the clip is padded or cut to the number of frames asked for');
    assert.equal(mel.mels, FEATURES.nMels);
    assert.equal(mel.data.length, 64 * FEATURES.nMels, 'data holds frames × mels values, row-major');
  });

  it('puts a pure tone in the band whose centre is nearest to it, in every frame', () => {
    for (const hz of [300, 1000, 2500]) {
      const mel = logMelSpectrogram(tone(hz, 0.5, 1), 90);
      const nearest = [...Array(FEATURES.nMels).keys()].reduce((best, m) =>
        Math.abs(expectedCentre(m) - hz) < Math.abs(expectedCentre(best) - hz) ? m : best,
      );
      for (let t = 0; t < 90; t++) {
        const row = mel.data.subarray(t * FEATURES.nMels, (t + 1) * FEATURES.nMels);
        const top = row.indexOf(Math.max(...row));
        assert.ok(
          Math.abs(top - nearest) <= 1,
          `a ${hz} Hz tone peaks in band ${top} at frame ${t}; the band centred nearest ${hz} Hz is ${nearest}. ` +
            'Check the FFT bin ↔ Hz mapping (bin k is k·sampleRate/nFft Hz) and that band m is filterbank row m · the power spectrum.',
        );
      }
    }
  });

  it('takes log10 of the power, clamps 8 decades below the maximum and scales by (x + 4) / 4', () => {
    const silent = logMelSpectrogram(new Float32Array(4000), 20);
    assert.ok(
      silent.data.every((v) => Math.abs(v - -1.5) < 1e-5),
      `silence should give (log10(1e-10) + 4) / 4 = −1.5 everywhere; got ${silent.data[0]}. ` +
        'Floor the Mel energy at 1e-10 before the log, so log(0) never happens.',
    );
    const mel = logMelSpectrogram(tone(1000, 0.5, 1), 90);
    const max = Math.max(...mel.data),
      min = Math.min(...mel.data);
    // |X| at the tone's bin ≈ amplitude/2 · Σ Hann = 0.25 · 100 = 25, so the power ≈ 625 and log10 ≈ 2.8 → (2.8 + 4)/4
    // ≈ 1.7.
    assert.ok(
      Math.abs(max - 1.7) < 0.1,
      `a 1 kHz tone of amplitude 0.5 should peak near (log10(625) + 4) / 4 ≈ 1.70; got ${max.toFixed(3)}. ` +
        '1.35 means you used |X| instead of |X|²; 2.6 means ln instead of log10; ≈1.85 means no Hann window.',
    );
    assert.ok(
      max - min <= 2 + 1e-5,
      `values span ${(max - min).toFixed(3)}; after clamping at (max − 8) and dividing by 4 they can span at most 2`,
    );
    const short = logMelSpectrogram(tone(1000, 0.5, 0.2), 60); // 0.2 s = 20 frames, padded to 60
    assert.ok(
      Math.abs(short.data[59 * FEATURES.nMels] - (max - 2)) < 0.05,
      'frames past the end of the audio see zeros (padding), which clamp to the floor (max − 8) / 4 below the peak',
    );
  });

  it('matches the front end the pretrained model was trained with (lab/weights/whisper-base/meta.json)', () => {
    const mel = logMelSpectrogram(corpus('A', 1, 3)[0].audio, 256);
    const meta = JSON.parse(fs.readFileSync(path.join(BASE_WEIGHTS, 'meta.json'), 'utf8')) as {
      fingerprint: { melMean: number; melFrame40: number[] };
    };
    const mean = mel.data.reduce((a, b) => a + b, 0) / mel.data.length;
    assert.ok(
      Math.abs(mean - meta.fingerprint.melMean) < 1e-3,
      `the mean of your log-Mel features for the first test clip is ${mean.toFixed(5)}; the base model was trained on features with mean ${meta.fingerprint.melMean}. ` +
        'A front end that differs from the one a model was trained with makes it fail on every clip (the README lists every step).',
    );
    meta.fingerprint.melFrame40.forEach((want, m) => {
      const got = mel.data[40 * FEATURES.nMels + m];
      assert.ok(
        Math.abs(got - want) < 1e-3,
        `frame 40, band ${m}: got ${got.toFixed(5)}, the base model's front end gives ${want}`,
      );
    });
  });
});
