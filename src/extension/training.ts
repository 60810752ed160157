import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { runEndedMessage, trainingTitle } from '../core/runLabels';
import { listRuns } from '../core/runs';
import { makeRunDir, newRunId, runDirForDisplay } from '../core/runStore';
import type { RunLiveStatus, RunRef } from '../protocol/panels';
import type { RunSummary } from '../protocol/runFiles';
import type { RunStatus, RunnerToExtension, TrainJob } from '../protocol/runner';
import { LabState } from './labState';
import { offerInstallIfNeeded } from './installDependencies';
import { RunnerLauncher } from './runnerLauncher';

/**
 * What a training run tells whoever follows it (the run panels subscribe): every runner event of the run, and the
 * header status it implies. Training knows nothing of its followers.
 */
export type TrainingUpdate =
  | { readonly kind: 'event'; readonly ref: RunRef; readonly runDir: string; readonly event: RunnerToExtension }
  | { readonly kind: 'status'; readonly ref: RunRef; readonly live: RunLiveStatus; readonly summary?: RunSummary };

/** Train, Stop and Resume: a training run in the runner, with its progress in a notification and an output channel. */
export class Training implements vscode.Disposable {
  private readonly output = vscode.window.createOutputChannel('Multimodal Lab: Training');
  private readonly updates = new vscode.EventEmitter<TrainingUpdate>();
  /** Fires for every event of every run, in the order the runner sent them, and for each status change. */
  readonly onDidUpdate = this.updates.event;

  constructor(
    private readonly state: LabState,
    private readonly launcher: RunnerLauncher,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /**
   * Starts a run of `exercises/<id>/train.ts`; `resumeFrom` is a checkpoint folder. `quick` uses the script's smoke
   * configuration (a few dozen steps, to check the pipeline); a quick run never stands as milestone evidence.
   * Resolves with the run folder.
   */
  async train(exerciseId: string, resumeFrom?: string, quick = false): Promise<string | undefined> {
    const root = this.state.workspaceRoot;
    if (!root) throw new Error('Open a folder first: runs are stored in the workspace, under .multimodal-lab/runs/.');
    if (!vscode.workspace.isTrusted)
      throw new Error(
        'Training runs the code in this folder, so it needs a trusted workspace. Trust the folder (Manage Workspace Trust) and try again.',
      );
    const entry = path.join(root, 'exercises', exerciseId, 'train.ts');
    if (!fs.existsSync(entry))
      throw new Error(
        `There is no exercises/${exerciseId}/train.ts. Start the exercise first (or restore the file with "Reset Exercise").`,
      );
    const runId = newRunId(new Date(), 'extension');
    const runDir = makeRunDir(root, exerciseId, runId);
    const job = {
      type: 'job',
      protocol: 1,
      kind: 'train',
      workspaceRoot: root,
      backend: this.launcher.backendPreference(),
      exerciseId,
      runId,
      entry,
      runDir,
      config: quick ? 'smoke' : 'auto',
      ...(resumeFrom ? { resumeFrom } : {}),
    } satisfies TrainJob;

    this.output.appendLine(
      `\n=== ${exerciseId} · run ${runId}${quick ? ' · quick check (smoke configuration)' : ''}${resumeFrom ? ` · resumed from ${resumeFrom}` : ''}`,
    );
    let ending: { status: Exclude<RunStatus, 'running'>; reason: string } | undefined;
    await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: trainingTitle(await this.exerciseTitle(exerciseId), quick),
        cancellable: true,
      },
      async (progress, token) => {
        let lastStep = 0;
        let rate = '';
        const ref = { exerciseId, runId };
        const started = Date.now();
        const status = (live: RunLiveStatus, summary?: RunSummary): void =>
          this.updates.fire({ kind: 'status', ref, live, ...(summary ? { summary } : {}) });
        const onEvent = (e: RunnerToExtension): void => {
          this.updates.fire({ kind: 'event', ref, runDir, event: e });
          switch (e.type) {
            case 'backend':
              this.output.appendLine(`backend: ${e.active} — ${e.why}`);
              for (const l of e.limitations) this.output.appendLine(`  note: ${l}`);
              break;
            case 'output':
              this.output.append(e.text);
              break;
            case 'stats':
              rate = ` · ${e.stepsPerSec.toFixed(1)} steps/s`;
              status({
                status: 'running',
                step: e.step,
                stepsPerSec: e.stepsPerSec,
                elapsedMs: Date.now() - started,
                numTensors: e.numTensors,
                numBytes: e.numBytes,
              });
              break;
            case 'summary':
              status({ status: 'running', elapsedMs: Date.now() - started, step: lastStep }, e.values);
              break;
            case 'scalar':
              if (e.name === 'loss' && e.step !== lastStep) {
                lastStep = e.step;
                progress.report({
                  message: `step ${e.step} · loss ${e.value.toPrecision(4)}${rate} — Cancel stops and checkpoints`,
                });
              }
              break;
            case 'runEnded':
              ending = { status: e.status, reason: e.reason };
              status({ status: e.status, reason: e.reason, elapsedMs: Date.now() - started, step: lastStep });
              this.output.appendLine(`run ended: ${e.status}${e.reason ? ` — ${e.reason}` : ''}`);
              break;
            case 'fatal':
              this.output.appendLine(`error: ${e.message}${e.hint ? `\n${e.hint}` : ''}`);
              ending ??= { status: 'crashed', reason: e.message };
              break;
            default:
              break;
          }
        };
        // What native libraries print (Dawn, Vulkan) goes to the log; a run that dies gets it back as output.
        const handle = this.launcher.start(job, onEvent, (text) => this.log.info(`[runner, native] ${text.trimEnd()}`));
        token.onCancellationRequested(() => handle.stop());
        await handle.done;
      },
    );
    this.log.info(`Run ${exerciseId}/${runId}: ${ending?.status ?? 'unknown'}`);
    await this.report(exerciseId, runId, ending, quick);
    return runDir;
  }

  /** The exercise's title for messages (the id only when the course cannot be read). */
  private async exerciseTitle(exerciseId: string): Promise<string> {
    const snap = await this.state.get().catch(() => undefined);
    return (
      (snap?.kind === 'ok' ? snap.course.exercises.find((e) => e.id === exerciseId)?.title : undefined) ?? exerciseId
    );
  }

  private async report(
    exerciseId: string,
    runId: string,
    ending: { status: Exclude<RunStatus, 'running'>; reason: string } | undefined,
    quick: boolean,
  ): Promise<void> {
    const title = await this.exerciseTitle(exerciseId);
    if (ending?.status === 'finished' && !quick) {
      await this.state.progress?.updateExercise(exerciseId, { trained: { runId, at: new Date().toISOString() } });
      this.state.refresh();
    }
    const message = runEndedMessage(title, ending, quick, runDirForDisplay(exerciseId, runId));
    if (message.severity === 'info') {
      void vscode.window.showInformationMessage(`Multimodal Lab: ${message.text}`);
      return;
    }
    if (offerInstallIfNeeded(quick ? `The quick check of “${title}”` : `The “${title}” run`, ending?.reason ?? ''))
      return;
    const show = 'Show Output';
    const choice = await vscode.window.showErrorMessage(`Multimodal Lab: ${message.text}`, show);
    if (choice === show) this.output.show();
  }

  stop(exerciseId: string): void {
    if (this.launcher.stop(exerciseId)) return;
    void this.exerciseTitle(exerciseId).then((title) =>
      vscode.window.showInformationMessage(`Multimodal Lab: no run of “${title}” is in progress.`),
    );
  }

  /** Resumes from one run's last checkpoint (the run panel's Resume button). */
  async resumeRun(exerciseId: string, runId: string): Promise<string | undefined> {
    const root = this.state.workspaceRoot;
    if (!root) throw new Error('Open a folder first.');
    const run = (await listRuns(root, exerciseId)).find((r) => r.runId === runId);
    if (!run?.meta?.latestCheckpoint)
      throw new Error(
        `Run ${runId} saved no checkpoint (lab.checkpoint), so it cannot be resumed. Start a new run with "Train".`,
      );
    return this.train(exerciseId, run.meta.latestCheckpoint);
  }

  /** Resumes from the newest run of the exercise that saved a checkpoint. */
  async resume(exerciseId: string): Promise<string | undefined> {
    const root = this.state.workspaceRoot;
    if (!root) throw new Error('Open a folder first.');
    const withCheckpoint = (await listRuns(root, exerciseId)).find((r) => r.meta?.latestCheckpoint);
    if (!withCheckpoint?.meta?.latestCheckpoint) {
      throw new Error(
        `No run of ${exerciseId} has saved a checkpoint yet (lab.checkpoint). Start a new run with "Train" instead.`,
      );
    }
    return this.train(exerciseId, withCheckpoint.meta.latestCheckpoint);
  }

  dispose(): void {
    this.output.dispose();
    this.updates.dispose();
  }
}
