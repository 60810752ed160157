import * as assert from 'node:assert/strict';
import { fft, frequencyFraction, hann, melFilters, spectrogram, viridis } from '../../webview/src/run/spectrogram';

const sine = (hz: number, rate: number, n: number, amp = 1): Float32Array =>
  Float32Array.from({ length: n }, (_, i) => amp * Math.sin((2 * Math.PI * hz * i) / rate));

const argmax = (xs: ArrayLike<number>): number => {
  let best = 0;
  for (let i = 1; i < xs.length; i++) if (xs[i] > xs[best]) best = i;
  return best;
};

describe('webview: spectrogram (STFT, FFT, dB)', () => {
  it('FFT of a pure sine on bin 8 of 64: all energy in bins 8 and 56, magnitude n/2', () => {
    const n = 64;
    const re = Float64Array.from({ length: n }, (_, i) => Math.sin((2 * Math.PI * 8 * i) / n));
    const im = new Float64Array(n);
    fft(re, im);
    const mag = Array.from(re, (r, k) => Math.hypot(r, im[k]));
    assert.equal(argmax(mag.slice(0, n / 2)), 8);
    assert.ok(Math.abs(mag[8] - n / 2) < 1e-9 && Math.abs(mag[56] - n / 2) < 1e-9, `${mag[8]}, ${mag[56]}`);
    for (let k = 0; k < n; k++) if (k !== 8 && k !== 56) assert.ok(mag[k] < 1e-9, `bin ${k}: ${mag[k]}`);
  });

  it('FFT matches a direct DFT on random input, and refuses a length that is not a power of two', () => {
    const n = 16;
    const x = Array.from({ length: n }, (_, i) => Math.sin(i * 1.7) + Math.cos(i * i));
    const re = Float64Array.from(x);
    const im = new Float64Array(n);
    fft(re, im);
    for (let k = 0; k < n; k++) {
      let dr = 0,
        di = 0;
      for (let t = 0; t < n; t++) {
        dr += x[t] * Math.cos((-2 * Math.PI * k * t) / n);
        di += x[t] * Math.sin((-2 * Math.PI * k * t) / n);
      }
      assert.ok(Math.abs(dr - re[k]) < 1e-9 && Math.abs(di - im[k]) < 1e-9, `bin ${k}`);
    }
    assert.throws(() => fft(new Float64Array(12), new Float64Array(12)), /not a power of two/);
  });

  it('the Hann window is 0 at the start and 1 in the middle', () => {
    const w = hann(8);
    assert.equal(w[0], 0);
    assert.ok(Math.abs(w[4] - 1) < 1e-12);
  });

  it('has frames × bins values; a 1 kHz sine at 16 kHz peaks at bin 32 of 257 at about 0 dBFS in every frame', () => {
    const s = spectrogram(sine(1000, 16000, 16000), 16000, { fftSize: 512 });
    assert.equal(s.bins, 257);
    assert.equal(s.frames, Math.floor((16000 - 512) / 128) + 1);
    assert.equal(s.db.length, s.frames * s.bins);
    for (const f of [0, Math.floor(s.frames / 2), s.frames - 1]) {
      const row = s.db.subarray(f * s.bins, (f + 1) * s.bins);
      assert.equal(argmax(row), 32, `frame ${f}`); // 1000 Hz / (16000 / 512) Hz per bin
      assert.ok(Math.abs(row[32]) < 0.1, `full-scale sine reads ${row[32]} dBFS`);
    }
    assert.ok(Math.abs(s.maxDb) < 0.1);
  });

  it('clamps silence to the dB floor, and a half-amplitude sine reads about -6 dB', () => {
    const silent = spectrogram(new Float32Array(4096), 8000, { floorDb: -80 });
    assert.ok(silent.db.every((v) => v === -80));
    assert.equal(silent.maxDb, -80);
    const half = spectrogram(sine(1000, 16000, 2048, 0.5), 16000);
    assert.ok(Math.abs(half.maxDb - 20 * Math.log10(0.5)) < 0.1, `${half.maxDb}`);
  });

  it('caps the frames for a 30 s clip at 16 kHz (one per pixel column) and stays fast', () => {
    const clip = sine(440, 16000, 30 * 16000);
    const t0 = performance.now();
    const s = spectrogram(clip, 16000, { maxFrames: 380 });
    const ms = performance.now() - t0;
    assert.equal(s.frames, 380);
    assert.ok(Math.abs(s.hopSeconds * (s.frames - 1) - (30 * 16000 - 512) / 16000) < 0.01);
    assert.ok(ms < 1000, `${ms.toFixed(0)} ms`);
  });

  it('mel rows: the requested count, the sine in the band whose centre is nearest 1 kHz, and a mel axis', () => {
    const s = spectrogram(sine(1000, 16000, 8192), 16000, { melBands: 40 });
    assert.equal(s.bins, 40);
    assert.ok(s.mel);
    const filters = melFilters(257, 16000, 40);
    assert.ok(filters.every((row) => row.length > 0));
    const peak = argmax(s.db.subarray(0, 40));
    const expected = Math.round(frequencyFraction(s, 1000) * 41) - 1; // centres at i/(bands+1) of the mel range
    assert.ok(Math.abs(peak - expected) <= 1, `peak ${peak}, expected ≈ ${expected}`);
    assert.ok(frequencyFraction(s, 1000) > 1000 / 8000, 'mel gives low frequencies more room');
  });

  it('viridis goes dark purple to bright yellow', () => {
    assert.deepEqual(viridis(0), [68, 1, 84]);
    assert.deepEqual(viridis(1), [253, 231, 37]);
    assert.deepEqual(viridis(2), [253, 231, 37]);
  });
});
