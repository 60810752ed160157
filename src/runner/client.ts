// The parent side of the runner, pure Node (the extension wraps it): forks dist/runner.js in its own process group,
// sends the job, narrows every message, and guarantees an ending. A runner that goes quiet is killed by the
// watchdog; one that dies without saying how gets a synthesized ending; a training run's meta.json is finalised.
import type { ChildProcess } from 'node:child_process';
import {
  isRunnerToExtension,
  type PrepareRequest,
  type RunStatus,
  type RunnerJob,
  type RunnerToExtension,
} from '../protocol/runner';
import { parseTestId } from '../protocol/testIds';
import { forkRunner, type Forked } from './fork';
import { updateMeta } from '../core/runStore';

export interface RunnerOptions {
  /** Absolute path of dist/runner.js. */
  readonly runnerPath: string;
  /** Every event, in order: the runner's own, its stray output, and the endings this client synthesizes. */
  readonly onEvent: (event: RunnerToExtension) => void;
  /** Kill the runner when it sends nothing for this long (default 120 s). */
  readonly hangTimeoutMs?: number;
  /** How long `stop()` waits for the run to end on its own before killing it (default 10 s). */
  readonly graceMs?: number;
  readonly env?: NodeJS.ProcessEnv;
  /**
   * When set, what the runner process writes to its own stdout and stderr outside the protocol goes here instead of
   * into onEvent. Only native libraries write there (Dawn, Vulkan, libtensorflow: the runner turns every JavaScript
   * write into an `output` event), and their banners mean nothing to a learner. It is still replayed into onEvent
   * when the runner dies without reporting its ending, where it may be the cause.
   */
  readonly onNativeOutput?: (text: string) => void;
}

export interface RunnerExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** True when the runner ended its job itself (testsFinished, runEnded, or the diagnosis). */
  readonly reportedEnding: boolean;
}

export interface RunnerHandle {
  readonly pid: number | undefined;
  /** Ask a training run to stop at its next `lab.shouldStop()`; killed after `graceMs`. */
  stop(): void;
  /** Kill the runner and everything it started, now. */
  cancel(): void;
  readonly done: Promise<RunnerExit>;
}

type Why = 'hung' | 'cancelled' | 'stopTimeout' | undefined;

function endsJob(job: RunnerJob, e: RunnerToExtension): boolean {
  if (job.kind === 'test') return e.type === 'testsFinished' || e.type === 'fatal';
  if (job.kind === 'train') return e.type === 'runEnded';
  return e.type === 'backend' || e.type === 'fatal';
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL'); // the whole group: the runner and anything the learner's code spawned
  } catch {
    child.kill('SIGKILL');
  }
}

/** Starts a runner for `job`; see RunnerOptions for the guarantees. */
export function startRunner(job: RunnerJob, options: RunnerOptions): RunnerHandle {
  return attach(forkRunner(options.runnerPath, options.env), job, options);
}

/** A runner started ahead of its job, with tfjs loaded and the backend selected (see PrepareRequest). */
export interface SpareRunner {
  readonly request: PrepareRequest;
  /** False once it has exited: it can no longer take a job. */
  readonly alive: boolean;
  /** Resolves true once tfjs is loaded and the backend selected, false if it exited first. */
  readonly ready: Promise<boolean>;
  /** Gives it `job` (which must match the request); from then on it is exactly what startRunner returns. */
  assign(job: RunnerJob, options: Omit<RunnerOptions, 'runnerPath' | 'env'>): RunnerHandle;
  /** Kills it if it has no job yet. */
  dispose(): void;
}

/** Starts a spare runner for jobs matching `request`. */
export function prepareRunner(
  request: PrepareRequest,
  options: { readonly runnerPath: string; readonly env?: NodeJS.ProcessEnv },
): SpareRunner {
  const forked = forkRunner(options.runnerPath, options.env);
  forked.child.send(request);
  let assigned = false;
  return {
    request,
    ready: forked.ready,
    get alive() {
      return !forked.exited && forked.child.connected;
    },
    assign(job, jobOptions) {
      if (assigned) throw new Error('This spare runner already has a job.');
      assigned = true;
      return attach(forked, job, { ...jobOptions, runnerPath: options.runnerPath });
    },
    dispose() {
      if (!assigned) killGroup(forked.child);
    },
  };
}

function attach(forked: Forked, job: RunnerJob, options: RunnerOptions): RunnerHandle {
  const hangMs = options.hangTimeoutMs ?? 120_000;
  const graceMs = options.graceMs ?? 10_000;
  const { child } = forked;
  let why: Why;
  let ended = false;
  let finished = false;
  let sawFatal = false;
  let running: string | undefined;
  let stderrTail = '';
  let heldBack = '';
  let watchdog: NodeJS.Timeout | undefined;
  let grace: NodeJS.Timeout | undefined;

  const emit = (e: RunnerToExtension): void => {
    if (!finished) options.onEvent(e);
  };
  const arm = (): void => {
    clearTimeout(watchdog);
    watchdog = setTimeout(() => {
      why ??= 'hung';
      killGroup(child);
    }, hangMs);
  };
  arm();

  const native = (stream: 'stdout' | 'stderr', text: string): void => {
    if (stream === 'stderr') stderrTail = (stderrTail + text).slice(-4000);
    if (!options.onNativeOutput) {
      emit({ type: 'output', stream, text });
      return;
    }
    heldBack = (heldBack + text).slice(-16_000);
    options.onNativeOutput(text);
  };
  const onMessage = (m: unknown): void => {
    arm();
    if (!isRunnerToExtension(m)) {
      emit({
        type: 'output',
        stream: 'stderr',
        text: `[runner client] ignored a message it cannot read: ${JSON.stringify(m).slice(0, 200)}\n`,
      });
      return;
    }
    if (m.type === 'testStarted') running = m.id;
    if ((m.type === 'testPassed' || m.type === 'testFailed' || m.type === 'testSkipped') && m.id === running)
      running = undefined;
    if (m.type === 'fatal') sawFatal = true;
    if (endsJob(job, m)) ended = true;
    emit(m);
  };

  const done = new Promise<RunnerExit>((resolve) => {
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let closed = false;
    let disconnected = false;
    const settle = (): void => {
      // Wait for the exit, the end of stdio and the end of IPC, so every message the runner sent comes first.
      if (!exit || !closed || !disconnected || finished) return;
      clearTimeout(watchdog);
      clearTimeout(grace);
      synthesizeEnding(exit.code, exit.signal);
      finished = true;
      resolve({ ...exit, reportedEnding: ended });
    };
    forked.listen((h) => {
      switch (h.kind) {
        case 'message':
          return onMessage(h.message);
        case 'stdout':
        case 'stderr':
          return native(h.kind, h.text);
        case 'exit':
          exit = { code: h.code, signal: h.signal };
          return settle();
        case 'close':
          closed = true;
          return settle();
        case 'disconnect':
          disconnected = true;
          return settle();
        case 'error':
          emit({
            type: 'fatal',
            message: `Could not start the runner (${options.runnerPath}): ${h.error.message}`,
            hint: 'Reinstall or rebuild the extension (npm run build).',
          });
          sawFatal = true;
          exit ??= { code: null, signal: null };
          closed = disconnected = true;
          return settle();
      }
    });
  });

  function synthesizeEnding(code: number | null, signal: NodeJS.Signals | null): void {
    if (ended) return;
    // What native code printed may be why the runner died: show it now.
    if (heldBack.trim()) emit({ type: 'output', stream: 'stderr', text: heldBack });
    const how = signal ? `was killed (${signal})` : `exited with code ${code}`;
    const testNote = running
      ? ` while the test "${parseTestId(running)?.titles.join(' > ') ?? running}" was running`
      : '';
    let status: Exclude<RunStatus, 'running'>;
    let reason: string;
    if (why === 'hung') {
      status = 'hung';
      reason =
        `The runner sent nothing for ${Math.round(hangMs / 1000)} s${testNote}, so it was killed. Look for an endless loop, ` +
        'or a step so slow that nothing is reported in that time (make the model or batch smaller).';
    } else if (why === 'cancelled') {
      status = 'killed';
      reason = `Cancelled: the runner was killed at once${testNote}.`;
    } else if (why === 'stopTimeout') {
      status = 'killed';
      reason =
        `The run did not stop within ${Math.round(graceMs / 1000)} s of the Stop request, so it was killed. ` +
        'Check lab.shouldStop() in your training loop and return from main when it is true.';
    } else if (/heap out of memory|Allocation failed/i.test(stderrTail) || code === 134) {
      status = 'crashed';
      reason = `The runner ran out of memory and ${how}${testNote}. Use a smaller batch or model, and dispose tensors you no longer need (tf.tidy).`;
    } else {
      status = 'crashed';
      reason =
        `The runner ${how}${testNote} before reporting the end of the ${job.kind} job. ` +
        'If your code calls process.exit(), remove it; otherwise see the output above for the cause.';
    }
    if (!sawFatal && why !== 'hung') emit({ type: 'fatal', message: reason });
    if (job.kind === 'train' || why === 'hung') emit({ type: 'runEnded', status, reason });
    // Ends meta.json only if the run did not (the store ignores an ending over an ended run).
    if (job.kind === 'train')
      updateMeta(job.runDir, { status, reason, endedAt: new Date().toISOString(), exitCode: code });
  }

  if (child.connected) child.send(job);
  return {
    pid: child.pid,
    stop(): void {
      if (child.connected) child.send({ type: 'stop' });
      clearTimeout(grace);
      grace = setTimeout(() => {
        why ??= 'stopTimeout';
        killGroup(child);
      }, graceMs);
    },
    cancel(): void {
      why ??= 'cancelled';
      killGroup(child);
    },
    done,
  };
}
