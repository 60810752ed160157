import * as vscode from 'vscode';
import { ExerciseCommands } from '../exerciseCommands';
import { HINT_SCHEME, HintCommands } from '../hintCommands';
import { DependencyContext, INSTALL_COMMAND, installDependencies } from '../installDependencies';
import { LabState } from '../labState';
import type { Register } from './index';

/** An exercise's files: Start, Reset, hints, the reference solution, its README and the workspace's npm install. */
export function registerExerciseCommands(
  context: vscode.ExtensionContext,
  register: Register,
  state: LabState,
  log: vscode.LogOutputChannel,
): void {
  const exercises = new ExerciseCommands(state, log);
  const hints = new HintCommands(state);
  const npmLog = vscode.window.createOutputChannel('Multimodal Lab: npm');
  const dependencies = new DependencyContext(state);
  context.subscriptions.push(
    hints,
    npmLog,
    dependencies,
    vscode.workspace.registerTextDocumentContentProvider(HINT_SCHEME, hints),
  );

  register('multimodalLab.startExercise', (arg) => exercises.start(arg));
  register('multimodalLab.resetExercise', (arg) => exercises.reset(arg));
  register('multimodalLab.showHint', (arg) => hints.nextHint(arg));
  register('multimodalLab.pickHint', (arg) => hints.pickHint(arg));
  register('multimodalLab.compareSolution', (arg) => exercises.compareSolution(arg));
  register(INSTALL_COMMAND, async () => {
    if (!state.workspaceRoot) throw new Error('Open a folder first: dependencies are installed into the workspace.');
    try {
      await installDependencies(state.workspaceRoot, npmLog);
    } finally {
      dependencies.update();
    }
  });
  register('multimodalLab.openExerciseReadme', async (arg) => {
    if (!state.workspaceRoot || typeof arg !== 'string') return;
    await vscode.commands.executeCommand(
      'markdown.showPreview',
      vscode.Uri.joinPath(vscode.Uri.file(state.workspaceRoot), 'exercises', arg, 'README.md'),
    );
  });
}
