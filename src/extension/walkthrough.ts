import * as vscode from 'vscode';
import { emptyProgress } from '../core/progress';
import { RUN_META_GLOB } from '../core/runStore';
import {
  WALKTHROUGH_STEPS,
  WalkthroughFacts,
  WalkthroughSighting,
  gatherWalkthroughFacts,
  walkthroughContextKey,
} from '../core/walkthrough';
import { LabState } from './labState';

/** Set from `workspace.isTrusted`: VS Code's own `isWorkspaceTrusted` key is not set when trust is turned off. */
export const TRUSTED_CONTEXT_KEY = 'multimodalLab.walkthrough.trusted';

/** The walkthrough's id as `workbench.action.openWalkthrough` wants it: `<publisher>.<name>#<walkthrough id>`. */
export const WALKTHROUGH_ID = 'multimodal-lab.multimodal-lab#multimodalLab.welcome';

/**
 * Keeps the walkthrough's `multimodalLab.walkthrough.*` context keys in step with the workspace, so each step
 * ticks when its evidence appears, however the learner produced it. Nothing is read during activation: the first
 * check runs when the Curriculum view is first shown, later ones on every change the lab notices (a command that
 * starts, tests or trains an exercise refreshes it) and when node_modules or a run's meta.json changes.
 */
export class WalkthroughProgress implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private last?: WalkthroughFacts;
  private pending?: Promise<void>;
  private again = false;

  constructor(
    private readonly state: LabState,
    view: vscode.TreeView<unknown>,
    private readonly log: vscode.LogOutputChannel,
  ) {
    const root = state.workspaceRoot;
    void vscode.commands.executeCommand('setContext', TRUSTED_CONTEXT_KEY, vscode.workspace.isTrusted);
    this.disposables.push(
      vscode.workspace.onDidGrantWorkspaceTrust(
        () => void vscode.commands.executeCommand('setContext', TRUSTED_CONTEXT_KEY, true),
      ),
      state.onDidChange(() => this.update()),
    );
    if (root) {
      for (const glob of ['node_modules/@tensorflow/tfjs-core/package.json', RUN_META_GLOB]) {
        const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(root, glob));
        this.disposables.push(
          w,
          w.onDidCreate(() => this.update()),
          w.onDidChange(() => this.update()),
          w.onDidDelete(() => this.update()),
        );
      }
    }
    if (view.visible) this.update();
    else {
      const shown = view.onDidChangeVisibility((e) => {
        if (!e.visible) return;
        shown.dispose();
        this.update();
      });
      this.disposables.push(shown);
    }
  }

  /** A panel the learner saw (a run, the milestones): its step ticks. */
  sighted(step: WalkthroughSighting): void {
    void vscode.commands.executeCommand('setContext', walkthroughContextKey(step), true);
  }

  /** Re-checks the evidence; calls that arrive while a check runs fold into one more check. */
  update(): void {
    if (this.pending) {
      this.again = true;
      return;
    }
    this.pending = this.check()
      .catch((e: Error) => this.log.warn(`Walkthrough progress: ${e.message}`))
      .finally(() => {
        this.pending = undefined;
        if (this.again) {
          this.again = false;
          this.update();
        }
      });
  }

  private async check(): Promise<void> {
    const root = this.state.workspaceRoot;
    if (!root) return;
    await this.state.get(); // progress is loaded with the course
    const facts = await gatherWalkthroughFacts(root, this.state.progress?.progress ?? emptyProgress());
    for (const step of WALKTHROUGH_STEPS) {
      if (this.last?.[step] === facts[step]) continue;
      await vscode.commands.executeCommand('setContext', walkthroughContextKey(step), facts[step]);
    }
    this.last = facts;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
