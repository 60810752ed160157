/**
 * The pure side of the heatmaps (matrixView.ts, attentionView.ts): colour maps, the colour scale and its legend ticks,
 * label thinning, which cell a point or a key lands on, and the matrix's pixels. No DOM, so mocha tests it as it is.
 *
 * The colour maps are matplotlib's perceptual ones (van der Walt & Smith, "A better default colormap", SciPy 2015):
 * viridis for a sequential scale, inferno for an overlay on an image (low attention goes dark, so the image's salient
 * part stays readable), and a blue–white–red diverging map (ColorBrewer RdBu) when the scale is symmetric around 0,
 * as a cosine similarity in [-1, 1] is, so 0 reads as "neither" instead of as a mid-green.
 */

export type Rgb = readonly [number, number, number];

/** Evenly spaced stops; colours between them are interpolated linearly in sRGB. */
export interface Colormap {
  readonly name: string;
  readonly stops: readonly Rgb[];
}

export const VIRIDIS: Colormap = {
  name: 'viridis',
  stops: [
    [68, 1, 84],
    [72, 40, 120],
    [62, 73, 137],
    [49, 104, 142],
    [38, 130, 142],
    [31, 158, 137],
    [53, 183, 121],
    [110, 206, 88],
    [253, 231, 37],
  ],
};

export const INFERNO: Colormap = {
  name: 'inferno',
  stops: [
    [0, 0, 4],
    [31, 12, 72],
    [85, 15, 109],
    [136, 34, 106],
    [186, 54, 85],
    [227, 89, 51],
    [249, 142, 9],
    [248, 201, 50],
    [252, 255, 164],
  ],
};

export const DIVERGING: Colormap = {
  name: 'blue–white–red',
  stops: [
    [5, 48, 97],
    [33, 102, 172],
    [67, 147, 195],
    [146, 197, 222],
    [209, 229, 240],
    [247, 247, 247],
    [253, 219, 199],
    [244, 165, 130],
    [214, 96, 77],
    [178, 24, 43],
    [103, 0, 31],
  ],
};

/** The colour at `t` in [0, 1] (clamped; NaN reads as 0). */
export function colorAt(map: Colormap, t: number): Rgb {
  const u = Number.isFinite(t) ? Math.min(1, Math.max(0, t)) : 0;
  const x = u * (map.stops.length - 1);
  const i = Math.min(map.stops.length - 2, Math.floor(x));
  const f = x - i;
  const [a, b] = [map.stops[i], map.stops[i + 1]];
  return [0, 1, 2].map((k) => Math.round(a[k] + (b[k] - a[k]) * f)) as unknown as Rgb;
}

/** Colours in a lookup table: odd, so t = 0.5 (a diverging scale's 0) has an entry of its own. */
export const LUT_SIZE = 257;

/** LUT_SIZE colours of `map`, RGB interleaved: colour i (t = i / 256) is at [3i, 3i + 3), for per-pixel work. */
export function colormapLut(map: Colormap): Uint8ClampedArray {
  const lut = new Uint8ClampedArray(LUT_SIZE * 3);
  for (let i = 0; i < LUT_SIZE; i++) lut.set(colorAt(map, i / (LUT_SIZE - 1)), i * 3);
  return lut;
}

/** The colour scale of a matrix: [low, high] maps to [0, 1] of its colour map. */
export interface ColorScale {
  readonly low: number;
  readonly high: number;
  /** True when [low, high] is symmetric around 0: the diverging map, 0 at its centre. */
  readonly diverging: boolean;
}

/** The scale over `range` when given (its ends in either order), else over the values' own finite min and max. */
export function colorScale(values: ArrayLike<number>, range?: readonly [number, number]): ColorScale {
  let low = Infinity;
  let high = -Infinity;
  if (range) [low, high] = range[0] <= range[1] ? range : [range[1], range[0]];
  else
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v < low) low = v;
      if (v > high) high = v;
    }
  if (!Number.isFinite(low) || !Number.isFinite(high)) low = high = 0;
  const diverging = !!range && low < 0 && high > 0 && Math.abs(low + high) <= 1e-9 * Math.max(-low, high);
  return { low, high, diverging };
}

/** Where `v` falls on the scale, clamped to [0, 1]; a scale with low = high has nothing to tell apart: 0.5. */
export function scaleT(scale: ColorScale, v: number): number {
  if (!(scale.high > scale.low)) return 0.5;
  const t = (v - scale.low) / (scale.high - scale.low);
  return Number.isFinite(t) ? Math.min(1, Math.max(0, t)) : 0.5;
}

export const scaleColormap = (scale: ColorScale): Colormap => (scale.diverging ? DIVERGING : VIRIDIS);

/** The legend's ticks: low, middle (0 on a diverging scale) and high; a single tick when low = high. */
export function legendTicks(scale: ColorScale): number[] {
  if (!(scale.high > scale.low)) return [scale.low];
  return [scale.low, scale.diverging ? 0 : (scale.low + scale.high) / 2, scale.high];
}

/** RGBA pixels of a `rows × cols` row-major matrix, one pixel per cell (drawn scaled up afterwards). */
export function matrixPixels(
  values: ArrayLike<number>,
  rows: number,
  cols: number,
  scale: ColorScale,
  lut: Uint8ClampedArray,
): Uint8ClampedArray<ArrayBuffer> {
  const out = new Uint8ClampedArray(new ArrayBuffer(rows * cols * 4));
  for (let i = 0; i < rows * cols; i++) {
    const k = Math.round(scaleT(scale, values[i]) * (LUT_SIZE - 1)) * 3;
    out[i * 4] = lut[k];
    out[i * 4 + 1] = lut[k + 1];
    out[i * 4 + 2] = lut[k + 2];
    out[i * 4 + 3] = 255;
  }
  return out;
}

/** Whole pixels per cell so the larger side comes near `target` (at least 1; neither side over 4× the other). */
export function cellSize(rows: number, cols: number, target = 256): { cellW: number; cellH: number } {
  const w = Math.max(1, Math.floor(target / cols));
  const h = Math.max(1, Math.floor(target / rows));
  const s = Math.min(w, h);
  return { cellW: Math.min(w, 4 * s), cellH: Math.min(h, 4 * s) };
}

/** Label every k-th of `count` slots sharing `extent` pixels so labels sit at least `spacing` pixels apart. */
export function labelStride(count: number, extent: number, spacing: number): number {
  if (count <= 0) return 1;
  if (!(extent > 0)) return count;
  return Math.max(1, Math.ceil((spacing * count) / extent));
}

/** `label` cut to `max` characters with an ellipsis when longer. */
export function truncateLabel(label: string, max: number): string {
  return label.length <= max ? label : `${label.slice(0, Math.max(1, max - 1))}…`;
}

export interface CellPos {
  readonly row: number;
  readonly col: number;
}

/** The cell under point (x, y) of a `width × height` drawing of a `rows × cols` matrix; undefined outside it. */
export function cellAt(
  x: number,
  y: number,
  width: number,
  height: number,
  rows: number,
  cols: number,
): CellPos | undefined {
  if (!(x >= 0 && y >= 0 && x < width && y < height)) return undefined;
  return {
    row: Math.min(rows - 1, Math.floor((y * rows) / height)),
    col: Math.min(cols - 1, Math.floor((x * cols) / width)),
  };
}

/**
 * The cell a key moves to: arrows by one (stopping at the edges), Home / End to the row's ends, with Ctrl to the
 * matrix's corners, PageUp / PageDown to the column's ends. With nothing selected yet, any of them selects the first
 * cell. Undefined for any other key.
 */
export function moveCell(
  from: CellPos | undefined,
  key: string,
  rows: number,
  cols: number,
  ctrl = false,
): CellPos | undefined {
  const moves: Record<string, (c: CellPos) => CellPos> = {
    ArrowLeft: (c) => ({ row: c.row, col: Math.max(0, c.col - 1) }),
    ArrowRight: (c) => ({ row: c.row, col: Math.min(cols - 1, c.col + 1) }),
    ArrowUp: (c) => ({ row: Math.max(0, c.row - 1), col: c.col }),
    ArrowDown: (c) => ({ row: Math.min(rows - 1, c.row + 1), col: c.col }),
    Home: (c) => ({ row: ctrl ? 0 : c.row, col: 0 }),
    End: (c) => ({ row: ctrl ? rows - 1 : c.row, col: cols - 1 }),
    PageUp: (c) => ({ row: 0, col: c.col }),
    PageDown: (c) => ({ row: rows - 1, col: c.col }),
  };
  const move = moves[key];
  if (!move) return undefined;
  return from ? move(from) : { row: 0, col: 0 };
}

/** What a matrix cell is called: its label, else its 1-based number after `axis` ("row 3"). */
export function axisName(labels: readonly string[] | undefined, i: number, axis: 'row' | 'col'): string {
  return labels?.[i] ?? `${axis} ${i + 1}`;
}
