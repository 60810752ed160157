import * as vscode from 'vscode';
import { isQuickRun, runStatusPhrase } from '../../core/runLabels';
import { deleteRun, listRuns, renameRun } from '../../core/runs';
import { runDir } from '../../core/runStore';
import { localLiveness } from '../../runner/liveness';
import { LabState } from '../labState';
import { RunPanels, RunRef } from '../runPanels';

/**
 * A run from a command argument: a tree node (`{ kind: 'run', exerciseId, run }`) or a plain `{ exerciseId, runId }`.
 */
export function runRefOf(arg: unknown): RunRef | undefined {
  const a = arg as { kind?: string; exerciseId?: unknown; runId?: unknown; run?: { runId?: unknown } } | undefined;
  if (!a || typeof a.exerciseId !== 'string') return undefined;
  const runId = a.kind === 'run' ? a.run?.runId : a.runId;
  return typeof runId === 'string' ? { exerciseId: a.exerciseId, runId } : undefined;
}

/** Open, compare, rename, delete and reveal runs: the tree's run actions. */
export function runCommandHandlers(
  state: LabState,
  panels: RunPanels,
): Record<string, (...args: unknown[]) => Promise<unknown>> {
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
    // From the palette or the walkthrough there is no run in the argument: offer every run, the newest first.
    'multimodalLab.openRun': async (arg) => {
      const ref =
        runRefOf(arg) ??
        (await pickRuns(state, root(), { canPickMany: false, placeHolder: 'Open which run? (newest first)' }).then(
          (p) => p?.[0],
        ));
      if (ref) panels.open([ref]);
    },
    'multimodalLab.compareRuns': async (arg, selected) => {
      let refs = (Array.isArray(selected) ? selected : [arg]).map(runRefOf).filter((r): r is RunRef => r !== undefined);
      if (refs.length < 2) {
        const first = need(arg);
        const picked = await pickRuns(
          state,
          root(),
          {
            canPickMany: true,
            exclude: first,
            placeHolder:
              'Compare with which runs? (1–3; same or related exercises, e.g. DDPM with and without guidance)',
          },
          first.exerciseId,
        );
        if (!picked?.length) return;
        refs = [first, ...picked];
      }
      if (refs.length > 4) throw new Error(`Compare shows 2–4 runs; ${refs.length} are selected.`);
      panels.open(refs);
    },
    'multimodalLab.renameRun': async (arg) => {
      const ref = need(arg);
      const name = await vscode.window.showInputBox({
        prompt: `New name for run ${ref.runId}`,
        validateInput: (v) => (v.trim() ? undefined : 'A name cannot be empty'),
      });
      if (name === undefined) return;
      await renameRun(runDir(root(), ref.exerciseId, ref.runId), name);
      state.refresh();
    },
    'multimodalLab.deleteRun': async (arg) => {
      const ref = need(arg);
      const ok = 'Delete Run';
      const snap = await state.get();
      const title =
        (snap.kind === 'ok' ? snap.course.exercises.find((e) => e.id === ref.exerciseId)?.title : undefined) ??
        ref.exerciseId;
      const choice = await vscode.window.showWarningMessage(
        `Delete run ${ref.runId} of “${title}”, with its curves, images and checkpoints? This cannot be undone.`,
        { modal: true },
        ok,
      );
      if (choice !== ok) return;
      await deleteRun(root(), runDir(root(), ref.exerciseId, ref.runId));
      state.refresh();
    },
    'multimodalLab.revealRun': async (arg) => {
      const ref = need(arg);
      await vscode.commands.executeCommand(
        'revealFileInOS',
        vscode.Uri.file(runDir(root(), ref.exerciseId, ref.runId)),
      );
    },
  };
}

/**
 * A quick pick over the workspace's runs, newest first, each described by its exercise, quick-check label, status and
 * backend. `exclude` leaves one run out (the one being compared against).
 */
async function pickRuns(
  state: LabState,
  root: string,
  options: { canPickMany: boolean; placeHolder: string; exclude?: RunRef },
  fallbackExercise?: string,
): Promise<RunRef[] | undefined> {
  const snap = await state.get();
  const exercises =
    snap.kind === 'ok' ? snap.course.exercises.map((e) => e.id) : fallbackExercise ? [fallbackExercise] : [];
  const title = (id: string): string =>
    (snap.kind === 'ok' ? snap.course.exercises.find((e) => e.id === id)?.title : undefined) ?? id;
  const liveness = localLiveness();
  const candidates = (
    await Promise.all(
      exercises.map(async (id) => (await listRuns(root, id, liveness)).map((r) => ({ exerciseId: id, listing: r }))),
    )
  )
    .flat()
    .filter((c) => !(c.exerciseId === options.exclude?.exerciseId && c.listing.runId === options.exclude?.runId))
    .sort((a, b) => (b.listing.meta?.startedAt ?? '').localeCompare(a.listing.meta?.startedAt ?? ''));
  if (candidates.length === 0) {
    void vscode.window.showInformationMessage(
      'Multimodal Lab: there are no runs yet. Train an exercise (Train: Quick Check takes a minute or two) and its run appears here.',
    );
    return undefined;
  }
  const items = candidates.map((c) => ({
    label: c.listing.meta?.name ?? c.listing.runId,
    description: [
      title(c.exerciseId),
      isQuickRun(c.listing.meta) ? 'quick check' : undefined,
      runStatusPhrase(c.listing.meta),
      c.listing.meta?.backend,
    ]
      .filter(Boolean)
      .join(' · '),
    ref: { exerciseId: c.exerciseId, runId: c.listing.runId },
  }));
  if (options.canPickMany) {
    const picked = await vscode.window.showQuickPick(items, { canPickMany: true, placeHolder: options.placeHolder });
    return picked?.map((p) => p.ref);
  }
  const one = await vscode.window.showQuickPick(items, { placeHolder: options.placeHolder });
  return one ? [one.ref] : undefined;
}
