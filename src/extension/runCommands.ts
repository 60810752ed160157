import * as vscode from 'vscode';
import { deleteRun, listRuns, renameRun } from '../core/runs';
import { runDir } from '../core/runSnapshot';
import { LabState } from './labState';
import { RunPanels, RunRef } from './runPanels';

/** A run from a command argument: a tree node (`{ kind: 'run', exerciseId, run }`) or a plain `{ exerciseId, runId }`. */
export function runRefOf(arg: unknown): RunRef | undefined {
  const a = arg as { kind?: string; exerciseId?: unknown; runId?: unknown; run?: { runId?: unknown } } | undefined;
  if (!a || typeof a.exerciseId !== 'string') return undefined;
  const runId = a.kind === 'run' ? a.run?.runId : a.runId;
  return typeof runId === 'string' ? { exerciseId: a.exerciseId, runId } : undefined;
}

/** Open, compare, rename, delete and reveal runs: the tree's run actions. */
export function runCommandHandlers(state: LabState, panels: RunPanels): Record<string, (...args: unknown[]) => Promise<unknown>> {
  const root = (): string => {
    if (!state.workspaceRoot) throw new Error('Open a folder first: runs live in the workspace.');
    return state.workspaceRoot;
  };
  const need = (arg: unknown): RunRef => {
    const ref = runRefOf(arg);
    if (!ref) throw new Error('Choose a run in the Curriculum tree (expand a started exercise to see its runs).');
    return ref;
  };
  return {
    'multimodalLab.openRun': async (arg) => panels.open([need(arg)]),
    'multimodalLab.compareRuns': async (arg, selected) => {
      let refs = (Array.isArray(selected) ? selected : [arg]).map(runRefOf).filter((r): r is RunRef => r !== undefined);
      if (refs.length < 2) {
        const first = need(arg);
        const snap = await state.get();
        const exercises = snap.kind === 'ok' ? snap.course.exercises.map((e) => e.id) : [first.exerciseId];
        const candidates = (await Promise.all(exercises.map(async (id) => (await listRuns(root(), id)).map((r) => ({ exerciseId: id, listing: r })))))
          .flat().filter((c) => !(c.exerciseId === first.exerciseId && c.listing.runId === first.runId));
        const picked = await vscode.window.showQuickPick(
          candidates.map((c) => ({ label: c.listing.meta?.name ?? c.listing.runId, description: `${c.exerciseId} · ${c.listing.meta?.status ?? ''} · ${c.listing.meta?.backend ?? ''}`, ref: { exerciseId: c.exerciseId, runId: c.listing.runId } })),
          { canPickMany: true, placeHolder: 'Compare with which runs? (1–3; same or related exercises, e.g. DDPM with and without guidance)' },
        );
        if (!picked?.length) return;
        refs = [first, ...picked.map((p) => p.ref)];
      }
      if (refs.length > 4) throw new Error(`Compare shows 2–4 runs; ${refs.length} are selected.`);
      panels.open(refs);
    },
    'multimodalLab.renameRun': async (arg) => {
      const ref = need(arg);
      const name = await vscode.window.showInputBox({ prompt: `New name for run ${ref.runId}`, validateInput: (v) => (v.trim() ? undefined : 'A name cannot be empty') });
      if (name === undefined) return;
      await renameRun(runDir(root(), ref.exerciseId, ref.runId), name);
      state.refresh();
    },
    'multimodalLab.deleteRun': async (arg) => {
      const ref = need(arg);
      const ok = 'Delete Run';
      const choice = await vscode.window.showWarningMessage(`Delete run ${ref.runId} of ${ref.exerciseId}, with its curves, images and checkpoints? This cannot be undone.`, { modal: true }, ok);
      if (choice !== ok) return;
      await deleteRun(root(), runDir(root(), ref.exerciseId, ref.runId));
      state.refresh();
    },
    'multimodalLab.revealRun': async (arg) => {
      const ref = need(arg);
      await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(runDir(root(), ref.exerciseId, ref.runId)));
    },
  };
}
