import * as vscode from 'vscode';
import {
  RUNNER_PROTOCOL_VERSION,
  type BackendEvent,
  type BackendPreference,
  type PrepareRequest,
  type RunnerJob,
  type RunnerToExtension,
} from '../protocol/runner';
import type { RunnerExit, RunnerHandle } from '../runner/client';
import { RunnerPool } from '../runner/pool';

/**
 * Owns every runner child process: starts them with the user's settings, keeps one job per exercise, shows the
 * active backend in the status bar, and kills whatever is still running when the extension deactivates.
 */
export class RunnerLauncher implements vscode.Disposable {
  private readonly running = new Map<string, RunnerHandle>();
  private readonly status = vscode.window.createStatusBarItem(
    'multimodalLab.backend',
    vscode.StatusBarAlignment.Left,
    10,
  );
  private lastBackend?: BackendEvent;
  /**
   * Keeps one test runner prepared (tfjs loaded, backend chosen), so a click reaches its first verdict in about a
   * second.
   */
  private readonly pool: RunnerPool;

  constructor(runnerPath: string) {
    this.pool = new RunnerPool({
      runnerPath,
      enabled: () =>
        vscode.workspace.isTrusted &&
        vscode.workspace.getConfiguration('multimodalLab').get<boolean>('keepRunnerWarm', true),
    });
    this.status.name = 'Multimodal Lab backend';
    this.status.command = 'multimodalLab.diagnoseBackends';
    this.status.text = '$(chip) Multimodal Lab';
    this.status.tooltip = 'Which TensorFlow.js backend runs exercise code — click to diagnose every backend';
  }

  backendPreference(): BackendPreference {
    return vscode.workspace.getConfiguration('multimodalLab').get<BackendPreference>('backend', 'auto');
  }

  /** The key of the job that holds an exercise, if any. */
  isBusy(exerciseId: string): boolean {
    return this.running.has(exerciseId);
  }

  /** The wasm threads setting (0: all cores). */
  private wasmThreads(): number {
    return vscode.workspace.getConfiguration('multimodalLab').get<number>('wasmThreads', 0);
  }

  /** Gets a test runner ready for `workspaceRoot` with the current settings, unless one is (or the setting is off). */
  prewarm(workspaceRoot: string): void {
    const threads = this.wasmThreads();
    const request: PrepareRequest = {
      type: 'prepare',
      protocol: RUNNER_PROTOCOL_VERSION,
      workspaceRoot,
      backend: this.backendPreference(),
      ...(threads > 0 ? { wasmThreads: threads } : {}),
    };
    this.pool.prewarm(request);
  }

  /**
   * Starts `job`; a second job for the same exercise is refused while one runs. `onNativeOutput`, when given, takes
   * what native libraries print (Dawn, Vulkan, libtensorflow banners) instead of the job's output events.
   */
  start(
    job: RunnerJob,
    onEvent: (e: RunnerToExtension) => void,
    onNativeOutput?: (text: string) => void,
  ): RunnerHandle & { readonly done: Promise<RunnerExit & { readonly reason: string }> } {
    const key = job.kind === 'diagnose' ? 'diagnose' : job.exerciseId;
    if (this.running.has(key))
      throw new Error(
        `"${key}" already has a ${job.kind === 'diagnose' ? 'diagnosis' : 'test or training job'} running. Stop it first.`,
      );
    const config = vscode.workspace.getConfiguration('multimodalLab');
    const threads = this.wasmThreads();
    const handle = this.pool.start(threads > 0 ? { ...job, wasmThreads: threads } : job, {
      hangTimeoutMs: 1000 * config.get<number>('hangTimeoutSeconds', 120),
      graceMs: 1000 * config.get<number>('stopGraceSeconds', 10),
      onEvent: (e) => {
        if (e.type === 'backend') this.showBackend(e);
        onEvent(e);
      },
      ...(onNativeOutput ? { onNativeOutput } : {}),
    });
    this.running.set(key, handle);
    const done = handle.done.then((exit) => {
      this.running.delete(key);
      return { ...exit, reason: describeExit(exit) };
    });
    return { pid: handle.pid, stop: () => handle.stop(), cancel: () => handle.cancel(), done };
  }

  stop(exerciseId: string): boolean {
    const h = this.running.get(exerciseId);
    h?.stop();
    return h !== undefined;
  }

  get backend(): BackendEvent | undefined {
    return this.lastBackend;
  }

  private showBackend(e: BackendEvent): void {
    this.lastBackend = e;
    const slow = e.active === 'cpu';
    this.status.text = `${slow ? '$(warning)' : '$(chip)'} ${e.active}`;
    this.status.tooltip = new vscode.MarkdownString(
      `**Multimodal Lab backend: ${e.active}**\n\n${e.why}\n\n${e.ladder.map((r) => `- ${r.backend}: ${r.status} — ${r.reason}`).join('\n')}\n\n_Click to diagnose every backend._`,
    );
    this.status.backgroundColor = slow ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.status.show();
  }

  dispose(): void {
    for (const h of this.running.values()) h.cancel();
    this.running.clear();
    this.pool.dispose();
    this.status.dispose();
  }
}

function describeExit(exit: RunnerExit): string {
  if (exit.signal) return `killed by ${exit.signal}`;
  return exit.code === 0 ? 'exited normally' : `exit code ${exit.code}`;
}
