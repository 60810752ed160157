/**
 * The fast Fourier transform (provided): Cooley & Tukey 1965, iterative radix-2, in place. The log-mel front end
 * (features.ts) calls it once per frame.
 *
 *   const re = frame (length a power of two), im = zeros;  fft(re, im);  // now re + i·im = DFT(frame)
 *   X[k] = Σ_n x[n] · e^(−2πi·k·n/N)
 */

/** Replaces (re, im) by its discrete Fourier transform. Both arrays have the same power-of-two length N. */
export function fft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  if ((n & (n - 1)) !== 0 || im.length !== n)
    throw new Error(`fft: length ${n} must be a power of two (and im the same length)`);
  // Bit-reversal permutation, so that the butterflies below can work in place.
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j], re[i]];
      [im[i], im[j]] = [im[j], im[i]];
    }
  }
  // Butterflies: merge pairs of DFTs of size len/2 into DFTs of size len.
  for (let len = 2; len <= n; len <<= 1) {
    const angle = (-2 * Math.PI) / len;
    for (let start = 0; start < n; start += len) {
      for (let k = 0; k < len / 2; k++) {
        const wr = Math.cos(angle * k),
          wi = Math.sin(angle * k);
        const a = start + k,
          b = a + len / 2;
        const tr = re[b] * wr - im[b] * wi,
          ti = re[b] * wi + im[b] * wr;
        re[b] = re[a] - tr;
        im[b] = im[a] - ti;
        re[a] += tr;
        im[a] += ti;
      }
    }
  }
}
