// Starting a runner costs seconds before the first test can run (Node, tfjs, the wasm backend and its threads); the
// tests themselves take a fraction of that. So the pool keeps one spare runner that has done all of it already and
// only waits for its job. A spare never loads learner code before its job, so it sees the latest edits, and it
// serves one job only, so no state leaks from one run into the next. Pure Node: the extension and the bench share it.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { preparedFor, RUNNER_PROTOCOL_VERSION, type PrepareRequest, type RunnerJob } from '../protocol/runner';
import { prepareRunner, startRunner, type RunnerHandle, type RunnerOptions, type SpareRunner } from './client';

export interface PoolOptions {
  /** Absolute path of dist/runner.js. */
  readonly runnerPath: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Whether to keep a spare at all (the setting multimodalLab.keepRunnerWarm); read at each decision. */
  readonly enabled?: () => boolean;
  /** A spare unused for this long is stopped, giving its memory back (default 15 min). */
  readonly idleMs?: number;
}

/** What a spare depends on besides its request: the installed packages and the runner bundle itself. */
export function installFingerprint(workspaceRoot: string, runnerPath: string): string {
  const mtime = (f: string): string => {
    try {
      return String(statSync(f).mtimeMs);
    } catch {
      return 'absent';
    }
  };
  // npm rewrites node_modules/.package-lock.json on every install.
  return `${mtime(join(workspaceRoot, 'node_modules', '.package-lock.json'))}|${mtime(runnerPath)}`;
}

/** The request a spare for `job` would have been prepared with; undefined for jobs a spare does not take. */
export function requestFor(job: RunnerJob): PrepareRequest | undefined {
  if (job.kind !== 'test') return undefined;
  return {
    type: 'prepare',
    protocol: RUNNER_PROTOCOL_VERSION,
    workspaceRoot: job.workspaceRoot,
    backend: job.backend,
    ...(job.wasmThreads ? { wasmThreads: job.wasmThreads } : {}),
  };
}

interface Spare {
  readonly runner: SpareRunner;
  readonly fingerprint: string;
  readonly idle: NodeJS.Timeout;
}

/** Starts jobs on the spare when it fits, else cold; keeps one spare ready after each test job. */
export class RunnerPool {
  private spare: Spare | undefined;
  private disposed = false;

  constructor(private readonly options: PoolOptions) {}

  /** Starts `job`: on the spare when one matches it, else a fresh runner. */
  start(job: RunnerJob, options: Omit<RunnerOptions, 'runnerPath' | 'env'>): RunnerHandle & { readonly warm: boolean } {
    const request = requestFor(job);
    const spare = this.spare;
    let handle: RunnerHandle;
    let warm = false;
    if (
      request &&
      spare &&
      spare.runner.alive &&
      preparedFor(spare.runner.request, job) &&
      spare.fingerprint === installFingerprint(job.workspaceRoot, this.options.runnerPath)
    ) {
      this.take();
      handle = spare.runner.assign(job, options);
      warm = true;
    } else {
      handle = startRunner(job, {
        ...options,
        runnerPath: this.options.runnerPath,
        ...(this.options.env ? { env: this.options.env } : {}),
      });
    }
    // After the job, not during it: a spare starting up would compete with the tests for the CPU.
    if (request) void handle.done.then(() => this.prewarm(request));
    return Object.assign(handle, { warm });
  }

  /** Makes sure a spare for `request` is ready (replacing one prepared for anything else). */
  prewarm(request: PrepareRequest): void {
    if (this.disposed || this.options.enabled?.() === false) return;
    const fingerprint = installFingerprint(request.workspaceRoot, this.options.runnerPath);
    const current = this.spare;
    if (
      current &&
      current.runner.alive &&
      current.fingerprint === fingerprint &&
      sameRequest(current.runner.request, request)
    )
      return;
    this.discard();
    const runner = prepareRunner(request, {
      runnerPath: this.options.runnerPath,
      ...(this.options.env ? { env: this.options.env } : {}),
    });
    const idle = setTimeout(() => this.discard(), this.options.idleMs ?? 15 * 60_000);
    idle.unref();
    this.spare = { runner, fingerprint, idle };
  }

  /** Resolves true once the spare (if any) is prepared, false when there is none or it died. */
  spareReady(): Promise<boolean> {
    return this.spare ? this.spare.runner.ready : Promise.resolve(false);
  }

  /** Stops the spare, if any. */
  discard(): void {
    this.take()?.runner.dispose();
  }

  dispose(): void {
    this.disposed = true;
    this.discard();
  }

  private take(): Spare | undefined {
    const spare = this.spare;
    this.spare = undefined;
    if (spare) clearTimeout(spare.idle);
    return spare;
  }
}

function sameRequest(a: PrepareRequest, b: PrepareRequest): boolean {
  return (
    a.workspaceRoot === b.workspaceRoot && a.backend === b.backend && (a.wasmThreads ?? 0) === (b.wasmThreads ?? 0)
  );
}
