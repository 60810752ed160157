/**
 * The records that look inside a model: what `lab.matrix`, `lab.attention`, `lab.embedding`, `lab.audio`,
 * `lab.histogram` and `lab.table` write (report.ts calls these; the extension's src/protocol/insightFiles.ts reads the
 * same shapes). Each function checks its input and says what is wrong in words a learner can act on, reads a tensor
 * with `await t.data()` (never `dataSync`: a GPU backend in Node cannot read synchronously), and returns the record's
 * fields, plus the bytes of any file (PNG, WAV) it stores beside the record.
 *
 * Values may be a tf.Tensor or plain numbers (values.ts reads and checks them). Numbers are kept to 7 significant
 * digits (a float32's precision); whole numbers (counts) are kept as they are.
 */
import type * as tf from '@tensorflow/tfjs';
import { toPixels, type ImageOptions } from './images';
import { encodePng } from './png';
import { encodeWav } from './wav';
import {
  checkCount,
  checkFinite,
  compact,
  compactAll,
  isTensor,
  labelsFor,
  readValues,
  shapeText,
  type Values,
} from './values';

export { compact, readValues, type Values };
import type { InsightFile } from './runtime/runStore';

/** What one record may hold, so files stay small and the panel stays smooth. */
export const INSIGHT_LIMITS = {
  /** Numbers per matrix or per attention map (all heads): a 512 × 512 matrix. */
  matrixValues: 262_144,
  /** Numbers (N × D) per embedding record: about 4 MB of JSON. */
  embeddingValues: 500_000,
  /** Rows per table record. */
  tableRows: 1_000,
  /** Seconds per audio clip. */
  audioSeconds: 300,
  /** Buckets per histogram (TensorBoard's default). */
  histogramBuckets: 30,
} as const;

/** A file stored beside a record, relative to the run folder. */
export interface MediaFile {
  readonly file: string;
  readonly bytes: Uint8Array;
}

export interface MatrixOptions {
  /** One label per row. */
  rowLabels?: readonly string[];
  /** One label per column. */
  colLabels?: readonly string[];
  /** The colour scale's [low, high], e.g. [-1, 1] for cosine similarities; default: the values' min and max. */
  range?: readonly [number, number];
}

export interface EmbeddingOptions {
  /** One label per point, shown on hover. */
  labels?: readonly string[];
  /** One group per point, coloured apart (e.g. 'image' and 'text'). */
  groups?: readonly string[];
}

/** A table cell as a script gives it; `undefined` (a key a row lacks) is an empty cell. */
export type TableCellInput =
  | string
  | number
  | null
  | undefined
  | { readonly image: tf.Tensor; readonly range?: ImageOptions['range'] }
  | { readonly audio: Values; readonly sampleRate: number };

export type TableCellRecord =
  | string
  | number
  | null
  | { image: string; width: number; height: number }
  | { audio: string; sampleRate: number; samples: number };

export interface MatrixBody {
  rows: number;
  cols: number;
  values: number[];
  rowLabels?: string[];
  colLabels?: string[];
  range?: [number, number];
}
export interface AttentionBody {
  file: string;
  width: number;
  height: number;
  heads: number;
  gridHeight: number;
  gridWidth: number;
  weights: number[];
}
export interface EmbeddingBody {
  count: number;
  dims: number;
  vectors: number[];
  labels?: string[];
  groups?: string[];
}
export interface AudioBody {
  file: string;
  sampleRate: number;
  samples: number;
}
export interface HistogramBody {
  min: number;
  max: number;
  count: number;
  counts: number[];
}
export interface TableBody {
  columns: string[];
  rows: TableCellRecord[][];
}

type Event<T extends string, B> = { type: T; seq: number; step: number; name: string } & B;
/** The live events of these records; they mirror `LabEvent` in the extension's src/protocol/runner.ts. */
export type InsightEvent =
  | Event<'matrix', MatrixBody>
  | Event<'attention', AttentionBody>
  | Event<'embedding', EmbeddingBody>
  | Event<'audio', AudioBody>
  | Event<'histogram', HistogramBody>
  | Event<'table', TableBody>;

/** The run-store file each event's record is appended to (INSIGHT_EVENT_TYPES in src/protocol says the same). */
export const INSIGHT_FILE_OF = {
  matrix: 'matrices',
  attention: 'attention',
  embedding: 'embeddings',
  audio: 'audio',
  histogram: 'histograms',
  table: 'tables',
} as const satisfies Record<InsightEvent['type'], InsightFile>;

/** lab.matrix: a heatmap [R, C] with optional labels and colour range. */
export async function matrixBody(name: string, input: Values, options: MatrixOptions = {}): Promise<MatrixBody> {
  const what = `lab.matrix('${name}')`;
  const { shape, values } = await readValues(what, input);
  if (shape.length !== 2 || shape[0] === 0 || shape[1] === 0)
    throw new RangeError(
      `${what}: values must be a matrix [R, C] (a 2-D tensor or an array of rows), got shape ${shapeText(shape)}.`,
    );
  const [rows, cols] = shape;
  checkCount(
    what,
    rows * cols,
    INSIGHT_LIMITS.matrixValues,
    `${rows} × ${cols}`,
    'Log a slice (fewer rows or columns).',
  );
  checkFinite(what, values);
  const rowLabels = labelsFor(what, 'rowLabels', options.rowLabels, rows, 'rows');
  const colLabels = labelsFor(what, 'colLabels', options.colLabels, cols, 'columns');
  const range = options.range;
  if (range !== undefined && !(Number.isFinite(range[0]) && Number.isFinite(range[1]) && range[0] < range[1]))
    throw new RangeError(`${what}: range must be [low, high] with low < high, both finite, got [${range.join(', ')}].`);
  return {
    rows,
    cols,
    values: compactAll(values),
    ...(rowLabels ? { rowLabels } : {}),
    ...(colLabels ? { colLabels } : {}),
    ...(range ? { range: [range[0], range[1]] } : {}),
  };
}

/**
 * lab.attention: the image ([H, W], [H, W, C] or [1, H, W, C]) as a PNG and the weights, [h, w] (one map, e.g. the
 * heads' average) or [heads, h, w], over a grid (the patches) that the panel stretches over the image.
 */
export async function attentionBody(
  name: string,
  image: tf.Tensor,
  weights: Values,
  file: string,
  options?: ImageOptions,
): Promise<{ body: AttentionBody; media: MediaFile }> {
  const what = `lab.attention('${name}')`;
  if (!isTensor(image)) throw new TypeError(`${what}: the image must be a tensor [H, W, C], got ${typeof image}.`);
  const rank = image.shape.length;
  if (!(rank === 2 || rank === 3 || (rank === 4 && image.shape[0] === 1)))
    throw new RangeError(
      `${what}: the image must be one image [H, W], [H, W, C] or [1, H, W, C], got shape ${shapeText(image.shape)}. ` +
        'Log one attention map per image.',
    );
  const read = await readValues(what, weights);
  const grid = read.shape.length === 2 ? [1, ...read.shape] : read.shape;
  if (grid.length !== 3 || grid.some((n) => n === 0))
    throw new RangeError(`${what}: weights must be [h, w] or [heads, h, w], got shape ${shapeText(read.shape)}.`);
  checkCount(what, read.values.length, INSIGHT_LIMITS.matrixValues, shapeText(grid), 'Log fewer heads.');
  checkFinite(what, read.values);
  const px = await toPixels(image, options);
  return {
    body: {
      file,
      width: px.width,
      height: px.height,
      heads: grid[0],
      gridHeight: grid[1],
      gridWidth: grid[2],
      weights: compactAll(read.values),
    },
    media: { file, bytes: encodePng(px.width, px.height, px.channels, px.data) },
  };
}

/** lab.embedding: N points of D dimensions, with optional labels and groups. */
export async function embeddingBody(
  name: string,
  input: Values,
  options: EmbeddingOptions = {},
): Promise<EmbeddingBody> {
  const what = `lab.embedding('${name}')`;
  const { shape, values } = await readValues(what, input);
  if (shape.length !== 2 || shape[0] === 0 || shape[1] === 0)
    throw new RangeError(`${what}: vectors must be [N, D] (one row per point), got shape ${shapeText(shape)}.`);
  const [count, dims] = shape;
  const fit = Math.max(1, Math.floor(INSIGHT_LIMITS.embeddingValues / dims));
  checkCount(
    what,
    count * dims,
    INSIGHT_LIMITS.embeddingValues,
    `${count} × ${dims}`,
    `Log a sample of at most ${fit.toLocaleString('en')} points (e.g. vectors.slice([0, 0], [${fit}, ${dims}])).`,
  );
  checkFinite(what, values);
  const labels = labelsFor(what, 'labels', options.labels, count, 'points');
  const groups = labelsFor(what, 'groups', options.groups, count, 'points');
  return { count, dims, vectors: compactAll(values), ...(labels ? { labels } : {}), ...(groups ? { groups } : {}) };
}

/** lab.audio: mono samples in [-1, 1] (clipped) at `sampleRate` Hz, as a 16-bit WAV. */
export async function audioBody(
  what: string,
  input: Values,
  sampleRate: number,
  file: string,
): Promise<{ body: AudioBody; media: MediaFile }> {
  if (!Number.isInteger(sampleRate) || sampleRate < 1 || sampleRate > 384_000)
    throw new RangeError(`${what}: sampleRate must be a whole number of Hz (e.g. 16000), got ${sampleRate}.`);
  const { shape, values } = await readValues(what, input);
  if (shape.length !== 1 || shape[0] === 0)
    throw new RangeError(`${what}: samples must be one non-empty channel [T], got shape ${shapeText(shape)}.`);
  const cap = INSIGHT_LIMITS.audioSeconds * sampleRate;
  checkCount(
    what,
    values.length,
    cap,
    `${shape[0]} samples`,
    `At ${sampleRate} Hz that is over ${INSIGHT_LIMITS.audioSeconds} s: log a shorter clip.`,
  );
  checkFinite(what, values);
  return { body: { file, sampleRate, samples: values.length }, media: { file, bytes: encodeWav(values, sampleRate) } };
}

/** lab.histogram: the values' distribution (any shape, flattened) in equal-width buckets over [min, max]. */
export async function histogramBody(name: string, input: Values): Promise<HistogramBody> {
  const what = `lab.histogram('${name}')`;
  const { values } = await readValues(what, input);
  if (values.length === 0) throw new RangeError(`${what}: there are no values to bin.`);
  checkFinite(what, values);
  let min = Infinity,
    max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    if (values[i] < min) min = values[i];
    if (values[i] > max) max = values[i];
  }
  const buckets = INSIGHT_LIMITS.histogramBuckets;
  const counts = new Array<number>(buckets).fill(0);
  // All equal: every value falls in the first bucket (a zero-width range).
  const scale = max > min ? buckets / (max - min) : 0;
  for (let i = 0; i < values.length; i++) counts[Math.min(buckets - 1, Math.floor((values[i] - min) * scale))]++;
  return { min: compact(min), max: compact(max), count: values.length, counts };
}

/**
 * lab.table: rows of named cells (text, numbers, `{ image: tensor }`, `{ audio: samples, sampleRate }`); the columns
 * are every key of any row, in the order they first appear. Image and audio cells are stored under `folder` as
 * `r<row>-c<column>.png` / `.wav`.
 */
export async function tableBody(
  name: string,
  rows: ReadonlyArray<Readonly<Record<string, TableCellInput>>>,
  folder: string,
): Promise<{ body: TableBody; media: MediaFile[] }> {
  const what = `lab.table('${name}')`;
  if (!Array.isArray(rows) || rows.length === 0)
    throw new TypeError(`${what}: rows must be a non-empty array of objects, one per row ({ column: cell }).`);
  if (rows.length > INSIGHT_LIMITS.tableRows)
    throw new RangeError(`${what}: ${rows.length} rows is more than the ${INSIGHT_LIMITS.tableRows} a table may hold.`);
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r ?? {})))];
  const media: MediaFile[] = [];
  const out: TableCellRecord[][] = [];
  for (const [r, row] of rows.entries()) {
    const cells: TableCellRecord[] = [];
    for (const [c, column] of columns.entries()) {
      const at = `${what}: row ${r}, column "${column}"`;
      const cell = (row ?? {})[column];
      if (cell === undefined || cell === null || typeof cell === 'string') cells.push(cell ?? null);
      else if (typeof cell === 'number') {
        if (!Number.isFinite(cell)) throw new RangeError(`${at}: the number is ${cell}; log finite numbers only.`);
        cells.push(compact(cell));
      } else if (typeof cell === 'object' && 'image' in cell && isTensor(cell.image)) {
        const px = await toPixels(cell.image, { range: cell.range });
        const file = `${folder}/r${r}-c${c}.png`;
        media.push({ file, bytes: encodePng(px.width, px.height, px.channels, px.data) });
        cells.push({ image: file, width: px.width, height: px.height });
      } else if (typeof cell === 'object' && 'audio' in cell) {
        const sound = await audioBody(at, cell.audio, cell.sampleRate, `${folder}/r${r}-c${c}.wav`);
        media.push(sound.media);
        cells.push({ audio: sound.body.file, sampleRate: sound.body.sampleRate, samples: sound.body.samples });
      } else
        throw new TypeError(
          `${at}: a cell must be text, a number, { image: tensor } or { audio: samples, sampleRate }, got ${JSON.stringify(cell)?.slice(0, 80) ?? typeof cell}.`,
        );
    }
    out.push(cells);
  }
  return { body: { columns, rows: out }, media };
}
