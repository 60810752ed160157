import * as vscode from 'vscode';
import { RUN_META_GLOB } from '../core/runStore';
import { CurriculumNode, CurriculumTree } from './curriculumTree';
import { registerCommands } from './commands/index';
import { LabState } from './labState';
import { RunnerLauncher } from './runnerLauncher';
import { MilestonePanel } from './milestonePanel';
import { QuizPanels } from './quizPanel';
import { RunPanels } from './runPanels';
import { ExerciseTests } from './testing';
import { Training } from './training';
import { WALKTHROUGH_ID, WalkthroughProgress } from './walkthrough';

/** What `activate` returns; tests read the activation time from it. */
export interface LabApi {
  readonly activationMs: number;
}

export function activate(context: vscode.ExtensionContext): LabApi {
  const started = performance.now();
  const log = vscode.window.createOutputChannel('Multimodal Lab', { log: true });
  const diagnostics = vscode.languages.createDiagnosticCollection('multimodal-lab');
  const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const state = new LabState(context.extensionUri, root, log, diagnostics);
  const tree = new CurriculumTree(state);
  const view = vscode.window.createTreeView<CurriculumNode>('multimodalLab.curriculum', {
    treeDataProvider: tree,
    showCollapseAll: true,
    manageCheckboxStateManually: true,
    canSelectMany: true, // select 2–4 runs to compare
  });
  context.subscriptions.push(log, diagnostics, state, tree, view);

  context.subscriptions.push(
    view.onDidChangeCheckboxState(async (e) => {
      for (const [node, checked] of e.items) {
        if (node.kind !== 'reading') continue;
        try {
          await state.setRead(node.row.reading.id, checked === vscode.TreeItemCheckboxState.Checked);
        } catch (err) {
          void vscode.window.showWarningMessage(`Multimodal Lab: ${(err as Error).message}`);
          state.refresh();
        }
      }
    }),
  );
  // Nothing here spawns a process or reads a file: the runner starts on the first test run or training run.
  const launcher = new RunnerLauncher(vscode.Uri.joinPath(context.extensionUri, 'dist', 'runner.js').fsPath);
  const tests = new ExerciseTests(state, launcher, log);
  // Training streams into the panels through its event; the panels' Stop and Resume buttons run commands.
  const training = new Training(state, launcher, log);
  const panels = new RunPanels(context, root, log);
  context.subscriptions.push(training.onDidUpdate((u) => void panels.update(u)));
  const quizzes = new QuizPanels(context.extensionUri, state, log);
  const milestones = new MilestonePanel(context.extensionUri, state, log, (link) => {
    if (link.kind === 'run') panels.open([{ exerciseId: link.exerciseId, runId: link.runId }]);
    else if (link.kind === 'quiz') void vscode.commands.executeCommand('multimodalLab.openQuiz', link.quizId);
    else void vscode.commands.executeCommand('workbench.view.testing.focus');
  });
  context.subscriptions.push(launcher, tests, training, panels, quizzes, milestones);
  registerCommands(context, state, log, { launcher, tests, training, panels, milestones, quizzes });
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('multimodalLab.courseFile')) state.refresh();
    }),
  );
  watchFiles(context, state, root);
  const walkthrough = new WalkthroughProgress(state, view, log);
  context.subscriptions.push(
    walkthrough,
    panels.onDidOpen(() => walkthrough.sighted('runOpened')),
    milestones.onDidShow(() => walkthrough.sighted('milestonesSeen')),
    vscode.commands.registerCommand('multimodalLab.openWalkthrough', () =>
      vscode.commands.executeCommand('workbench.action.openWalkthrough', WALKTHROUGH_ID, false),
    ),
  );
  if (process.env.MULTIMODAL_LAB_WELCOME === '1') showWelcome(log);

  const activationMs = performance.now() - started;
  log.info(`Activated in ${activationMs.toFixed(2)} ms (course loads when the Curriculum view first asks)`);
  return { activationMs };
}

/** Progress edited outside (git checkout, another window), exercises scaffolded, or the course file edited. */
function watchFiles(context: vscode.ExtensionContext, state: LabState, root: string | undefined): void {
  const watch = (pattern: vscode.GlobPattern, progressToo: boolean): void => {
    const w = vscode.workspace.createFileSystemWatcher(pattern);
    const reload = (): void => state.refresh(progressToo);
    context.subscriptions.push(w, w.onDidChange(reload), w.onDidCreate(reload), w.onDidDelete(reload));
  };
  if (root) {
    watch(new vscode.RelativePattern(root, '.multimodal-lab/progress.json'), true);
    watch(new vscode.RelativePattern(root, 'exercises/*'), false);
    watch(new vscode.RelativePattern(root, RUN_META_GLOB), false);
  }
  if (context.extensionMode === vscode.ExtensionMode.Development) {
    watch(new vscode.RelativePattern(context.extensionUri, 'templates/course.json'), false);
  }
}

/**
 * `npm start` sets MULTIMODAL_LAB_WELCOME=1 so the first screen is the product: the curriculum in the sidebar and
 * the walkthrough of the learner's loop in the editor. (An installed .vsix gets the walkthrough from VS Code.)
 */
function showWelcome(log: vscode.LogOutputChannel): void {
  void Promise.resolve(vscode.commands.executeCommand('multimodalLab.curriculum.focus'))
    .then(() => vscode.commands.executeCommand('workbench.action.openWalkthrough', WALKTHROUGH_ID, false))
    .then(undefined, (e: Error) => log.warn(`Could not open the walkthrough: ${e.message}`));
}

export function deactivate(): void {
  // Everything is owned by context.subscriptions, which VS Code disposes.
}
