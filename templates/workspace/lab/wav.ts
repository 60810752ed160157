/**
 * A tiny WAV encoder: mono, 16-bit PCM, what every audio player (and the run panel's) reads.
 *
 * A WAV file is a RIFF container with two chunks (little-endian throughout):
 *   "RIFF" <size> "WAVE"
 *   "fmt " 16  format 1 (PCM), channels 1, sample rate, byte rate, block align 2, 16 bits per sample
 *   "data" <size>  one signed 16-bit integer per sample
 */

/** The WAV header's size in bytes: what a file holds before its first sample. */
export const WAV_HEADER_BYTES = 44;

/**
 * A WAV file of `samples` (floats in [-1, 1]; values outside are clipped) at `sampleRate` samples per second.
 * The samples must be finite: the lab checks them before it calls this.
 */
export function encodeWav(samples: ArrayLike<number>, sampleRate: number): Uint8Array {
  const dataBytes = samples.length * 2;
  const bytes = new Uint8Array(WAV_HEADER_BYTES + dataBytes);
  const view = new DataView(bytes.buffer);
  const ascii = (offset: number, text: string): void => {
    for (let i = 0; i < text.length; i++) bytes[offset + i] = text.charCodeAt(i);
  };
  ascii(0, 'RIFF');
  view.setUint32(4, WAV_HEADER_BYTES - 8 + dataBytes, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, 16, true); // the fmt chunk's size
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * 2, true); // bytes per second
  view.setUint16(32, 2, true); // bytes per sample frame
  view.setUint16(34, 16, true); // bits per sample
  ascii(36, 'data');
  view.setUint32(40, dataBytes, true);
  for (let i = 0; i < samples.length; i++) {
    const v = Math.max(-1, Math.min(1, samples[i]));
    // -1 → -32768 and 1 → 32767: the asymmetric 16-bit range, as most encoders scale it.
    view.setInt16(WAV_HEADER_BYTES + i * 2, v < 0 ? Math.round(v * 0x8000) : Math.round(v * 0x7fff), true);
  }
  return bytes;
}
