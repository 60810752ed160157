/**
 * The run store: the one module that says where a training run lives and how its meta.json is written.
 *
 *   <workspace>/.multimodal-lab/runs/<exerciseId>/<runId>/   meta.json, scalars.jsonl, images.jsonl, images/,
 *                                                            text.jsonl, summary.json, checkpoints/, and the
 *                                                            INSIGHT_FILES (matrices.jsonl, attention.jsonl +
 *                                                            attention/, embeddings.jsonl, audio.jsonl + audio/,
 *                                                            histograms.jsonl, tables.jsonl + tables/)
 *
 * It lives here, in the workspace runtime, because a run has writers on both sides of the extension's boundary: a run
 * started from a terminal (`npx tsx exercises/<id>/train.ts`) is set up by the lab library in the learner's workspace,
 * which cannot import the extension, while the extension and its runner are bundled from these same files (through
 * src/core/runStore.ts, which adds the extension's RunMeta types). So both sides build run paths and write meta.json
 * with the same code, and a run looks the same however it was started. What each file holds is the extension's
 * src/protocol/runFiles.ts; this module knows only names, paths and the meta.json rules, not the shapes.
 *
 * meta.json rules (META_FIELD_RULES):
 *   - `fixed` fields are written once, by `createMeta` when the run starts (the runner, or the lab for a terminal
 *     run); a later update leaves them as they are. A `running` meta is stamped with the writing process's pid and
 *     host, so a reader can tell a live run from one killed without a word (src/core/runLiveness).
 *   - `progress` fields (the learner's name for the run, the latest checkpoint, the planned steps, the configuration
 *     overrides the script applied) may be set by any writer at any time.
 *   - `ending` fields (status, reason, end time, exit code, divergence) are written once, by the first writer that
 *     ends a `running` run: the training process itself, else the runner client (the process died without saying
 *     how) or the runner on losing VS Code. A later ending, or an ending without an ended status, is ignored.
 *   - `readerOnly` fields are verdicts a reader draws (`endedWithoutRecord`) and are never written.
 * Every write goes to a temporary file that is renamed over meta.json, so a reader never sees half of it.
 *
 * Records (appendRecords): every line of every RecordFile (scalars.jsonl, images.jsonl, text.jsonl, the insight files)
 * carries `seq`, one counter per
 * run shared by every writer in the training process (the lab library and the runner are different module instances
 * of this file, so the counter lives on globalThis). A file is appended in `seq` order, so a reader that has read a
 * file up to `seq` = n has every record of that file numbered n or less, and a live record of that file is new exactly
 * when its `seq` is greater: that is how a run panel joins a replay from disk with the records streamed to it.
 */
import * as fs from 'node:fs';
import { hostname } from 'node:os';
import * as path from 'node:path';

/** The version written into a new meta.json; readers say so when they meet a newer one. */
export const RUN_META_VERSION = 1;

/** The files of a run folder, relative to it. */
export const RUN_FILES = {
  meta: 'meta.json',
  scalars: 'scalars.jsonl',
  images: 'images.jsonl',
  /** One folder per image series (its safe name), one `<step>.png` per logged step. */
  imagesDir: 'images',
  text: 'text.jsonl',
  summary: 'summary.json',
  checkpoints: 'checkpoints',
  // The kinds that look inside a model (lab.matrix, lab.attention, …): one JSONL file each, media in a folder.
  matrices: 'matrices.jsonl',
  attention: 'attention.jsonl',
  /** One folder per attention series, one `<step>.png` (the image under the map) per logged step. */
  attentionDir: 'attention',
  embeddings: 'embeddings.jsonl',
  audio: 'audio.jsonl',
  /** One folder per audio series, one `<step>.wav` (16-bit PCM, mono) per logged step. */
  audioDir: 'audio',
  histograms: 'histograms.jsonl',
  tables: 'tables.jsonl',
  /** One folder per table series and step, one `r<row>-c<column>.png` or `.wav` per image or audio cell. */
  tablesDir: 'tables',
} as const;
export type RunFile = keyof typeof RUN_FILES;

/** The runs folder, relative to the workspace root, in segments. */
const RUNS_SEGMENTS = ['.multimodal-lab', 'runs'] as const;

/** The workspace-relative glob of every run's meta.json (for file watchers). */
export const RUN_META_GLOB = `${RUNS_SEGMENTS.join('/')}/*/*/${RUN_FILES.meta}`;

/** True for a usable exercise or run id: one non-empty path segment that is not `.` or `..`. */
export function isRunSegment(id: string): boolean {
  return typeof id === 'string' && id.length > 0 && !/[/\\\0]/.test(id) && id !== '.' && id !== '..';
}

function checkIds(exerciseId: string, runId?: string): void {
  if (!isRunSegment(exerciseId) || (runId !== undefined && !isRunSegment(runId))) {
    throw new Error(`Not a run id: "${exerciseId}${runId === undefined ? '' : `/${runId}`}"`);
  }
}

/** `<workspace>/.multimodal-lab/runs`, where every run of every exercise lives. */
export function runsRoot(workspaceRoot: string): string {
  return path.join(workspaceRoot, ...RUNS_SEGMENTS);
}

/** `<workspace>/.multimodal-lab/runs/<exerciseId>`; throws for an id that would leave the runs folder. */
export function exerciseRunsDir(workspaceRoot: string, exerciseId: string): string {
  checkIds(exerciseId);
  return path.join(runsRoot(workspaceRoot), exerciseId);
}

/** `<workspace>/.multimodal-lab/runs/<exerciseId>/<runId>`; throws for ids that would leave the runs folder. */
export function runDir(workspaceRoot: string, exerciseId: string, runId: string): string {
  checkIds(exerciseId, runId);
  return path.join(runsRoot(workspaceRoot), exerciseId, runId);
}

/** Makes a new run's folder (ids checked as for `runDir`) and returns its path. */
export function makeRunDir(workspaceRoot: string, exerciseId: string, runId: string): string {
  const dir = runDir(workspaceRoot, exerciseId, runId);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** The run folder as the learner reads it in a message: `.multimodal-lab/runs/<exerciseId>/<runId>/`. */
export function runDirForDisplay(exerciseId: string, runId: string): string {
  checkIds(exerciseId, runId);
  return `${RUNS_SEGMENTS.join('/')}/${exerciseId}/${runId}/`;
}

/** A file (or folder) of a run folder. */
export function runFile(dir: string, file: RunFile): string {
  return path.join(dir, RUN_FILES[file]);
}

/**
 * A new run's id, from its start time: `2026-11-27T10-00-00-000` for a run the extension starts, and
 * `2026-11-27T10-00-00-000Z-terminal` for one started from a terminal. Sorts by time; safe as a folder name.
 */
export function newRunId(now: Date, origin: 'extension' | 'terminal'): string {
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  return origin === 'terminal' ? `${stamp}-terminal` : stamp.replace(/Z$/, '');
}

export type MetaFieldRule = 'fixed' | 'progress' | 'ending' | 'readerOnly';

/** Which writer may set each meta.json field (see the header). src/core/runStore checks it covers RunMeta exactly. */
export const META_FIELD_RULES = {
  version: 'fixed',
  exerciseId: 'fixed',
  runId: 'fixed',
  config: 'fixed',
  startedAt: 'fixed',
  backend: 'fixed',
  backendWhy: 'fixed',
  versions: 'fixed',
  resumedFrom: 'fixed',
  pid: 'fixed',
  host: 'fixed',
  name: 'progress',
  latestCheckpoint: 'progress',
  totalSteps: 'progress',
  overrides: 'progress',
  status: 'ending',
  reason: 'ending',
  endedAt: 'ending',
  exitCode: 'ending',
  divergence: 'ending',
  endedWithoutRecord: 'readerOnly',
} as const satisfies Record<string, MetaFieldRule>;

/** What this module needs of a meta.json; the extension's RunMeta (src/protocol/runFiles.ts) is one. */
export interface StoredMeta {
  readonly status: string;
  readonly pid?: number;
  readonly host?: string;
}

function ruleOf(field: string): MetaFieldRule | undefined {
  return Object.prototype.hasOwnProperty.call(META_FIELD_RULES, field)
    ? META_FIELD_RULES[field as keyof typeof META_FIELD_RULES]
    : undefined;
}

/**
 * `current` with what `patch` may change of it: progress fields always, ending fields only when `patch` ends a run
 * that is `running`. Fixed, reader-only and unknown fields of the patch, and undefined values, are ignored.
 */
export function mergeMeta<M extends StoredMeta>(current: M, patch: Partial<M>): M {
  const ends = current.status === 'running' && typeof patch.status === 'string' && patch.status !== 'running';
  const next: Record<string, unknown> = { ...(current as object) };
  for (const [field, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    const rule = ruleOf(field);
    if (rule === 'progress' || (rule === 'ending' && ends)) next[field] = value;
  }
  return next as M;
}

/** The meta as it goes to disk: without the fields only readers set. */
function withoutReaderFields<M extends StoredMeta>(meta: M): M {
  const out: Record<string, unknown> = { ...(meta as object) };
  for (const field of Object.keys(out)) if (ruleOf(field) === 'readerOnly') delete out[field];
  return out as M;
}

/** Writes JSON to `file` through a temporary file renamed over it (unique per process: two writers never share it). */
export function writeJsonAtomic(file: string, value: unknown): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`);
  fs.renameSync(tmp, file);
}

/**
 * Starts a run's meta.json (making the folder) with the whole meta. A `running` meta without a pid gets this
 * process's pid and host: call it from the process that trains. Returns what was written.
 */
export function createMeta<M extends StoredMeta>(dir: string, meta: M): M {
  fs.mkdirSync(dir, { recursive: true });
  const stamped =
    meta.status === 'running' && meta.pid === undefined ? { ...meta, pid: process.pid, host: hostname() } : meta;
  const written = withoutReaderFields(stamped);
  writeJsonAtomic(runFile(dir, 'meta'), written);
  return written;
}

/** The run's meta.json, or undefined when it is missing, unreadable or has no status. */
export function readMeta<M extends StoredMeta>(dir: string): M | undefined {
  try {
    const v = JSON.parse(fs.readFileSync(runFile(dir, 'meta'), 'utf8')) as unknown;
    return typeof v === 'object' && v !== null && typeof (v as StoredMeta).status === 'string' ? (v as M) : undefined;
  } catch {
    return undefined;
  }
}

/** Merges `patch` into the run's meta.json by the rules above; returns the result, or undefined when there was none. */
export function updateMeta<M extends StoredMeta>(dir: string, patch: Partial<M>): M | undefined {
  const current = readMeta<M>(dir);
  if (!current) return undefined;
  const next = withoutReaderFields(mergeMeta(current, patch));
  // Nothing to change (an ending over an ended run): no write, so watchers see no change.
  if (JSON.stringify(next) !== JSON.stringify(current)) writeJsonAtomic(runFile(dir, 'meta'), next);
  return next;
}

/** The JSONL files of a run: one record per line, each with its `seq`. */
export type RecordFile = 'scalars' | 'images' | 'text' | InsightFile;

/** The record files of the kinds that look inside a model, in the order the run panel lists them. */
export const INSIGHT_FILES = ['matrices', 'attention', 'embeddings', 'audio', 'histograms', 'tables'] as const;
export type InsightFile = (typeof INSIGHT_FILES)[number];

const SEQ_KEY = Symbol.for('multimodal-lab.runStore.seq');

/** The last `seq` given out per run folder in this process (shared by every copy of this module). */
function seqCounters(): Map<string, number> {
  const g = globalThis as { [SEQ_KEY]?: Map<string, number> };
  return (g[SEQ_KEY] ??= new Map());
}

/**
 * Appends `records` to one of the run's JSONL files, each stamped with the next `seq` of the run, as one write of
 * whole lines (a kill leaves at most one partial last line). Returns the stamped records. A run folder is written by
 * one process (a resumed run gets a new folder), so the counter starts at 1 in each.
 */
export function appendRecords<R extends object>(
  dir: string,
  file: RecordFile,
  records: readonly R[],
): Array<R & { seq: number }> {
  const key = path.resolve(dir);
  const counters = seqCounters();
  let seq = counters.get(key) ?? 0;
  const stamped = records.map((r) => ({ seq: ++seq, ...r }));
  counters.set(key, seq);
  if (stamped.length > 0) fs.appendFileSync(runFile(dir, file), stamped.map((r) => `${JSON.stringify(r)}\n`).join(''));
  return stamped;
}
