import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { describeNpmLine, needsInstall, npmInstallReport } from '../core/npmInstall';
import { LabState } from './labState';

export const INSTALL_COMMAND = 'multimodalLab.installDependencies';
const INSTALL_BUTTON = 'Install Dependencies';
/** Context key: the workspace has a package.json from an exercise but no node_modules/@tensorflow/tfjs. */
export const DEPENDENCIES_MISSING = 'multimodalLab.dependenciesMissing';

/**
 * Runs `npm install` in the workspace with a cancellable progress notification that says what npm is doing, and
 * npm's own log in its output channel; afterwards it says what npm's warnings mean. Native TensorFlow packages are
 * optionalDependencies, so a failed libtensorflow download does not fail the install.
 */
export async function installDependencies(root: string, npmLog: vscode.OutputChannel): Promise<void> {
  if (!vscode.workspace.isTrusted) {
    throw new Error(
      'Installing dependencies runs package scripts, so it needs a trusted workspace. Trust this folder (Manage Workspace Trust) and try again.',
    );
  }
  npmLog.clear();
  npmLog.show(true);
  const args = ['install', '--no-audit', '--no-fund', '--loglevel=info'];
  npmLog.appendLine(`$ npm ${args.join(' ')}   (in ${root})`);
  let output = '';
  const code = await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: 'Multimodal Lab: installing exercise dependencies',
      cancellable: true,
    },
    (progress, token) =>
      new Promise<number | null>((resolve, reject) => {
        progress.report({
          message: 'starting npm install (about a minute the first time; the npm output shows every step)',
        });
        const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
        const child = spawn(npm, args, {
          cwd: root,
          shell: process.platform === 'win32',
          env: { ...process.env, NO_COLOR: '1', npm_config_update_notifier: 'false' },
        });
        let partial = '';
        let downloads = 0;
        const onData = (chunk: Buffer): void => {
          const text = partial + chunk.toString();
          const lines = text.split(/\r?\n/);
          partial = lines.pop() ?? '';
          for (const line of lines) {
            output += `${line}\n`;
            npmLog.appendLine(line);
            const doing = describeNpmLine(line);
            if (doing?.startsWith('downloading') || doing?.startsWith('unpacking')) downloads++;
            if (doing) progress.report({ message: downloads ? `${doing} (${downloads} packages so far)` : doing });
          }
        };
        child.stdout.on('data', onData);
        child.stderr.on('data', onData);
        token.onCancellationRequested(() => child.kill());
        child.on('error', (e) =>
          reject(
            new Error(`Could not run npm in ${root}: ${e.message}. Is Node.js with npm installed and on the PATH?`),
          ),
        );
        child.on('close', (exit, signal) => {
          if (partial) {
            output += partial;
            npmLog.appendLine(partial);
          }
          resolve(signal ? null : exit);
        });
      }),
  );
  const report = npmInstallReport(output, code);
  npmLog.appendLine('');
  npmLog.appendLine(report.headline);
  for (const note of report.notes) npmLog.appendLine(`\n${note}`);
  const show = 'Show npm Log';
  const text = `Multimodal Lab: ${report.headline}${report.notes.length ? ` ${report.notes.join(' ')}` : ''}`;
  if (report.ok) {
    const tests = 'Run Tests';
    const choice = await vscode.window.showInformationMessage(text, tests, show);
    if (choice === tests) await vscode.commands.executeCommand('multimodalLab.runTests');
    else if (choice === show) npmLog.show();
    return;
  }
  if ((await vscode.window.showErrorMessage(text, show)) === show) npmLog.show();
}

/**
 * When `message` (why `what`, an exercise's tests or training run, could not start) comes from packages missing in
 * the workspace, says so with an "Install Dependencies" button and returns true.
 */
export function offerInstallIfNeeded(what: string, message: string): boolean {
  if (!needsInstall(message)) return false;
  // The runner's own advice ("Run the command …") is replaced by the button.
  const first = message
    .split('\n')[0]
    .replace(/\s*Run the command.*$/, '')
    .replace(/\.$/, '');
  void vscode.window
    .showErrorMessage(
      `Multimodal Lab: ${what} could not start: ${first}. Install the workspace's dependencies (npm install), then try again.`,
      INSTALL_BUTTON,
    )
    .then((choice) => (choice === INSTALL_BUTTON ? vscode.commands.executeCommand(INSTALL_COMMAND) : undefined));
  return true;
}

/** The exercise's full title for messages, or its id while the course cannot be read. */
export async function exerciseTitle(state: LabState, exerciseId: string): Promise<string> {
  const snap = await state.get();
  return (snap.kind === 'ok' && snap.course.exercises.find((e) => e.id === exerciseId)?.title) || exerciseId;
}

/** Keeps the `multimodalLab.dependenciesMissing` context key current, for the tree's inline Install button. */
export class DependencyContext implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly state: LabState) {
    const root = state.workspaceRoot;
    if (root) {
      // node_modules itself is not under files.watcherExclude (only its contents are).
      const watcher = vscode.workspace.createFileSystemWatcher(
        new vscode.RelativePattern(root, '{node_modules,package.json}'),
      );
      this.disposables.push(
        watcher,
        watcher.onDidCreate(() => this.update()),
        watcher.onDidDelete(() => this.update()),
      );
    }
    // An install from the terminal, or Reload Curriculum, shows up here.
    this.disposables.push(
      state.onDidChange(() => this.update()),
      vscode.window.onDidChangeWindowState((w) => (w.focused ? this.update() : undefined)),
    );
    this.update();
  }

  /** True when an exercise's package.json is in the workspace but TensorFlow.js is not installed. */
  update(): boolean {
    const root = this.state.workspaceRoot;
    const missing = Boolean(
      root &&
      existsSync(path.join(root, 'package.json')) &&
      !existsSync(path.join(root, 'node_modules', '@tensorflow', 'tfjs', 'package.json')),
    );
    void vscode.commands.executeCommand('setContext', DEPENDENCIES_MISSING, missing);
    return missing;
  }

  dispose(): void {
    this.disposables.forEach((d) => d.dispose());
  }
}
