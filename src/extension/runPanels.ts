import * as vscode from 'vscode';
import { insightEntry } from '../core/insights';
import { loadRunSnapshot, readImageFrame } from '../core/runSnapshot';
import { insightFileOf } from '../protocol/insightFiles';
import { localLiveness } from '../runner/liveness';
import {
  ExtensionToRunPanel,
  ImageFrame,
  InsightEntries,
  InsightRecords,
  RecordSeqs,
  RunLiveStatus,
  RunRef,
  ScalarPoint,
  TextEntry,
  isRunPanelMessage,
  restorableRuns,
} from '../protocol/panels';
import { runnerSeriesValues, type RunDivergence } from '../protocol/runFiles';
import type { RunnerToExtension } from '../protocol/runner';
import { setPanelPage } from './panelPage';
import type { TrainingUpdate } from './training';

export type { RunRef };

const VIEW_TYPE = 'multimodalLab.run';
const key = (r: RunRef): string => `${r.exerciseId}/${r.runId}`;

interface Pending {
  scalars: Record<string, ScalarPoint[]>;
  images: ImageFrame[];
  text: TextEntry[];
  /** Per insight file, entries of its kind (LiveInsight pairs each entry with its file). */
  insights: Partial<Record<keyof InsightEntries, unknown[]>>;
}

/** A live insight record as the panel receives it (read by the host like an image, see RunPanels.live). */
export interface LiveInsight<F extends keyof InsightEntries = keyof InsightEntries> {
  readonly file: F;
  readonly entry: InsightEntries[F];
}

/** One run panel (1 run) or compare panel (2–4 runs). It owns its disposables and replays stored runs on `ready`. */
class RunPanel implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly pending = new Map<string, Pending>();
  /** Per run id: the last record of each file the replay read; a live record is appended only when it is newer. */
  private readonly seen = new Map<string, RecordSeqs>();
  /** Per run id: what the runner said that the status calls do not carry (planned steps, how it diverged). */
  private readonly extra = new Map<string, { totalSteps?: number; divergence?: RunDivergence }>();
  private ready = false;
  private flushTimer?: NodeJS.Timeout;
  readonly onDidDispose: vscode.Event<void>;

  constructor(
    readonly panel: vscode.WebviewPanel,
    readonly runs: readonly RunRef[],
    extensionUri: vscode.Uri,
    private readonly workspaceRoot: string,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.onDidDispose = panel.onDidDispose;
    setPanelPage(panel, extensionUri, {
      title: panel.title,
      script: ['dist', 'webview', 'run.js'],
      styles: [
        ['dist', 'webview', 'run.css'],
        ['media', 'panels', 'run.css'],
      ],
    });
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m: unknown) => void this.receive(m)),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  private post(message: ExtensionToRunPanel): void {
    void this.panel.webview.postMessage(message);
  }

  private async receive(m: unknown): Promise<void> {
    if (!isRunPanelMessage(m)) {
      this.log.warn(`Run panel sent a message it should not: ${JSON.stringify(m)?.slice(0, 200)}`);
      return;
    }
    const ref = (runId: string): RunRef | undefined => this.runs.find((r) => r.runId === runId);
    switch (m.type) {
      case 'ready':
        await this.replay();
        break;
      // The buttons run the same commands as the tree and the palette.
      case 'stop': {
        const r = ref(m.runId);
        if (r) await vscode.commands.executeCommand('multimodalLab.stopTraining', r.exerciseId);
        break;
      }
      case 'resume': {
        const r = ref(m.runId);
        if (r) await vscode.commands.executeCommand('multimodalLab.resumeTraining', r);
        break;
      }
      case 'error':
        this.log.error(`Run panel: ${m.message}`);
        break;
    }
  }

  /** Sends everything stored; live records that arrive afterwards are appended, never duplicated. */
  private async replay(): Promise<void> {
    this.ready = false;
    this.pending.clear();
    this.seen.clear();
    try {
      const liveness = localLiveness();
      const runs = await Promise.all(
        this.runs.map((r) => loadRunSnapshot(this.workspaceRoot, r.exerciseId, r.runId, liveness)),
      );
      for (const run of runs) if (run.lastSeq) this.seen.set(run.runId, run.lastSeq);
      this.post({ type: 'load', protocol: 1, runs });
      this.ready = true;
    } catch (e) {
      this.post({ type: 'notice', message: `The run could not be read: ${(e as Error).message}` });
    }
  }

  has(ref: RunRef): boolean {
    return this.runs.some((r) => key(r) === key(ref));
  }

  /**
   * Queues a live record; one the replay already read (its `seq` not above the last one read from its file) is dropped.
   * A record without `seq` (a workspace lab older than runtime 5) is appended as it comes.
   */
  live(ref: RunRef, e: RunnerToExtension, image?: ImageFrame, insight?: LiveInsight): void {
    // Kept even before `ready`: the status that follows carries them, and meta.json has them for the replay.
    if (e.type === 'plan') this.extra.set(ref.runId, { ...this.extra.get(ref.runId), totalSteps: e.totalSteps });
    if (e.type === 'runEnded' && e.divergence)
      this.extra.set(ref.runId, { ...this.extra.get(ref.runId), divergence: e.divergence });
    if (!this.ready) return; // the replay on `ready` reads them from disk
    const seen = this.seen.get(ref.runId);
    const fresh = (file: keyof RecordSeqs, seq: number | undefined): boolean =>
      seq === undefined || seq > (seen?.[file] ?? 0);
    const p = this.pending.get(ref.runId) ?? { scalars: {}, images: [], text: [], insights: {} };
    if (e.type === 'scalar' && fresh('scalars', e.seq))
      (p.scalars[e.name] ??= []).push({
        step: e.step,
        value: Number.isFinite(e.value) ? e.value : null,
        time: Date.now(),
      });
    else if (e.type === 'stats' && fresh('scalars', e.seq)) {
      for (const [name, value] of runnerSeriesValues(e))
        (p.scalars[name] ??= []).push({ step: e.step, value, time: Date.now() });
    } else if (e.type === 'image' && image && fresh('images', e.seq)) p.images.push(image);
    else if (e.type === 'text' && fresh('text', e.seq)) p.text.push({ step: e.step, name: e.name, text: e.text });
    else if (insight && fresh(insight.file, 'seq' in e ? e.seq : undefined))
      (p.insights[insight.file] ??= []).push(insight.entry);
    else return;
    this.pending.set(ref.runId, p);
    this.flushTimer ??= setTimeout(() => this.flush(), 200);
  }

  status(ref: RunRef, live: RunLiveStatus, summary?: Record<string, number | string | boolean>): void {
    this.flush();
    const extra = this.extra.get(ref.runId);
    const merged: RunLiveStatus = {
      ...live,
      ...(extra?.totalSteps !== undefined && live.totalSteps === undefined ? { totalSteps: extra.totalSteps } : {}),
      ...(extra?.divergence && live.status === 'nan' && !live.divergence ? { divergence: extra.divergence } : {}),
    };
    if (this.ready) this.post({ type: 'status', runId: ref.runId, live: merged, ...(summary ? { summary } : {}) });
  }

  private flush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    for (const [runId, p] of this.pending) {
      this.post({
        type: 'append',
        runId,
        scalars: p.scalars,
        images: p.images,
        text: p.text,
        insights: p.insights as InsightRecords,
      });
    }
    this.pending.clear();
  }

  dispose(): void {
    clearTimeout(this.flushTimer);
    this.disposables.forEach((d) => d.dispose());
    this.disposables.length = 0;
  }
}

/**
 * Opens, restores and feeds run panels. Panels restore after a reload through a serializer: the runs a panel shows
 * are kept in the extension's workspace state under the panel's title, since webview state belongs to the panel's own
 * UI.
 */
export class RunPanels implements vscode.Disposable {
  private readonly panels = new Set<RunPanel>();
  private readonly opened = new vscode.EventEmitter<readonly RunRef[]>();
  /** Fires whenever a run panel is shown (created or revealed). */
  readonly onDidOpen = this.opened.event;
  private readonly disposables: vscode.Disposable[] = [this.opened];

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly workspaceRoot: string | undefined,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.disposables.push(
      vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, {
        deserializeWebviewPanel: async (panel, state: unknown) => {
          const runs =
            restorableRuns(state) ?? restorableRuns({ runs: this.context.workspaceState.get(`panel:${panel.title}`) });
          if (!runs?.length || !this.workspaceRoot) {
            log.warn(
              `Could not restore the panel "${panel.title}": ${this.workspaceRoot ? 'it did not record which runs it showed' : 'no folder is open'}.`,
            );
            panel.dispose();
            return;
          }
          this.track(new RunPanel(panel, runs, context.extensionUri, this.workspaceRoot, log));
        },
      }),
    );
  }

  /** Shows the panel for exactly these runs, creating it if needed. */
  open(runs: readonly RunRef[], preserveFocus = false): void {
    if (!this.workspaceRoot) throw new Error('Open a folder first: runs live in the workspace.');
    const wanted = runs.map(key).sort().join('|');
    const existing = [...this.panels].find((p) => p.runs.map(key).sort().join('|') === wanted);
    this.opened.fire(runs);
    if (existing) {
      existing.panel.reveal(undefined, preserveFocus);
      return;
    }
    const title =
      runs.length === 1
        ? `Run ${runs[0].exerciseId} · ${runs[0].runId}`
        : `Compare ${runs.length} runs (${[...new Set(runs.map((r) => r.exerciseId))].join(', ')})`;
    const panel = vscode.window.createWebviewPanel(
      VIEW_TYPE,
      title,
      { viewColumn: vscode.ViewColumn.Active, preserveFocus },
      {},
    );
    void this.context.workspaceState.update(`panel:${title}`, runs);
    this.track(new RunPanel(panel, runs, this.context.extensionUri, this.workspaceRoot, this.log));
  }

  private track(p: RunPanel): void {
    this.panels.add(p);
    p.onDidDispose(() => this.panels.delete(p));
  }

  /**
   * Follows training (subscribed to Training.onDidUpdate): a run that starts opens its panel beside the editor, and
   * every event and status reaches each panel showing that run.
   */
  update(u: TrainingUpdate): Promise<void> {
    if (u.kind === 'status') {
      for (const p of this.panels) if (p.has(u.ref)) p.status(u.ref, u.live, u.summary);
      return Promise.resolve();
    }
    if (u.event.type === 'runStarted') this.open([u.ref], true);
    return this.live(u.ref, u.event, u.runDir);
  }

  /**
   * Forwards a live runner event to every panel showing that run. Image bytes, and the media of insight records, are
   * read here, once, as in a replay.
   */
  private async live(ref: RunRef, e: RunnerToExtension, runDir: string): Promise<void> {
    const showing = [...this.panels].filter((p) => p.has(ref));
    if (showing.length === 0) return;
    let image: ImageFrame | undefined;
    if (e.type === 'image') {
      image = await readImageFrame(runDir, e).catch((err: unknown) => {
        this.log.warn(
          `Run ${ref.exerciseId}/${ref.runId}: the image ${e.file} of step ${e.step} could not be read (${(err as Error).message}); reopen the run to retry.`,
        );
        return undefined;
      });
    }
    const file = insightFileOf(e.type);
    let insight: LiveInsight | undefined;
    if (file && 'step' in e) {
      const entry = await insightEntry(runDir, file, e as never).catch((err: unknown) => {
        this.log.warn(
          `Run ${ref.exerciseId}/${ref.runId}: the ${e.type} "${'name' in e ? e.name : ''}" of step ${e.step} could not be read (${(err as Error).message}); reopen the run to retry.`,
        );
        return undefined;
      });
      if (entry) insight = { file, entry };
    }
    for (const p of showing) p.live(ref, e, image, insight);
  }

  dispose(): void {
    for (const p of this.panels) p.panel.dispose();
    this.disposables.forEach((d) => d.dispose());
  }
}
