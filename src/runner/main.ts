// The runner child process (bundled to dist/runner.js). It receives one job as its first IPC message, answers
// `hello`, picks a backend, runs the job and exits; afterwards it only listens for `stop`. Everything it has to
// say goes through src/protocol/runner.ts.
import {
  RUNNER_PROTOCOL_VERSION,
  isPrepareRequest,
  isRunnerJob,
  isStopRequest,
  preparedFor,
  type BackendEvent,
  type PrepareRequest,
  type RunnerJob,
  type RunnerToExtension,
} from '../protocol/runner';
import { RUN_META_VERSION, createMeta, updateMeta } from '../core/runStore';
import { NoBackendError, selectBackend } from './backend';
import { matmulGflops, trainStepsPerSecond } from './diagnose';
import { captureOutput, exitAfterFlush, send } from './ipc';
import { LoadError, runTestJob } from './testJob';
import { runTrainJob } from './trainJob';
import { installTypeScriptHook } from './tsHook';
import { MissingPackageError, loadWorkspace, type Workspace } from './workspace';

let stopRequested = false;
let trainRunDir: string | undefined;

function fatal(message: string, hint?: string, location?: LoadError['location']): void {
  send({
    type: 'fatal',
    message,
    ...(hint ? { hint } : {}),
    ...(location ? { location } : {}),
  } satisfies RunnerToExtension);
}

type Selection =
  { readonly ws: Workspace; readonly backend: BackendEvent } | { readonly failure: string; readonly hint: string };

/** Loads tfjs from the workspace and walks the ladder; a missing package or backend is a failure to report. */
async function select(spec: PrepareRequest | RunnerJob): Promise<Selection> {
  let ws: Workspace;
  try {
    ws = loadWorkspace(spec.workspaceRoot);
  } catch (err) {
    if (err instanceof MissingPackageError) return { failure: err.message, hint: err.hint };
    throw err;
  }
  const diagnose = spec.type === 'job' && spec.kind === 'diagnose';
  const backend = await selectBackend(ws, {
    preference: spec.backend,
    all: diagnose,
    ...(spec.wasmThreads ? { wasmThreads: spec.wasmThreads } : {}),
    ...(diagnose
      ? {
          onLoaded: async (rung) => ({
            gflops: await matmulGflops(ws.tf, rung === 'cpu'),
            trainStepsPerSecond: await trainStepsPerSecond(ws.tf, rung === 'cpu'),
          }),
        }
      : {}),
  }).catch((err: unknown) => {
    if (err instanceof NoBackendError) return err;
    throw err;
  });
  if (backend instanceof NoBackendError) {
    return {
      failure: backend.message,
      hint: 'Set "multimodalLab.backend" to "auto", or install the packages named above with "Multimodal Lab: Install Exercise Dependencies".',
    };
  }
  return { ws, backend };
}

/** A spare runner's selection, made before its job arrived. */
let prepared: { readonly request: PrepareRequest; readonly selection: Promise<Selection> } | undefined;

async function runJob(job: RunnerJob): Promise<number> {
  const selection = await (prepared && preparedFor(prepared.request, job) ? prepared.selection : select(job));
  if ('failure' in selection) return failJob(job, selection.failure, selection.hint);
  const { ws, backend } = selection;
  send(backend);
  switch (job.kind) {
    case 'test':
      await runTestJob(job, ws);
      return 0;
    case 'train': {
      const outcome = await runTrainJob(job, ws, backend, () => stopRequested);
      return outcome.status === 'finished' || outcome.status === 'stopped' ? 0 : 1;
    }
    case 'diagnose':
      return 0;
  }
}

/** The job could not start: say why, and for a training run leave a crashed meta.json behind. */
function failJob(job: RunnerJob, message: string, hint: string): number {
  fatal(message, hint);
  if (job.kind === 'train') {
    const now = new Date().toISOString();
    createMeta(job.runDir, {
      version: RUN_META_VERSION,
      exerciseId: job.exerciseId,
      runId: job.runId,
      config: job.config,
      startedAt: now,
      endedAt: now,
      status: 'crashed',
      reason: `${message} ${hint}`,
      exitCode: 1,
    });
    send({ type: 'runEnded', status: 'crashed', reason: `${message} ${hint}` } satisfies RunnerToExtension);
  }
  return 1;
}

async function start(message: unknown): Promise<void> {
  if (!isRunnerJob(message)) {
    fatal(
      `The runner received a job it cannot read (it expects protocol version ${RUNNER_PROTOCOL_VERSION}).`,
      'The extension and its runner are out of step: reload the window (Developer: Reload Window).',
    );
    await exitAfterFlush(2);
    return;
  }
  if (!prepared) sayHello();
  setUp();
  let code = 1;
  try {
    code = await runJob(message);
  } catch (err) {
    if (err instanceof LoadError) {
      fatal(err.message, err.hint, err.location);
    } else {
      const e = err instanceof Error ? err : new Error(String(err));
      fatal(
        `The runner failed while running a ${message.kind} job: ${e.stack ?? e.message}`,
        'This is a bug in Multimodal Lab, not in your code. Please report it with the text above.',
      );
    }
  }
  await exitAfterFlush(code);
}

let isSetUp = false;

function sayHello(): void {
  send({ type: 'hello', protocol: RUNNER_PROTOCOL_VERSION, pid: process.pid } satisfies RunnerToExtension);
}

function setUp(): void {
  if (isSetUp) return;
  isSetUp = true;
  // The workspace runtime (lab/runtime) selects nothing inside the runner: the runner has chosen already.
  process.env.MULTIMODAL_LAB_RUNNER = '1';
  captureOutput();
  installTypeScriptHook();
}

/**
 * A spare: select the backend now (the slow part of a start: loading tfjs, starting wasm and its threads), so
 * that the job, when it comes, only loads the learner's code. Nothing of the learner's is loaded before the job.
 */
function prepare(request: PrepareRequest): void {
  setUp();
  const selection = select(request);
  // A spare says hello once it is ready; a failure is reported when the job arrives (runJob awaits it again).
  selection.then(sayHello, sayHello);
  prepared = { request, selection };
}

if (!process.send) {
  console.error(
    'dist/runner.js is started by the Multimodal Lab extension with an IPC channel; it cannot run on its own.',
  );
  process.exit(2);
}
process.on('message', (m: unknown) => {
  if (isStopRequest(m)) stopRequested = true;
});
const onJob = (m: unknown): void => {
  if (isRunnerJob(m) && m.kind === 'train') trainRunDir = m.runDir;
  void start(m);
};
process.once('message', (m: unknown) => {
  if (!isPrepareRequest(m)) return onJob(m);
  prepare(m);
  process.once('message', onJob);
});
// The runner lives in its own process group so a cancel can kill everything it started; the price is that it would
// outlive a crashed or closed VS Code. So: when the channel to the extension goes, record why and exit.
process.on('disconnect', () => {
  // An ending only over a run still `running` (the run store's rule): a run that ended keeps its own.
  if (trainRunDir) {
    updateMeta(trainRunDir, {
      status: 'killed',
      endedAt: new Date().toISOString(),
      exitCode: null,
      reason:
        'VS Code (or the extension host) went away while the run was in progress; what was logged until then is kept.',
    });
  }
  process.exit(137);
});
