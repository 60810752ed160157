/**
 * Reads a WAV file's samples for the spectrogram: the lab writes 16-bit PCM mono (templates/workspace/lab/wav.ts), but
 * a learner's own file may be 8/24/32-bit PCM, 32-bit float or stereo, so those are read too (channels averaged to
 * mono). Pure, no DOM. A file that cannot be read gives a reason a learner can act on, never a throw.
 *
 * A WAV file is a RIFF container, little-endian: "RIFF" <size> "WAVE", then chunks "<id>" <size> <bytes> (padded to
 * an even length), among them "fmt " (format, channels, rate, bits) and "data" (the interleaved samples).
 */

export interface DecodedWav {
  readonly sampleRate: number;
  /** The channels in the file (the samples are their average). */
  readonly channels: number;
  readonly bitsPerSample: number;
  /** Mono samples in [-1, 1]. */
  readonly samples: Float32Array;
}

export type WavResult =
  { readonly ok: true; readonly wav: DecodedWav } | { readonly ok: false; readonly reason: string };

const PCM = 1;
const FLOAT = 3;
const EXTENSIBLE = 0xfffe;

const fail = (reason: string): WavResult => ({ ok: false, reason });

function ascii(bytes: Uint8Array, offset: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(offset, offset + length));
}

/** Decodes a WAV file's bytes to mono float samples, or says why it cannot. */
export function decodeWav(bytes: Uint8Array): WavResult {
  if (bytes.length < 12) return fail(`the file has ${bytes.length} bytes, too short for a WAV header (12 or more)`);
  if (ascii(bytes, 0, 4) !== 'RIFF' || ascii(bytes, 8, 4) !== 'WAVE')
    return fail(
      `it is not a WAV file: it does not start with "RIFF…WAVE" (starts "${printable(bytes.subarray(0, 12))}")`,
    );
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let format: { code: number; channels: number; sampleRate: number; bits: number } | undefined;
  let offset = 12;
  while (offset + 8 <= bytes.length) {
    const id = ascii(bytes, offset, 4);
    const size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > bytes.length) return fail('its "fmt " chunk is cut off (the file is truncated)');
      let code = view.getUint16(body, true);
      if (code === EXTENSIBLE && size >= 26 && body + 26 <= bytes.length) code = view.getUint16(body + 24, true);
      format = {
        code,
        channels: view.getUint16(body + 2, true),
        sampleRate: view.getUint32(body + 4, true),
        bits: view.getUint16(body + 14, true),
      };
    } else if (id === 'data') {
      if (!format) return fail('its "data" chunk comes before any "fmt " chunk, so its sample format is unknown');
      const available = bytes.length - body;
      if (size > available)
        return fail(`it is truncated: its "data" chunk says ${size} bytes but only ${available} follow`);
      return samplesOf(view, body, size, format);
    }
    offset = body + size + (size & 1);
  }
  return fail(
    format ? 'it has no "data" chunk (the file is truncated)' : 'it has no "fmt " chunk (the file is truncated)',
  );
}

function samplesOf(
  view: DataView,
  start: number,
  size: number,
  f: { code: number; channels: number; sampleRate: number; bits: number },
): WavResult {
  const read = reader(f.code, f.bits);
  if (!read)
    return fail(`its sample format (format ${f.code}, ${f.bits} bits) is not PCM 8/16/24/32-bit or 32-bit float`);
  if (f.channels < 1) return fail('its "fmt " chunk says 0 channels');
  if (f.sampleRate < 1) return fail('its "fmt " chunk says a sample rate of 0');
  const bytesPer = f.bits / 8;
  const count = Math.floor(size / (bytesPer * f.channels));
  const samples = new Float32Array(count);
  for (let i = 0, p = start; i < count; i++) {
    let sum = 0;
    for (let c = 0; c < f.channels; c++, p += bytesPer) sum += read(view, p);
    samples[i] = sum / f.channels;
  }
  return { ok: true, wav: { sampleRate: f.sampleRate, channels: f.channels, bitsPerSample: f.bits, samples } };
}

type SampleReader = (view: DataView, p: number) => number;

function reader(code: number, bits: number): SampleReader | undefined {
  if (code === FLOAT && bits === 32) return (v, p) => v.getFloat32(p, true);
  if (code !== PCM) return undefined;
  switch (bits) {
    case 8:
      return (v, p) => (v.getUint8(p) - 128) / 128; // 8-bit WAV is unsigned, centred on 128
    case 16:
      return (v, p) => v.getInt16(p, true) / 0x8000;
    case 24:
      return (v, p) => ((v.getUint8(p) | (v.getUint8(p + 1) << 8) | (v.getInt8(p + 2) << 16)) >> 0) / 0x800000;
    case 32:
      return (v, p) => v.getInt32(p, true) / 0x80000000;
    default:
      return undefined;
  }
}

function printable(bytes: Uint8Array): string {
  return [...bytes].map((b) => (b >= 32 && b < 127 ? String.fromCharCode(b) : '·')).join('');
}
