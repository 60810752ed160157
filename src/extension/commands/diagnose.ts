import * as vscode from 'vscode';
import type { BackendEvent, DiagnoseJob } from '../../protocol/runner';
import { LabState } from '../labState';
import { RunnerLauncher } from '../runnerLauncher';
import type { Register } from './index';

/** Diagnose Backends: the runner tries every TensorFlow.js backend and the verdict goes to its own output channel. */
export function registerDiagnoseCommand(
  context: vscode.ExtensionContext,
  register: Register,
  state: LabState,
  launcher: RunnerLauncher,
): void {
  const backendLog = vscode.window.createOutputChannel('Multimodal Lab: Backends');
  context.subscriptions.push(backendLog);
  register('multimodalLab.diagnoseBackends', async () => {
    if (!state.workspaceRoot)
      throw new Error("Open a folder first: backends are loaded from the workspace's node_modules.");
    if (!vscode.workspace.isTrusted)
      throw new Error('Diagnosing backends loads native code from this folder, so it needs a trusted workspace.');
    backendLog.clear();
    backendLog.show(true);
    backendLog.appendLine(`Diagnosing TensorFlow.js backends in ${state.workspaceRoot} …`);
    const job = {
      type: 'job',
      protocol: 1,
      kind: 'diagnose',
      workspaceRoot: state.workspaceRoot,
      backend: launcher.backendPreference(),
    } satisfies DiagnoseJob;
    const handle = launcher.start(job, (e) => {
      if (e.type === 'backend') for (const line of diagnosisLines(e)) backendLog.appendLine(line);
      else if (e.type === 'fatal') backendLog.appendLine(`Error: ${e.message}${e.hint ? `\n${e.hint}` : ''}`);
      else if (e.type === 'output') backendLog.append(e.text);
    });
    await handle.done;
  });
}

/** The diagnosis as lines: details first, the verdict last (the output panel shows its end). */
function diagnosisLines(e: BackendEvent): string[] {
  const lines = [
    `Versions: ${
      Object.entries(e.versions)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ') || 'none found'
    }`,
  ];
  if (e.kernels.length) lines.push(`Kernels installed (${e.kernels.length}): ${e.kernels.join('; ')}`);
  for (const l of e.limitations) lines.push(`Limitation: ${l}`);
  lines.push(`GPUs seen: ${e.gpus?.join(', ') ?? 'not reported'}`, 'Ladder, fastest first:');
  for (const r of e.ladder) {
    const gflops = r.gflops !== undefined ? `${r.gflops.toFixed(2)} GFLOP/s  ` : '';
    const steps = r.trainStepsPerSecond !== undefined ? `${r.trainStepsPerSecond.toFixed(2)} train steps/s  ` : '';
    lines.push(`  ${r.backend.padEnd(15)} ${r.status.padEnd(10)} ${gflops}${steps}${r.reason}`);
  }
  lines.push(`Active: ${e.active}${e.active === 'cpu' ? ' (the last resort: about 500× slower than native)' : ''}`);
  return lines;
}
