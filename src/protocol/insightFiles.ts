/**
 * The on-disk records of the kinds that look inside a model (issue 16): one JSONL file per kind in the run folder,
 * written by the workspace's `lab` (templates/workspace/lab/insights.ts builds them) and read by src/core/insights.ts.
 * Like the other record files (runFiles.ts), every line carries `seq` and `time`, lines are whole, and a reader skips a
 * last line cut off by a kill. Numbers are kept to 7 significant digits (a float32's precision) so files stay small;
 * the lab refuses non-finite values, so no `null` stands for NaN here (a table's empty cell is `null`). The caps on a
 * record's size and the histogram's bucket count are the lab's (INSIGHT_LIMITS in templates/workspace/lab/insights.ts).
 *
 * runs/<exercise>/<runId>/
 *   matrices.jsonl     one MatrixLine per line: R×C values, row-major
 *   attention.jsonl    one AttentionLine per line; the image under the map is at `file` (attention/<name>/<step>.png)
 *   embeddings.jsonl   one EmbeddingLine per line: N×D values, row-major
 *   audio.jsonl        one AudioLine per line; the sound is at `file` (audio/<name>/<step>.wav, 16-bit PCM, mono)
 *   histograms.jsonl   one HistogramLine per line: equal-width buckets over [min, max]
 *   tables.jsonl       one TableLine per line; image and audio cells name their files (tables/<name>/<step>/…)
 */

/** What every record line of these files has. */
interface RecordBase {
  /** The record's number in the run (appendRecords in the run store). */
  readonly seq?: number;
  readonly step: number;
  readonly name: string;
  /** Milliseconds since the epoch. */
  readonly time: number;
}

/** A heatmap: a similarity, confusion or attention matrix. */
export interface MatrixLine extends RecordBase {
  readonly rows: number;
  readonly cols: number;
  /** `rows × cols` values, row-major: row r, column c is `values[r * cols + c]`. */
  readonly values: readonly number[];
  readonly rowLabels?: readonly string[];
  readonly colLabels?: readonly string[];
  /** The colour scale's [low, high]; absent: the values' own min and max. */
  readonly range?: readonly [number, number];
}

/** An attention map over an image: one grid of weights per head (a single head for an average). */
export interface AttentionLine extends RecordBase {
  /** The image's PNG, relative to the run folder. */
  readonly file: string;
  readonly width: number;
  readonly height: number;
  readonly heads: number;
  /** The weights' grid (patches), stretched over the image when drawn. */
  readonly gridHeight: number;
  readonly gridWidth: number;
  /** `heads × gridHeight × gridWidth` weights, row-major. */
  readonly weights: readonly number[];
}

/** Points in an embedding space, for the panel to project to 2-D. */
export interface EmbeddingLine extends RecordBase {
  readonly count: number;
  readonly dims: number;
  /** `count × dims` values, row-major: point i is `vectors.slice(i * dims, (i + 1) * dims)`. */
  readonly vectors: readonly number[];
  /** One label per point (hover text). */
  readonly labels?: readonly string[];
  /** One group per point (colour), e.g. `image` and `text` for CLIP's two towers. */
  readonly groups?: readonly string[];
}

/** A sound clip, stored as a WAV file. */
export interface AudioLine extends RecordBase {
  /** The WAV file, relative to the run folder. */
  readonly file: string;
  readonly sampleRate: number;
  /** How many samples the clip has (its length is samples / sampleRate seconds). */
  readonly samples: number;
}

/** A distribution at one step, as TensorBoard keeps it: a fixed number of equal-width buckets. */
export interface HistogramLine extends RecordBase {
  readonly min: number;
  readonly max: number;
  /** How many values were binned (the sum of `counts`). */
  readonly count: number;
  /** One count per bucket; bucket i covers [min + i·w, min + (i+1)·w), w = (max − min) / buckets, the last closed. */
  readonly counts: readonly number[];
}

/**
 * A table cell: text, a number, empty (`null`), an image or a sound. On disk (`Media` = string) an image or sound names
 * its file beside the table; the panel receives its bytes instead (TableCell in panels.ts).
 */
export type TableCellOf<Media> =
  | string
  | number
  | null
  | { readonly image: Media; readonly width: number; readonly height: number }
  | { readonly audio: Media; readonly sampleRate: number; readonly samples: number };
export type TableCellLine = TableCellOf<string>;

/** Rows with named columns: every row has one cell per column, in column order. */
export interface TableLine extends RecordBase {
  readonly columns: readonly string[];
  readonly rows: ReadonlyArray<readonly TableCellLine[]>;
}

/** The record line of each insight file (INSIGHT_FILES in the run store). */
export interface InsightLines {
  readonly matrices: MatrixLine;
  readonly attention: AttentionLine;
  readonly embeddings: EmbeddingLine;
  readonly audio: AudioLine;
  readonly histograms: HistogramLine;
  readonly tables: TableLine;
}

/** The live event type of each insight file's records (LabEvent in runner.ts). */
export const INSIGHT_EVENT_TYPES = {
  matrices: 'matrix',
  attention: 'attention',
  embeddings: 'embedding',
  audio: 'audio',
  histograms: 'histogram',
  tables: 'table',
} as const satisfies Record<keyof InsightLines, string>;
export type InsightEventType = (typeof INSIGHT_EVENT_TYPES)[keyof InsightLines];

/** The insight file whose records have the live event type `type`, or undefined for another event. */
export function insightFileOf(type: string): keyof InsightLines | undefined {
  return (Object.keys(INSIGHT_EVENT_TYPES) as Array<keyof InsightLines>).find((f) => INSIGHT_EVENT_TYPES[f] === type);
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === 'number';
const isCount = (v: unknown): v is number => Number.isInteger(v) && (v as number) > 0;
const isNumbers = (v: unknown, length?: number): v is number[] =>
  Array.isArray(v) && (length === undefined || v.length === length) && v.every(isNum);
const isLabels = (v: unknown, length: number): boolean =>
  v === undefined || (Array.isArray(v) && v.length === length && v.every((s) => typeof s === 'string'));

function isTableCell(v: unknown): v is TableCellLine {
  if (v === null || typeof v === 'string' || isNum(v)) return true;
  if (!isObj(v)) return false;
  if (typeof v.image === 'string') return isNum(v.width) && isNum(v.height);
  return typeof v.audio === 'string' && isNum(v.sampleRate) && isNum(v.samples);
}

/** The fields of each insight file's record that the panel relies on, with every array the length its counts say. */
const insightFields: { readonly [F in keyof InsightLines]: (v: unknown) => v is Omit<InsightLines[F], 'time'> } = {
  matrices: (v): v is MatrixLine =>
    isObj(v) &&
    isCount(v.rows) &&
    isCount(v.cols) &&
    isNumbers(v.values, v.rows * v.cols) &&
    isLabels(v.rowLabels, v.rows) &&
    isLabels(v.colLabels, v.cols) &&
    (v.range === undefined || isNumbers(v.range, 2)),
  attention: (v): v is AttentionLine =>
    isObj(v) &&
    typeof v.file === 'string' &&
    isNum(v.width) &&
    isNum(v.height) &&
    isCount(v.heads) &&
    isCount(v.gridHeight) &&
    isCount(v.gridWidth) &&
    isNumbers(v.weights, v.heads * v.gridHeight * v.gridWidth),
  embeddings: (v): v is EmbeddingLine =>
    isObj(v) &&
    isCount(v.count) &&
    isCount(v.dims) &&
    isNumbers(v.vectors, v.count * v.dims) &&
    isLabels(v.labels, v.count) &&
    isLabels(v.groups, v.count),
  audio: (v): v is AudioLine => isObj(v) && typeof v.file === 'string' && isCount(v.sampleRate) && isNum(v.samples),
  histograms: (v): v is HistogramLine =>
    isObj(v) && isNum(v.min) && isNum(v.max) && isNum(v.count) && isNumbers(v.counts),
  tables: (v): v is TableLine =>
    isObj(v) &&
    Array.isArray(v.columns) &&
    v.columns.every((c) => typeof c === 'string') &&
    Array.isArray(v.rows) &&
    v.rows.every((r) => Array.isArray(r) && r.length === (v.columns as unknown[]).length && r.every(isTableCell)),
};

/**
 * Narrows a record of an insight file, as read from its line or carried by its live event (which has no `time`): its
 * step and name, and the fields the panel relies on, every array the length its counts say.
 */
export function isInsightRecord<F extends keyof InsightLines>(file: F, v: unknown): v is Omit<InsightLines[F], 'time'> {
  return isObj(v) && isNum(v.step) && typeof v.name === 'string' && insightFields[file](v);
}
