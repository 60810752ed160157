import { spawn } from 'node:child_process';
import * as vscode from 'vscode';

/**
 * Runs `npm install` in the workspace with a cancellable progress notification, streaming npm's output to its own
 * channel. Native TensorFlow packages are optionalDependencies, so a failed libtensorflow download does not fail the
 * install; the runner then says which backend it fell back to and why.
 */
export async function installDependencies(root: string, npmLog: vscode.OutputChannel): Promise<void> {
  if (!vscode.workspace.isTrusted) {
    throw new Error('Installing dependencies runs package scripts, so it needs a trusted workspace. Trust this folder (Manage Workspace Trust) and try again.');
  }
  npmLog.clear();
  npmLog.show(true);
  npmLog.appendLine(`$ npm install   (in ${root})`);
  const code = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Multimodal Lab: installing exercise dependencies (npm install)', cancellable: true },
    (progress, token) =>
      new Promise<number | null>((resolve, reject) => {
        const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
        const child = spawn(npm, ['install', '--no-audit', '--no-fund'], { cwd: root, shell: process.platform === 'win32', env: process.env });
        const onData = (chunk: Buffer): void => {
          const text = chunk.toString();
          npmLog.append(text);
          const last = text.trim().split('\n').pop();
          if (last) progress.report({ message: last.slice(0, 80) });
        };
        child.stdout.on('data', onData);
        child.stderr.on('data', onData);
        token.onCancellationRequested(() => child.kill());
        child.on('error', (e) => reject(new Error(`Could not run npm: ${e.message}. Is Node.js with npm installed and on the PATH?`)));
        child.on('close', resolve);
      }),
  );
  if (code === 0) {
    void vscode.window.showInformationMessage('Multimodal Lab: dependencies installed. Run the exercise tests from the Testing view.');
    return;
  }
  const show = 'Show npm Log';
  const choice = await vscode.window.showErrorMessage(`Multimodal Lab: npm install failed (exit ${code ?? 'cancelled'}). The full log is in the "Multimodal Lab: npm" output.`, show);
  if (choice === show) npmLog.show();
}
