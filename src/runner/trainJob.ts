// `train` jobs: run the learner's training entry with the `lab` hook installed, forward everything it reports,
// add step statistics, honour Stop, and end with an honest status in meta.json and a `runEnded` event.
import { dirname, join, relative } from 'node:path';
import { RUN_META_VERSION, appendRecords, createMeta, updateMeta } from '../core/runStore';
import {
  runnerSeriesValues,
  type NonFiniteValue,
  type RunDivergence,
  type RunnerStats,
  type ScalarLine,
} from '../protocol/runFiles';
import type {
  BackendEvent,
  LabEvent,
  RunnerToExtension,
  RunStatus,
  SourceLocation,
  TrainJob,
} from '../protocol/runner';
import { send } from './ipc';
import { isInside, locateIn } from './location';
import type { Workspace } from './workspace';

/**
 * The runner's own series (RUNNER_SERIES) go into scalars.jsonl beside the script's, so replays have them. Returns the
 * `seq` of the last line: the stats event carries it, so a panel that replayed those lines drops the event.
 */
function recordStats(runDir: string, stats: RunnerStats & { readonly step: number }): number {
  const time = Date.now();
  const lines = runnerSeriesValues(stats).map(
    ([name, value]) => ({ step: stats.step, name, value, time }) satisfies Omit<ScalarLine, 'seq'>,
  );
  const written = appendRecords(runDir, 'scalars', lines);
  return written[written.length - 1].seq;
}

/** The hook the lab library looks for; mirrors `RunnerHook` in templates/workspace/lab/report.ts. */
interface RunnerHook {
  emit(event: LabEvent): void;
  shouldStop(): boolean;
  run(main: () => Promise<void>): Promise<void>;
}

const OOM =
  /out of memory|Cannot enlarge memory|Array buffer allocation failed|OOM when allocating|failed to allocate|Invalid typed array length/i;

export interface RunOutcome {
  readonly status: Exclude<RunStatus, 'running'>;
  readonly reason: string;
  readonly location?: SourceLocation;
  readonly divergence?: RunDivergence;
}

/**
 * What the lab's NonFiniteError says about a divergence, checked field by field: the error comes from the learner's
 * copy of the lab library (another module instance, maybe another version), so it is read by shape, not by class.
 */
export function divergenceOf(e: unknown): RunDivergence | undefined {
  const o = e as { metric?: unknown; step?: unknown; value?: unknown; lastFinite?: unknown } | null;
  if (
    !o ||
    typeof o.metric !== 'string' ||
    typeof o.step !== 'number' ||
    typeof o.value !== 'number' ||
    Number.isFinite(o.value)
  )
    return undefined;
  const lastFinite: Record<string, { step: number; value: number }> = {};
  if (typeof o.lastFinite === 'object' && o.lastFinite !== null) {
    for (const [name, v] of Object.entries(
      o.lastFinite as Record<string, { step?: unknown; value?: unknown } | null>,
    )) {
      if (typeof v?.step === 'number' && typeof v.value === 'number' && Number.isFinite(v.value))
        lastFinite[name] = { step: v.step, value: v.value };
    }
  }
  return { metric: o.metric, value: String(o.value) as NonFiniteValue, step: o.step, lastFinite };
}

/** Picks the configuration: `auto` means gpu on a GPU rung, cpu otherwise. */
export function resolveConfig(job: TrainJob, backend: BackendEvent): 'cpu' | 'gpu' | 'smoke' {
  if (job.config !== 'auto') return job.config;
  return backend.active === 'tensorflow-gpu' || backend.active === 'webgpu' ? 'gpu' : 'cpu';
}

/** Maps how the training ended to a status and a reason the learner can act on. */
export function classifyEnding(err: unknown, stopped: boolean, ws: Workspace, exerciseDir: string): RunOutcome {
  if (err === undefined) {
    return stopped
      ? { status: 'stopped', reason: 'Stopped on request.' }
      : { status: 'finished', reason: 'Training finished.' };
  }
  const e = err instanceof Error ? err : new Error(String(err));
  const location = locateIn(e.stack, exerciseDir);
  const where = location ? ` at ${relative(ws.root, location.file)}:${location.line}` : '';
  if (e.name === 'NonFiniteError') {
    const divergence = divergenceOf(e);
    return {
      status: 'nan',
      reason: e.message,
      ...(location ? { location } : {}),
      ...(divergence ? { divergence } : {}),
    };
  }
  if (OOM.test(e.message)) {
    const n = ws.tf.memory().numTensors;
    return {
      status: 'crashed',
      ...(location ? { location } : {}),
      reason:
        `Out of memory${where}: ${e.message}. ${n} tensors were alive. Use a smaller batch size or model, ` +
        'and wrap each step in tf.tidy (or dispose intermediates) so memory does not grow step by step.',
    };
  }
  return { status: 'crashed', reason: `${e.name}: ${e.message}${where}`, ...(location ? { location } : {}) };
}

/** Runs the training entry to its end; never throws for learner errors (they become the outcome). */
export async function runTrainJob(
  job: TrainJob,
  ws: Workspace,
  backend: BackendEvent,
  stopRequested: () => boolean,
): Promise<RunOutcome> {
  const config = resolveConfig(job, backend);
  const exerciseDir = isInside(job.entry, join(ws.root, 'exercises', job.exerciseId))
    ? join(ws.root, 'exercises', job.exerciseId)
    : dirname(job.entry);
  createMeta(job.runDir, {
    version: RUN_META_VERSION,
    exerciseId: job.exerciseId,
    runId: job.runId,
    config,
    backend: backend.active,
    backendWhy: backend.why,
    versions: backend.versions,
    startedAt: new Date().toISOString(),
    status: 'running',
    ...(job.resumeFrom ? { resumedFrom: job.resumeFrom } : {}),
  });
  process.env.MULTIMODAL_LAB_RUN_DIR = job.runDir;
  process.env.MULTIMODAL_LAB_CONFIG = config;
  if (job.resumeFrom) process.env.MULTIMODAL_LAB_RESUME_FROM = job.resumeFrom;
  else delete process.env.MULTIMODAL_LAB_RESUME_FROM;
  send({
    type: 'runStarted',
    runId: job.runId,
    config,
    ...(job.resumeFrom ? { resumedFrom: job.resumeFrom } : {}),
  } satisfies RunnerToExtension);

  let lastStep: number | undefined;
  let lastStepAt = performance.now();
  let mainPromise: Promise<void> | undefined;
  const hook: RunnerHook = {
    emit(event) {
      if ('step' in event && event.type !== 'checkpoint' && (lastStep === undefined || event.step > lastStep)) {
        const now = performance.now();
        if (lastStep !== undefined) {
          const stepMs = Math.round(((now - lastStepAt) / (event.step - lastStep)) * 1000) / 1000;
          const mem = ws.tf.memory();
          const stats = {
            step: lastStep,
            stepMs,
            stepsPerSec: stepMs > 0 ? 1000 / stepMs : 0,
            numTensors: mem.numTensors,
            numBytes: mem.numBytes,
          };
          const seq = recordStats(job.runDir, stats);
          send({ type: 'stats', seq, ...stats } satisfies RunnerToExtension);
        }
        lastStep = event.step;
        lastStepAt = now;
      }
      if (event.type === 'checkpoint') updateMeta(job.runDir, { latestCheckpoint: event.dir });
      if (event.type === 'plan') updateMeta(job.runDir, { totalSteps: event.totalSteps });
      send(event satisfies RunnerToExtension);
    },
    shouldStop: stopRequested,
    run(main) {
      mainPromise = Promise.resolve().then(main);
      return mainPromise;
    },
  };
  (globalThis as { __multimodalLab?: RunnerHook }).__multimodalLab = hook;

  let error: unknown;
  try {
    const exported = ws.require(job.entry) as { main?: unknown; default?: unknown };
    if (mainPromise) await mainPromise;
    else if (typeof exported.main === 'function') await (exported.main as () => Promise<void>)();
    else if (typeof exported.default === 'function') await (exported.default as () => Promise<void>)();
  } catch (err) {
    error = err ?? new Error('the training script threw undefined');
  }
  const outcome = classifyEnding(error, stopRequested(), ws, exerciseDir);
  updateMeta(job.runDir, {
    status: outcome.status,
    endedAt: new Date().toISOString(),
    exitCode: outcome.status === 'finished' || outcome.status === 'stopped' ? 0 : 1,
    ...(outcome.status !== 'finished' ? { reason: outcome.reason } : {}),
    ...(outcome.divergence ? { divergence: outcome.divergence } : {}),
  });
  send({
    type: 'runEnded',
    status: outcome.status,
    reason: outcome.reason,
    ...(outcome.location ? { location: outcome.location } : {}),
    ...(outcome.divergence ? { divergence: outcome.divergence } : {}),
  } satisfies RunnerToExtension);
  return outcome;
}
