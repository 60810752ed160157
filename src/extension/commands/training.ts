import * as vscode from 'vscode';
import { exerciseIdOf } from '../exerciseCommands';
import { LabState } from '../labState';
import { ExerciseTests } from '../testing';
import { Training } from '../training';
import type { Register } from './index';
import { runRefOf } from './runs';

/** Train, Quick Check, Stop and Resume, and Run Tests: what runs an exercise's code in the runner. */
export function registerTrainingCommands(
  register: Register,
  state: LabState,
  training: Training,
  tests: ExerciseTests,
): void {
  const exerciseArg = async (arg: unknown): Promise<string | undefined> =>
    exerciseIdOf(arg) ?? (await pickStartedExercise(state));
  register('multimodalLab.train', async (arg) => {
    const id = await exerciseArg(arg);
    return id ? training.train(id) : undefined;
  });
  register('multimodalLab.trainQuick', async (arg) => {
    const id = await exerciseArg(arg);
    return id ? training.train(id, undefined, true) : undefined;
  });
  register('multimodalLab.stopTraining', async (arg) => {
    const id = await exerciseArg(arg);
    if (id) training.stop(id);
  });
  // With a run (the run panel's Resume button, a run in the tree): from that run's checkpoint; else the newest one.
  register('multimodalLab.resumeTraining', async (arg) => {
    const run = runRefOf(arg);
    if (run) return training.resumeRun(run.exerciseId, run.runId);
    const id = await exerciseArg(arg);
    return id ? training.resume(id) : undefined;
  });
  register('multimodalLab.runTests', async () => {
    await tests.discoverAll();
    await vscode.commands.executeCommand('testing.runAll');
  });
}

async function pickStartedExercise(state: LabState): Promise<string | undefined> {
  const snap = await state.get();
  if (snap.kind === 'error') throw new Error('The course file has errors; run "Multimodal Lab: Show Log" to see them.');
  const started = snap.model.exercises.filter((e) => e.state !== 'unavailable' && e.state !== 'notStarted');
  if (started.length === 0) throw new Error('No exercise has been started yet. Start one from the Curriculum view.');
  if (started.length === 1) return started[0].exercise.id;
  const pick = await vscode.window.showQuickPick(
    started.map((e) => ({ label: `${e.index}. ${e.exercise.title}`, id: e.exercise.id })),
    { placeHolder: 'Choose an exercise' },
  );
  return pick?.id;
}
