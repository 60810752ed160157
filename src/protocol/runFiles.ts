/**
 * The on-disk contract of a training run, `.multimodal-lab/runs/<exerciseId>/<runId>/`. The learner-side `lab`
 * library (templates/workspace/lab/) writes the JSONL files, PNGs and summary; the runner writes meta.json at the
 * start and the end; the runner client finalises meta.json when the process died without saying how. Readers
 * (src/core/runs) tolerate a half-written last line, a missing file and a newer meta version.
 *
 * runs/<exercise>/<runId>/
 *   meta.json          RunMeta
 *   scalars.jsonl      one ScalarLine per line
 *   images.jsonl       one ImageLine per line; the PNG is at `file`, relative to the run directory
 *   images/<name>/<step>.png
 *   text.jsonl         one TextLine per line
 *   summary.json       RunSummary (written on every lab.summary call; last write wins)
 *   checkpoints/<step>/  whatever the script saves; `latest` is recorded in meta.json
 */
import type { BackendName, RunStatus } from './runner';

export const RUN_META_VERSION = 1;

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
  readonly step: number;
  readonly name: string;
  readonly value: number;
  /** Milliseconds since the epoch. */
  readonly time: number;
}

export interface ImageLine {
  readonly step: number;
  readonly name: string;
  readonly file: string;
  readonly width: number;
  readonly height: number;
  readonly time: number;
}

export interface TextLine {
  readonly step: number;
  readonly name: string;
  readonly text: string;
  readonly time: number;
}

export type RunSummary = Readonly<Record<string, number | string | boolean>>;

export const RUN_FILES = {
  meta: 'meta.json',
  scalars: 'scalars.jsonl',
  images: 'images.jsonl',
  text: 'text.jsonl',
  summary: 'summary.json',
  checkpoints: 'checkpoints',
} as const;
