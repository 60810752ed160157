/**
 * The on-disk contract of a training run, `.multimodal-lab/runs/<exerciseId>/<runId>/`: what each file holds. Where a
 * run lives, its file names and who may write which meta.json field belong to the run store
 * (templates/workspace/lab/runtime/runStore.ts, seen from src as src/core/runStore.ts); nothing else builds a run path
 * or writes meta.json. The learner-side `lab` library (templates/workspace/lab/) writes the JSONL files, PNGs and
 * summary; meta.json is started by the runner (or the lab, for a terminal run) and ended by the first writer that
 * knows how the run ended. Readers (src/core/runs) tolerate a half-written last line, a missing file and a newer meta
 * version.
 *
 * runs/<exercise>/<runId>/
 *   meta.json          RunMeta
 *   scalars.jsonl      one ScalarLine per line (the script's series, and the runner's own: RUNNER_SERIES)
 *                      (every line of every JSONL file carries `seq`, the record's number in the run; see
 *                      appendRecords in the run store. Within a file, lines are in `seq` order.)
 *   images.jsonl       one ImageLine per line; the PNG is at `file`, relative to the run directory
 *   images/<name>/<step>.png
 *   text.jsonl         one TextLine per line
 *   summary.json       RunSummary (written on every lab.summary call; last write wins)
 *   checkpoints/<step>/  whatever the script saves; `latest` is recorded in meta.json
 *   matrices.jsonl, attention.jsonl + attention/, embeddings.jsonl, audio.jsonl + audio/, histograms.jsonl,
 *   tables.jsonl + tables/   the records that look inside a model: insightFiles.ts
 */
import type { BackendName, RunEvent, RunStatus } from './runner';

export interface RunMeta {
  readonly version: number;
  readonly exerciseId: string;
  readonly runId: string;
  /** The learner's name for the run; defaults to the run id. */
  readonly name?: string;
  readonly config: string;
  readonly backend?: BackendName;
  /** Why that backend, as shown to the learner. */
  readonly backendWhy?: string;
  readonly versions?: Readonly<Record<string, string>>;
  readonly startedAt: string;
  readonly endedAt?: string;
  readonly status: RunStatus;
  /** For every status but `running` and `finished`: what happened, in words the learner can act on. */
  readonly reason?: string;
  readonly exitCode?: number | null;
  readonly resumedFrom?: string;
  readonly latestCheckpoint?: string;
  /**
   * The process that runs the training and the machine it runs on (`os.hostname()`), written with status `running`:
   * a reader on the same host whose check finds the pid gone knows the run ended without writing how.
   */
  readonly pid?: number;
  readonly host?: string;
  /**
   * Never on disk: set by a reader (src/core/runLiveness) on a `running` run whose process is gone, which it then
   * shows as status `killed`, "ended without a record".
   */
  readonly endedWithoutRecord?: true;
  /** For a `nan` run: what went non-finite and the last finite values (absent in runs from before it was recorded). */
  readonly divergence?: RunDivergence;
  /** The steps the script planned (`steps` of its `lab.config`), for the ETA. */
  readonly totalSteps?: number;
  /**
   * The fields of the chosen configuration that MULTIMODAL_LAB_OVERRIDES changed (e.g. `{ seed: 1 }`), written by the
   * lab when the script calls `lab.config`; absent when nothing was overridden.
   */
  readonly overrides?: Readonly<Record<string, unknown>>;
}

/** A non-finite number as JavaScript prints it: the exact value that ended a run. */
export type NonFiniteValue = 'NaN' | 'Infinity' | '-Infinity';

/** How a run diverged: a watched metric (`loss` by default) became NaN or ±Infinity. */
export interface RunDivergence {
  readonly metric: string;
  readonly value: NonFiniteValue;
  /** The step at which it was logged: the last step the run reached. */
  readonly step: number;
  /**
   * The last finite value of every scalar the script logged, with its step. The diverged metric is absent when it was
   * already non-finite at its first logged step.
   */
  readonly lastFinite: Readonly<Record<string, { readonly step: number; readonly value: number }>>;
}

export interface ScalarLine {
  /** The record's number in the run (absent in runs from a lab runtime before version 5). */
  readonly seq?: number;
  readonly step: number;
  readonly name: string;
  readonly value: number;
  /** Milliseconds since the epoch. */
  readonly time: number;
}

export interface ImageLine {
  /** The record's number in the run (absent in runs from a lab runtime before version 5). */
  readonly seq?: number;
  readonly step: number;
  readonly name: string;
  readonly file: string;
  readonly width: number;
  readonly height: number;
  readonly time: number;
}

export interface TextLine {
  /** The record's number in the run (absent in runs from a lab runtime before version 5). */
  readonly seq?: number;
  readonly step: number;
  readonly name: string;
  readonly text: string;
  readonly time: number;
}

export type RunSummary = Readonly<Record<string, number | string | boolean>>;

/** The runner's measurements of one training step, as its `stats` event carries them. */
export type RunnerStats = Pick<
  Extract<RunEvent, { type: 'stats' }>,
  'stepMs' | 'stepsPerSec' | 'numTensors' | 'numBytes'
>;

/**
 * The group (name prefix before `/`) of the runner's own series: charted last and collapsed, left out of divergences.
 */
export const RUNNER_SERIES_GROUP = 'runner';

/**
 * The runner's own series, one point of each per `stats` event: the runner appends them to scalars.jsonl beside the
 * script's series (so a replay has them) and the extension appends them to a live panel.
 */
export const RUNNER_SERIES = {
  stepMs: 'runner/step_ms',
  stepsPerSec: 'runner/steps_per_sec',
  numTensors: 'runner/tensors',
  numBytes: 'runner/tensor_bytes',
} as const satisfies Record<keyof RunnerStats, `${typeof RUNNER_SERIES_GROUP}/${string}`>;

/** True for a series the runner logs itself rather than the learner's script (anything in the `runner/` group). */
export function isRunnerSeries(name: string): boolean {
  return name.startsWith(`${RUNNER_SERIES_GROUP}/`);
}

/** The runner series' points of one `stats` event, as `[series name, value]` in RUNNER_SERIES order. */
export function runnerSeriesValues(stats: RunnerStats): Array<readonly [string, number]> {
  return (Object.keys(RUNNER_SERIES) as Array<keyof RunnerStats>).map((k) => [RUNNER_SERIES[k], stats[k]] as const);
}
