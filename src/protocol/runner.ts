/**
 * Messages between the extension and the runner child process (`dist/runner.js`, started with an IPC channel).
 * The first message the runner receives is its job; after that it only receives `stop`. Every message carries
 * `type`; receivers narrow `unknown` with the guards at the bottom and switch exhaustively.
 */

import type { ImageLine, RunDivergence, ScalarLine, TextLine } from './runFiles';
import { INSIGHT_EVENT_TYPES, insightFileOf, isInsightRecord, type InsightLines } from './insightFiles';

export const RUNNER_PROTOCOL_VERSION = 1;

// The ladder's names and its rung report belong to the runtime (templates/workspace/lab/runtime/backends.ts).
import {
  BACKEND_LADDER,
  type BackendName,
  type BackendPreference,
  type RungReport,
} from '../../templates/workspace/lab/runtime/backends';
export { BACKEND_LADDER, type BackendName, type BackendPreference, type RungReport };

interface JobBase {
  readonly type: 'job';
  readonly protocol: typeof RUNNER_PROTOCOL_VERSION;
  /** Absolute path of the learner's workspace folder (where node_modules with tfjs lives). */
  readonly workspaceRoot: string;
  readonly backend: BackendPreference;
  /** Threads for the wasm backend; absent or 0 means all cores (the runner falls back to 1 if threads fail). */
  readonly wasmThreads?: number;
}

/** Run mocha over an exercise's test files. */
export interface TestJob extends JobBase {
  readonly kind: 'test';
  readonly exerciseId: string;
  /** Absolute paths of the test files, in order. */
  readonly files: readonly string[];
  /** Only tests whose full title matches (mocha `grep`), when set. */
  readonly grep?: string;
}

/** Run an exercise's training entry, reporting through the `lab` API into `runDir`. */
export interface TrainJob extends JobBase {
  readonly kind: 'train';
  readonly exerciseId: string;
  readonly runId: string;
  /** Absolute path of the training entry, e.g. `<ws>/exercises/clip/train.ts`. */
  readonly entry: string;
  /** Absolute path of `.multimodal-lab/runs/<exercise>/<runId>/`. */
  readonly runDir: string;
  /** Which configuration the script should use; `auto` lets it pick by backend (gpu when a GPU rung is active). */
  readonly config: 'auto' | 'cpu' | 'gpu' | 'smoke';
  /** A checkpoint directory to resume from. */
  readonly resumeFrom?: string;
}

/** Walk the whole ladder, load what loads, and micro-benchmark each rung for about a second. */
export interface DiagnoseJob extends JobBase {
  readonly kind: 'diagnose';
}

export type RunnerJob = TestJob | TrainJob | DiagnoseJob;

/** Ask a training script to stop at its next `shouldStop()` check and checkpoint. */
export interface StopRequest {
  readonly type: 'stop';
}

/**
 * Sent instead of a job to a runner started ahead of time (a spare): load tfjs and select the backend now, then
 * wait for the job, which must name the same workspace, backend and wasm threads. Learner code loads with the job.
 */
export interface PrepareRequest {
  readonly type: 'prepare';
  readonly protocol: typeof RUNNER_PROTOCOL_VERSION;
  readonly workspaceRoot: string;
  readonly backend: BackendPreference;
  readonly wasmThreads?: number;
}

export type ExtensionToRunner = RunnerJob | StopRequest | PrepareRequest;

// ---------------------------------------------------------------------------------------------------------------

export interface BackendEvent {
  readonly type: 'backend';
  readonly active: BackendName;
  /** One line for the status bar and the run header: which backend runs and why. */
  readonly why: string;
  readonly ladder: readonly RungReport[];
  /** GPUs the machine shows, whatever the packages: what a learner checks first when the GPU rung is skipped. */
  readonly gpus?: readonly string[];
  /** Package versions found in the workspace, e.g. {"@tensorflow/tfjs": "4.22.0"}. */
  readonly versions: Readonly<Record<string, string>>;
  /** Kernels the runner installed into the backend (training kernels for wasm, fixes for cpu). */
  readonly kernels: readonly string[];
  /** Models that cannot train on this backend, stated plainly (empty when all can). */
  readonly limitations: readonly string[];
}

export interface SourceLocation {
  /** Absolute path. */
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
}

/** Shape, dtype and statistics of a tensor, for a failure message; values are not shipped. */
export interface TensorSummary {
  readonly shape: readonly number[];
  readonly dtype: string;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
}

export interface TestInfo {
  /** Stable id: file path + full title (src/protocol/testIds.ts). */
  readonly id: string;
  readonly file: string;
  /** Titles from the outermost suite to the test. */
  readonly path: readonly string[];
  readonly location?: SourceLocation;
}

export type TestEvent =
  | { readonly type: 'testsDiscovered'; readonly tests: readonly TestInfo[] }
  | { readonly type: 'testStarted'; readonly id: string }
  | { readonly type: 'testPassed'; readonly id: string; readonly durationMs: number }
  | {
      readonly type: 'testFailed';
      readonly id: string;
      readonly durationMs: number;
      readonly message: string;
      readonly expected?: string;
      readonly actual?: string;
      /** Where the failure happened: the assertion in the test file, or the learner's line that threw. */
      readonly location?: SourceLocation;
      readonly tensors?: { readonly expected?: TensorSummary; readonly actual?: TensorSummary };
      readonly stack?: string;
    }
  | { readonly type: 'testSkipped'; readonly id: string; readonly reason: string }
  /** A test file that could not be loaded (a syntax error, an import that throws): its tests cannot run; others do. */
  | {
      readonly type: 'testFileFailed';
      readonly file: string;
      readonly message: string;
      readonly hint?: string;
      readonly location?: SourceLocation;
    }
  | { readonly type: 'testsFinished'; readonly passed: number; readonly failed: number; readonly skipped: number };

/** What the `lab` reporting API emits during training (also written to the run directory). */
export type LabEvent =
  // The record as written to its file (runFiles.ts) without its time; `seq` is how a panel joins its replay and the
  // live stream (absent from a workspace lab older than runtime 5).
  | ({ readonly type: 'scalar' } & Omit<ScalarLine, 'time'>)
  | ({ readonly type: 'image' } & Omit<ImageLine, 'time'>)
  | ({ readonly type: 'text' } & Omit<TextLine, 'time'>)
  | { readonly type: 'summary'; readonly values: Readonly<Record<string, number | string | boolean>> }
  | { readonly type: 'checkpoint'; readonly step: number; readonly dir: string }
  /** How many steps the run will take, when the chosen `lab.config` has a whole `steps` (the panel's ETA). */
  | { readonly type: 'plan'; readonly totalSteps: number }
  | InsightEvent;

/** The records that look inside a model (insightFiles.ts), live: each insight file's line without its time. */
export type InsightEvent = {
  readonly [F in keyof InsightLines]: { readonly type: (typeof INSIGHT_EVENT_TYPES)[F] } & Omit<
    InsightLines[F],
    'time'
  >;
}[keyof InsightLines];

export type RunStatus = 'running' | 'finished' | 'stopped' | 'crashed' | 'nan' | 'hung' | 'killed';

export type RunEvent =
  | { readonly type: 'runStarted'; readonly runId: string; readonly config: string; readonly resumedFrom?: string }
  /** `seq`: the number of the last of the four RUNNER_SERIES lines these stats were written as (runFiles.ts). */
  | {
      readonly type: 'stats';
      readonly seq?: number;
      readonly step: number;
      readonly stepMs: number;
      readonly stepsPerSec: number;
      readonly numTensors: number;
      readonly numBytes: number;
    }
  | {
      readonly type: 'runEnded';
      readonly status: Exclude<RunStatus, 'running'>;
      readonly reason: string;
      /** For `crashed` and `nan`: the learner's line where it happened (innermost frame in the exercise folder). */
      readonly location?: SourceLocation;
      /** For `nan`: which value went non-finite, to what, at which step, and the last finite values before it. */
      readonly divergence?: RunDivergence;
    };

export type RunnerToExtension =
  | { readonly type: 'hello'; readonly protocol: number; readonly pid: number }
  | BackendEvent
  | { readonly type: 'output'; readonly stream: 'stdout' | 'stderr'; readonly text: string }
  | TestEvent
  | LabEvent
  | RunEvent
  /** The job itself failed (not a test): bad job, learner code that does not compile, tfjs missing. */
  | { readonly type: 'fatal'; readonly message: string; readonly hint?: string; readonly location?: SourceLocation };

// ---------------------------------------------------------------------------------------------------------------

const RUNNER_EVENT_TYPES: ReadonlySet<string> = new Set<RunnerToExtension['type']>([
  'hello',
  'backend',
  'output',
  'testsDiscovered',
  'testStarted',
  'testPassed',
  'testFailed',
  'testSkipped',
  'testFileFailed',
  'testsFinished',
  'scalar',
  'image',
  'text',
  'summary',
  'checkpoint',
  'plan',
  ...Object.values(INSIGHT_EVENT_TYPES),
  'runStarted',
  'stats',
  'runEnded',
  'fatal',
]);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Narrows a message from the runner. Checks the discriminant and the fields the extension relies on. */
export function isRunnerToExtension(v: unknown): v is RunnerToExtension {
  if (!isRecord(v) || typeof v.type !== 'string' || !RUNNER_EVENT_TYPES.has(v.type)) return false;
  if (v.seq !== undefined && !(Number.isInteger(v.seq) && (v.seq as number) > 0)) return false;
  switch (v.type) {
    case 'testStarted':
    case 'testPassed':
    case 'testFailed':
    case 'testSkipped':
      return typeof v.id === 'string' && (v.type !== 'testFailed' || typeof v.message === 'string');
    case 'testsDiscovered':
      return Array.isArray(v.tests);
    case 'testFileFailed':
      return typeof v.file === 'string' && typeof v.message === 'string';
    case 'scalar':
      return typeof v.name === 'string' && typeof v.step === 'number' && typeof v.value === 'number';
    case 'image':
      return typeof v.name === 'string' && typeof v.step === 'number' && typeof v.file === 'string';
    case 'text':
      return typeof v.name === 'string' && typeof v.step === 'number' && typeof v.text === 'string';
    case 'runEnded':
      return typeof v.status === 'string' && typeof v.reason === 'string';
    case 'plan':
      return Number.isInteger(v.totalSteps) && (v.totalSteps as number) > 0;
    case 'backend':
      return typeof v.active === 'string' && Array.isArray(v.ladder);
    default: {
      const file = insightFileOf(v.type);
      return file === undefined || isInsightRecord(file, v);
    }
  }
}

/** Narrows the first message the runner receives. */
export function isRunnerJob(v: unknown): v is RunnerJob {
  if (!isRecord(v) || v.type !== 'job' || v.protocol !== RUNNER_PROTOCOL_VERSION || typeof v.workspaceRoot !== 'string')
    return false;
  if (
    typeof v.backend !== 'string' ||
    !(v.backend === 'auto' || (BACKEND_LADDER as readonly string[]).includes(v.backend))
  )
    return false;
  switch (v.kind) {
    case 'test':
      return typeof v.exerciseId === 'string' && Array.isArray(v.files) && v.files.every((f) => typeof f === 'string');
    case 'train':
      return (
        typeof v.exerciseId === 'string' &&
        typeof v.runId === 'string' &&
        typeof v.entry === 'string' &&
        typeof v.runDir === 'string' &&
        ['auto', 'cpu', 'gpu', 'smoke'].includes(String(v.config))
      );
    case 'diagnose':
      return true;
    default:
      return false;
  }
}

export function isPrepareRequest(v: unknown): v is PrepareRequest {
  return (
    isRecord(v) &&
    v.type === 'prepare' &&
    v.protocol === RUNNER_PROTOCOL_VERSION &&
    typeof v.workspaceRoot === 'string' &&
    typeof v.backend === 'string' &&
    (v.backend === 'auto' || (BACKEND_LADDER as readonly string[]).includes(v.backend))
  );
}

/** True when a runner prepared with `prep` can take `job` as it is. */
export function preparedFor(prep: PrepareRequest, job: RunnerJob): boolean {
  return (
    job.kind !== 'diagnose' &&
    prep.workspaceRoot === job.workspaceRoot &&
    prep.backend === job.backend &&
    (prep.wasmThreads ?? 0) === (job.wasmThreads ?? 0)
  );
}

export function isStopRequest(v: unknown): v is StopRequest {
  return isRecord(v) && v.type === 'stop';
}
