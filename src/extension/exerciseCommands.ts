import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Course, Exercise } from '../core/course/types';
import { testsAllPass } from '../core/progress';
import {
  listFiles,
  applyScaffold,
  exerciseTemplateFiles,
  foundationQuestion,
  labModulesFor,
  planScaffold,
  resetExercise,
  unpassedFoundations,
  workspaceTemplateFiles,
  TemplateFile,
} from '../core/scaffold';
import { LabState } from './labState';

/** Exercise id from a command argument: a tree node or an id string. */
export function exerciseIdOf(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg;
  const node = arg as { kind?: string; row?: { exercise?: Exercise } } | undefined;
  return node?.kind === 'exercise' ? node.row?.exercise?.id : undefined;
}

/**
 * An available exercise from a command argument (tree node or id), or chosen with a quick pick when there is none.
 * Throws, with what to do, for an unknown or unavailable exercise.
 */
export async function chooseExercise(state: LabState, arg: unknown): Promise<Exercise | undefined> {
  const snap = await state.get();
  if (snap.kind === 'error') throw new Error('The course file has errors; run "Multimodal Lab: Show Log" to see them.');
  const id = exerciseIdOf(arg);
  const available = snap.model.exercises.filter((e) => e.state !== 'unavailable');
  if (id !== undefined) {
    const row = snap.model.exercises.find((e) => e.exercise.id === id);
    if (!row) throw new Error(`No exercise "${id}" in the course.`);
    if (row.state === 'unavailable')
      throw new Error(`"${row.exercise.title}" is not available in this version of Multimodal Lab yet.`);
    return row.exercise;
  }
  if (available.length === 0) throw new Error('No exercise is available in this version of Multimodal Lab yet.');
  const pick = await vscode.window.showQuickPick(
    available.map((e) => ({ label: `${e.index}. ${e.exercise.title}`, description: e.state, exercise: e.exercise })),
    { placeHolder: 'Choose an exercise' },
  );
  return pick?.exercise;
}

/** Start, reset and the reference solution: thin glue over src/core/scaffold. */
export class ExerciseCommands {
  constructor(
    private readonly state: LabState,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  private get templatesRoot(): string {
    return this.state.templatesRoot;
  }

  private exercise(arg: unknown): Promise<Exercise | undefined> {
    return chooseExercise(this.state, arg);
  }

  private root(): string {
    if (!this.state.workspaceRoot)
      throw new Error('Open a folder first: exercises are written into the workspace, under exercises/<id>/.');
    return this.state.workspaceRoot;
  }

  /**
   * Copies the starter, the tests, and the workspace files with the course's `lab/` modules and this exercise's (a
   * module a later exercise adds arrives when that exercise starts); never overwrites; offers diffs for differences.
   */
  async start(arg: unknown): Promise<void> {
    const chosen = await this.exercise(arg);
    if (!chosen) return;
    const root = this.root();
    const snap = await this.state.get();
    if (snap.kind === 'error')
      throw new Error('The course file has errors; run "Multimodal Lab: Show Log" to see them.');
    const exercise = await this.confirmFoundations(snap.course, chosen);
    if (!exercise) return;
    const labModules = labModulesFor(snap.course, exercise.id);
    const files = [
      ...(await workspaceTemplateFiles(this.templatesRoot, labModules)),
      ...(await exerciseTemplateFiles(this.templatesRoot, exercise.id)),
    ];
    const result = await applyScaffold(root, await planScaffold(root, files));
    this.log.info(
      `Start "${exercise.id}": created ${result.created.length}, identical ${result.identical.length}, left as they are ${result.differs.length}`,
    );
    if (!this.state.progress?.exercise(exercise.id).startedAt)
      await this.state.progress?.updateExercise(exercise.id, { startedAt: new Date().toISOString() });
    this.state.refresh();
    await vscode.commands.executeCommand(
      'markdown.showPreview',
      vscode.Uri.file(path.join(root, 'exercises', exercise.id, 'README.md')),
    );
    if (result.differs.length > 0) void this.offerDiffs(result.differs, root);
    if (result.created.includes('package.json')) {
      const install = 'Install Dependencies';
      const choice = await vscode.window.showInformationMessage(
        `"${exercise.title}" is ready in exercises/${exercise.id}/. Its tests and training need TensorFlow.js in this workspace.`,
        install,
      );
      if (choice === install) await vscode.commands.executeCommand('multimodalLab.installDependencies');
    }
  }

  /**
   * The exercise to start: `exercise` itself, or one it is built on that the learner chose to do first; undefined
   * when the learner cancelled. Asks only while some exercise it is built on has tests that do not all pass.
   */
  private async confirmFoundations(course: Course, exercise: Exercise): Promise<Exercise | undefined> {
    const unpassed = unpassedFoundations(course, exercise.id, (id) => testsAllPass(this.state.progress?.exercise(id)));
    if (unpassed.length === 0) return exercise;
    const q = foundationQuestion(exercise, unpassed);
    const choice = await vscode.window.showWarningMessage(
      q.message,
      { modal: true, detail: q.detail },
      ...q.startFirst.map((s) => s.label),
      q.startAnyway,
    );
    if (choice === q.startAnyway) return exercise;
    const first = q.startFirst.find((s) => s.label === choice)?.exercise;
    // The earlier exercise may itself be built on others; ask again for it.
    return first ? this.confirmFoundations(course, first) : undefined;
  }

  private async offerDiffs(differs: readonly TemplateFile[], root: string): Promise<void> {
    const show = 'Show Differences';
    const names = differs.map((f) => f.dest);
    const choice = await vscode.window.showWarningMessage(
      `${names.length} of your files differ from the exercise template and were left exactly as they are: ${names.join(', ')}.`,
      show,
    );
    if (choice !== show) return;
    for (const f of differs) {
      await vscode.commands.executeCommand(
        'vscode.diff',
        vscode.Uri.file(f.source),
        vscode.Uri.file(path.join(root, f.dest)),
        `${f.dest}: template ↔ yours`,
        { preview: false },
      );
    }
  }

  /** Backs up, then restores the starter. Asks first. */
  async reset(arg: unknown): Promise<void> {
    const exercise = await this.exercise(arg);
    if (!exercise) return;
    const root = this.root();
    const ok = 'Back Up and Reset';
    const choice = await vscode.window.showWarningMessage(
      `Reset "${exercise.title}" to its starter code? Your current files are first copied to .multimodal-lab/backups/${exercise.id}/; files you added are kept.`,
      { modal: true },
      ok,
    );
    if (choice !== ok) return;
    const result = await resetExercise(
      root,
      exercise.id,
      await exerciseTemplateFiles(this.templatesRoot, exercise.id),
      new Date(),
    );
    this.log.info(
      `Reset "${exercise.id}": backup ${result.backupDir ?? '(nothing to back up)'}, restored ${result.restored.length}, locked ${result.locked.length}`,
    );
    this.state.refresh();
    const reveal = 'Reveal Backup';
    const locked = result.locked.length ? ` Left alone because they are read-only: ${result.locked.join(', ')}.` : '';
    const msg = result.backupDir
      ? `Reset "${exercise.title}". Your previous files are in ${path.relative(root, result.backupDir)}.${locked}`
      : `Restored the starter of "${exercise.title}".${locked}`;
    if (
      (await vscode.window.showInformationMessage(msg, ...(result.backupDir ? [reveal] : []))) === reveal &&
      result.backupDir
    ) {
      await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(result.backupDir));
    }
  }

  /** Diffs the learner's files against the reference solution; asks first while the tests are not all passing. */
  async compareSolution(arg: unknown): Promise<void> {
    const exercise = await this.exercise(arg);
    if (!exercise) return;
    const root = this.root();
    if (!testsAllPass(this.state.progress?.exercise(exercise.id))) {
      const peek = 'Show the Solution';
      const choice = await vscode.window.showWarningMessage(
        `Your tests for "${exercise.title}" are not all passing yet. The solution is most useful after you have made your own attempt. Show it anyway?`,
        { modal: true },
        peek,
      );
      if (choice !== peek) return;
    }
    const solutionDir = path.join(this.templatesRoot, exercise.id, 'solution');
    const all = (await listFiles(solutionDir)).map((rel) => ({
      rel,
      solution: path.join(solutionDir, rel),
      mine: path.join(root, 'exercises', exercise.id, rel),
    }));
    const pairs = all.filter((p) => fs.existsSync(p.mine));
    if (pairs.length === 0)
      throw new Error(
        `None of the solution's files (${all.map((p) => p.rel).join(', ')}) exist in exercises/${exercise.id}/. Start the exercise first, or use "Reset Exercise".`,
      );
    const pick =
      pairs.length === 1
        ? pairs
        : await vscode.window
            .showQuickPick(
              pairs.map((p) => ({ label: p.rel, pair: p })),
              { canPickMany: true, placeHolder: 'Files to compare with the reference solution' },
            )
            .then((x) => x?.map((i) => i.pair) ?? []);
    for (const p of pick) {
      await vscode.commands.executeCommand(
        'vscode.diff',
        vscode.Uri.file(p.mine),
        vscode.Uri.file(p.solution),
        `${p.rel}: yours ↔ reference solution`,
        { preview: false },
      );
    }
  }
}
