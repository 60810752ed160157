import { readFile, readdir, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { Progress } from './progress';
import { exerciseRunsDir, runDir, runFile, runsRoot } from './runStore';

/**
 * The learner's loop as the walkthrough walks it. Each step that leaves evidence on disk completes through a
 * context key (`onContext:multimodalLab.walkthrough.<step>` in package.json), so it ticks however the learner did
 * it: from the tree, the Testing view, the palette or a terminal. Reading a hint completes on its command too; opening
 * a run and looking at the milestones leave no evidence and complete on WALKTHROUGH_SIGHTINGS.
 */
export const WALKTHROUGH_STEPS = [
  'exerciseStarted',
  'dependenciesInstalled',
  'testsRun',
  'hintRead',
  'quickCheckTrained',
] as const;
export type WalkthroughStep = (typeof WALKTHROUGH_STEPS)[number];
export type WalkthroughFacts = Readonly<Record<WalkthroughStep, boolean>>;

/**
 * Steps that leave no evidence on disk but a panel the learner saw: the extension sets their context key when the
 * panel opens, whatever opened it (a tree row, whose command VS Code runs under an internal id that `onCommand`
 * never sees; a notification; a milestone link; the palette).
 */
export const WALKTHROUGH_SIGHTINGS = ['runOpened', 'milestonesSeen'] as const;
export type WalkthroughSighting = (typeof WALKTHROUGH_SIGHTINGS)[number];

/** The context key a step completes on. */
export function walkthroughContextKey(step: WalkthroughStep | WalkthroughSighting): string {
  return `multimodalLab.walkthrough.${step}`;
}

/** What a run's meta.json says about it, as far as the walkthrough cares. */
export interface RunSighting {
  readonly config?: unknown;
  readonly status?: unknown;
}

/** A hint was revealed: the count is a number (one sequence per exercise) or a number per TODO. */
function anyHintRevealed(revealed: unknown): boolean {
  if (typeof revealed === 'number') return revealed > 0;
  if (revealed && typeof revealed === 'object')
    return Object.values(revealed).some((n) => typeof n === 'number' && n > 0);
  return false;
}

/**
 * Which steps are done, from progress, the exercises folder, the workspace's dependencies and the runs on disk.
 * A quick check counts once a `smoke` run has ended (finished or not: the learner has seen a run through).
 */
export function walkthroughFacts(input: {
  readonly progress: Progress;
  readonly scaffolded: readonly string[];
  readonly dependenciesInstalled: boolean;
  readonly runs: readonly RunSighting[];
}): WalkthroughFacts {
  const exercises = Object.values(input.progress.exercises ?? {});
  return {
    exerciseStarted: input.scaffolded.length > 0 || exercises.some((e) => Boolean(e.startedAt)),
    dependenciesInstalled: input.dependenciesInstalled,
    testsRun: exercises.some((e) => e.tests !== undefined),
    hintRead: exercises.some((e) => anyHintRevealed((e as { hintsRevealed?: unknown }).hintsRevealed)),
    quickCheckTrained: input.runs.some(
      (r) => r.config === 'smoke' && typeof r.status === 'string' && r.status !== 'running',
    ),
  };
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

async function subfolders(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isDirectory()).map((e) => e.name);
}

/** Gathers the walkthrough's evidence from a workspace. Missing or unreadable files count as "not yet". */
export async function gatherWalkthroughFacts(workspaceRoot: string, progress: Progress): Promise<WalkthroughFacts> {
  const runDirs = (
    await Promise.all(
      (await subfolders(runsRoot(workspaceRoot))).map(async (ex) =>
        (await subfolders(exerciseRunsDir(workspaceRoot, ex))).map((r) => runDir(workspaceRoot, ex, r)),
      ),
    )
  ).flat();
  const runs = await Promise.all(
    runDirs.map(async (dir): Promise<RunSighting> => {
      try {
        return JSON.parse(await readFile(runFile(dir, 'meta'), 'utf8')) as RunSighting;
      } catch {
        return {}; // missing or half-written: the run's own readers report it; here it just does not count yet
      }
    }),
  );
  return walkthroughFacts({
    progress,
    scaffolded: await subfolders(path.join(workspaceRoot, 'exercises')),
    // The pinned tfjs is what every exercise imports; its package.json is the last thing npm writes for it.
    dependenciesInstalled: await exists(
      path.join(workspaceRoot, 'node_modules', '@tensorflow', 'tfjs-core', 'package.json'),
    ),
    runs,
  });
}
