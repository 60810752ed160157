import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import { ExerciseFacts } from './curriculum';
import { Progress, testsAllPass } from './progress';

async function isDirectory(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * What is known about each exercise: from disk, whether its template ships and whether the learner has scaffolded
 * it; from progress, whether its last full test run passed and whether a training run finished.
 */
export async function gatherExerciseFacts(
  templatesRoot: string,
  workspaceRoot: string | undefined,
  ids: readonly string[],
  progress: Progress,
): Promise<Map<string, ExerciseFacts>> {
  const entries = await Promise.all(
    ids.map(async (id): Promise<[string, ExerciseFacts]> => [
      id,
      {
        templateAvailable: await isDirectory(path.join(templatesRoot, id, 'starter')),
        scaffolded: workspaceRoot !== undefined && (await isDirectory(path.join(workspaceRoot, 'exercises', id))),
        testsPassing: testsAllPass(progress.exercises?.[id]),
        trained: Boolean(progress.exercises?.[id]?.trained),
      },
    ]),
  );
  return new Map(entries);
}
