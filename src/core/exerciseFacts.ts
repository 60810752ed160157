import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import { ExerciseFacts } from './curriculum';

async function isDirectory(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Reads what the disk says about each exercise: whether its template ships and whether the learner has
 * scaffolded it. Test and training evidence arrive with the runner; until then they are false.
 */
export async function gatherExerciseFacts(templatesRoot: string, workspaceRoot: string | undefined, ids: readonly string[]): Promise<Map<string, ExerciseFacts>> {
  const entries = await Promise.all(
    ids.map(async (id): Promise<[string, ExerciseFacts]> => [
      id,
      {
        templateAvailable: await isDirectory(path.join(templatesRoot, id, 'starter')),
        scaffolded: workspaceRoot !== undefined && (await isDirectory(path.join(workspaceRoot, 'exercises', id))),
        testsPassing: false,
        trained: false,
      },
    ]),
  );
  return new Map(entries);
}
