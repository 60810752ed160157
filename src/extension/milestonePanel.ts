import * as vscode from 'vscode';
import { setPanelPage } from './panelPage';
import { EvidenceLink, MilestoneView, isMilestonePanelMessage } from '../protocol/panels';
import { LabState } from './labState';

/** The milestone panel: each milestone, the evidence that ticked it (with a link) or what is still missing. */
export class MilestonePanel implements vscode.Disposable {
  private panel?: vscode.WebviewPanel;
  private readonly shown = new vscode.EventEmitter<void>();
  /** Fires whenever the panel is shown (created or revealed). */
  readonly onDidShow = this.shown.event;
  private readonly disposables: vscode.Disposable[] = [this.shown];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly state: LabState,
    private readonly log: vscode.LogOutputChannel,
    private readonly openLink: (link: EvidenceLink) => void,
  ) {
    this.disposables.push(state.onDidChange(() => void this.post()));
  }

  show(): void {
    this.shown.fire();
    if (this.panel) {
      this.panel.reveal();
      return;
    }
    const panel = vscode.window.createWebviewPanel('multimodalLab.milestones', 'Milestones', vscode.ViewColumn.Active);
    setPanelPage(panel, this.extensionUri, {
      title: 'Milestones',
      script: ['dist', 'webview', 'milestones.js'],
      styles: [['media', 'panels', 'milestones.css']],
    });
    const subs = [
      panel.webview.onDidReceiveMessage((m: unknown) => {
        if (!isMilestonePanelMessage(m)) {
          this.log.warn(`Milestone panel sent a message it should not: ${JSON.stringify(m)?.slice(0, 200)}`);
          return;
        }
        if (m.type === 'ready') void this.post();
        else this.openLink(m.link);
      }),
      panel.onDidDispose(() => {
        subs.forEach((d) => d.dispose());
        this.panel = undefined;
      }),
    ];
    this.panel = panel;
  }

  private async post(): Promise<void> {
    if (!this.panel) return;
    const snap = await this.state.get();
    if (snap.kind !== 'ok') return;
    const progress = this.state.progress?.progress;
    const items: MilestoneView[] = snap.model.milestones.map((s) => ({
      id: s.milestone.id,
      title: s.milestone.title,
      met: s.met,
      evidence: s.evidence.map((e, i) => {
        const ev = s.milestone.evidence[i];
        const trained = ev.kind === 'runMetric' ? progress?.exercises?.[ev.exercise]?.trained : undefined;
        const link: EvidenceLink | undefined =
          ev.kind === 'testsPass'
            ? { kind: 'tests', exerciseId: ev.exercise }
            : ev.kind === 'runMetric' && trained
              ? { kind: 'run', exerciseId: ev.exercise, runId: trained.runId }
              : ev.kind === 'quiz'
                ? { kind: 'quiz', quizId: ev.quiz }
                : undefined;
        return { label: e.label, met: e.met, ...(link ? { link } : {}) };
      }),
    }));
    void this.panel.webview.postMessage({ type: 'milestones', protocol: 1, items });
  }

  dispose(): void {
    this.panel?.dispose();
    this.disposables.forEach((d) => d.dispose());
  }
}
