import * as assert from 'node:assert/strict';
import { decodeWav } from '../../webview/src/run/wavDecode';

/** A 16-bit PCM WAV built by hand, field by field, as templates/workspace/lab/wav.ts writes it. */
function wav16(values: readonly number[], sampleRate: number, channels = 1): Uint8Array {
  const data = values.length * 2;
  const bytes = new Uint8Array(44 + data);
  const v = new DataView(bytes.buffer);
  const ascii = (o: number, s: string): void => [...s].forEach((ch, i) => (bytes[o + i] = ch.charCodeAt(0)));
  ascii(0, 'RIFF');
  v.setUint32(4, 36 + data, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  v.setUint32(16, 16, true);
  v.setUint16(20, 1, true);
  v.setUint16(22, channels, true);
  v.setUint32(24, sampleRate, true);
  v.setUint32(28, sampleRate * 2 * channels, true);
  v.setUint16(32, 2 * channels, true);
  v.setUint16(34, 16, true);
  ascii(36, 'data');
  v.setUint32(40, data, true);
  values.forEach((x, i) => v.setInt16(44 + i * 2, x, true));
  return bytes;
}

describe('webview: WAV decoding', () => {
  it('reads 16-bit PCM mono: the sample rate and every sample scaled to [-1, 1]', () => {
    const r = decodeWav(wav16([0, 16384, -16384, 32767, -32768], 16000));
    assert.ok(r.ok, r.ok ? '' : r.reason);
    assert.equal(r.wav.sampleRate, 16000);
    assert.equal(r.wav.channels, 1);
    assert.equal(r.wav.bitsPerSample, 16);
    assert.deepEqual([...r.wav.samples], [0, 0.5, -0.5, 32767 / 32768, -1]);
  });

  it('averages stereo channels to mono', () => {
    const r = decodeWav(wav16([16384, 0, -16384, -16384], 8000, 2));
    assert.ok(r.ok);
    assert.deepEqual([...r.wav.samples], [0.25, -0.5]);
  });

  it('skips unknown chunks before the data (a LIST chunk, odd-sized and padded)', () => {
    const plain = wav16([1000, -1000], 22050);
    const list = new Uint8Array([...'LIST'].map((c) => c.charCodeAt(0)).concat([3, 0, 0, 0, 65, 66, 67, 0]));
    const bytes = new Uint8Array([...plain.subarray(0, 36), ...list, ...plain.subarray(36)]);
    const r = decodeWav(bytes);
    assert.ok(r.ok, r.ok ? '' : r.reason);
    assert.deepEqual([...r.wav.samples], [1000 / 32768, -1000 / 32768]);
  });

  it('says why a file that is not RIFF/WAVE cannot be read', () => {
    const r = decodeWav(new TextEncoder().encode('ID3\u0004 this is an mp3'));
    assert.equal(r.ok, false);
    assert.match(r.ok ? '' : r.reason, /not a WAV file.*starts "ID3· this is"/);
  });

  it('says a truncated file is truncated: data cut short, header cut short, too few bytes', () => {
    const whole = wav16([1, 2, 3, 4], 16000);
    const cut = decodeWav(whole.subarray(0, 48));
    assert.equal(cut.ok, false);
    assert.equal(cut.ok ? '' : cut.reason, 'it is truncated: its "data" chunk says 8 bytes but only 4 follow');
    const noData = decodeWav(whole.subarray(0, 36));
    assert.equal(noData.ok ? '' : noData.reason, 'it has no "data" chunk (the file is truncated)');
    const tiny = decodeWav(whole.subarray(0, 5));
    assert.match(tiny.ok ? '' : tiny.reason, /5 bytes, too short/);
  });

  it('refuses a format it cannot read (A-law) with the format in the reason', () => {
    const bytes = wav16([1, 2], 8000);
    new DataView(bytes.buffer).setUint16(20, 6, true);
    const r = decodeWav(bytes);
    assert.match(r.ok ? '' : r.reason, /format 6, 16 bits/);
  });
});
