/**
 * The pure side of attention maps (attentionView.ts): one head's weights or the heads' mean, normalised per map to
 * [0, 1], and stretched from the patch grid over the image bilinearly, as the ViT paper's attention figures are
 * (Dosovitskiy et al. 2021, "An Image is Worth 16x16 Words", Fig. 6). No DOM.
 */
import { LUT_SIZE } from './heatmap';

/** Which weights to draw: one head (0-based) or the mean over all heads. */
export type HeadChoice = number | 'mean';

/** The `gridHeight × gridWidth` weights of one head, or their mean over the heads (row-major). */
export function headMap(
  weights: ArrayLike<number>,
  heads: number,
  gridHeight: number,
  gridWidth: number,
  head: HeadChoice,
): Float32Array {
  const n = gridHeight * gridWidth;
  const out = new Float32Array(n); // [gridHeight, gridWidth]
  if (head !== 'mean') {
    const h = Math.min(heads - 1, Math.max(0, head));
    for (let i = 0; i < n; i++) out[i] = weights[h * n + i];
    return out;
  }
  for (let h = 0; h < heads; h++) for (let i = 0; i < n; i++) out[i] += weights[h * n + i];
  for (let i = 0; i < n; i++) out[i] /= heads;
  return out;
}

/**
 * The map rescaled from its min..max to [0, 1], with the min and max it had. A flat map (every weight equal) has no
 * place that stands out: 0.5 everywhere, the colour scale's middle, as a matrix with one value shows.
 */
export function normalizeMap(map: ArrayLike<number>): { values: Float32Array; min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < map.length; i++) {
    if (map[i] < min) min = map[i];
    if (map[i] > max) max = map[i];
  }
  const values = new Float32Array(map.length);
  const span = max - min;
  for (let i = 0; i < map.length; i++) values[i] = span > 0 ? (map[i] - min) / span : 0.5;
  return { values, min, max };
}

/**
 * The grid stretched to `outWidth × outHeight` by bilinear interpolation between cell centres (edges clamped, the
 * "align corners = false" convention), so a cell's centre keeps its value exactly.
 */
export function upsampleBilinear(
  grid: ArrayLike<number>,
  gridHeight: number,
  gridWidth: number,
  outWidth: number,
  outHeight: number,
): Float32Array {
  const out = new Float32Array(outWidth * outHeight); // [outHeight, outWidth]
  const sx = gridWidth / outWidth;
  const sy = gridHeight / outHeight;
  for (let y = 0; y < outHeight; y++) {
    const gy = Math.min(gridHeight - 1, Math.max(0, (y + 0.5) * sy - 0.5));
    const y0 = Math.floor(gy);
    const y1 = Math.min(gridHeight - 1, y0 + 1);
    const fy = gy - y0;
    for (let x = 0; x < outWidth; x++) {
      const gx = Math.min(gridWidth - 1, Math.max(0, (x + 0.5) * sx - 0.5));
      const x0 = Math.floor(gx);
      const x1 = Math.min(gridWidth - 1, x0 + 1);
      const fx = gx - x0;
      const top = grid[y0 * gridWidth + x0] * (1 - fx) + grid[y0 * gridWidth + x1] * fx;
      const bottom = grid[y1 * gridWidth + x0] * (1 - fx) + grid[y1 * gridWidth + x1] * fx;
      out[y * outWidth + x] = top * (1 - fy) + bottom * fy;
    }
  }
  return out;
}

/** Opaque RGBA pixels colouring values in [0, 1] through a lookup table (colormapLut). */
export function colorPixels(values: ArrayLike<number>, lut: Uint8ClampedArray): Uint8ClampedArray<ArrayBuffer> {
  const out = new Uint8ClampedArray(new ArrayBuffer(values.length * 4));
  for (let i = 0; i < values.length; i++) {
    const k = Math.round(Math.min(1, Math.max(0, values[i])) * (LUT_SIZE - 1)) * 3;
    out[i * 4] = lut[k];
    out[i * 4 + 1] = lut[k + 1];
    out[i * 4 + 2] = lut[k + 2];
    out[i * 4 + 3] = 255;
  }
  return out;
}

/** The grid cell with the largest weight (the first, on ties). */
export function strongestCell(map: ArrayLike<number>, gridWidth: number): { row: number; col: number } {
  let best = 0;
  for (let i = 1; i < map.length; i++) if (map[i] > map[best]) best = i;
  return { row: Math.floor(best / gridWidth), col: best % gridWidth };
}
