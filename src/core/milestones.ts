import { readFile } from 'node:fs/promises';
import { Course, Evidence, Milestone } from './course/types';
import { Progress, testsAllPass } from './progress';
import { isRunSegment, runDir, runFile } from './runStore';

/**
 * The evidence milestones are checked against: exercises whose tests all pass, concept checks passed, finished runs'
 * summaries.
 */
export interface EvidenceSnapshot {
  readonly testsPassing: ReadonlySet<string>;
  readonly quizzesPassed: ReadonlySet<string>;
  /** Latest summary metric of a finished run of `exercise`, if any. */
  runMetric(exercise: string, metric: string): number | undefined;
}

export const NO_EVIDENCE: EvidenceSnapshot = {
  testsPassing: new Set(),
  quizzesPassed: new Set(),
  runMetric: () => undefined,
};

export interface EvidenceStatus {
  readonly label: string;
  readonly met: boolean;
}

export interface MilestoneStatus {
  readonly milestone: Milestone;
  readonly met: boolean;
  readonly evidence: readonly EvidenceStatus[];
}

/** A milestone ticks when every piece of its evidence holds. */
export function evaluateMilestone(course: Course, m: Milestone, snapshot: EvidenceSnapshot): MilestoneStatus {
  const evidence = m.evidence.map((e) => ({ label: evidenceLabel(course, e), met: evidenceMet(e, snapshot) }));
  return { milestone: m, met: evidence.every((e) => e.met), evidence };
}

function evidenceMet(e: Evidence, s: EvidenceSnapshot): boolean {
  switch (e.kind) {
    case 'testsPass':
      return s.testsPassing.has(e.exercise);
    case 'quiz':
      return s.quizzesPassed.has(e.quiz);
    case 'runMetric': {
      const v = s.runMetric(e.exercise, e.metric);
      return v !== undefined && (e.op === '>=' ? v >= e.value : v <= e.value);
    }
  }
}

export function evidenceLabel(course: Course, e: Evidence): string {
  if (e.kind === 'testsPass') {
    const title = course.exercises.find((x) => x.id === e.exercise)?.title ?? e.exercise;
    return `all tests of "${title}" pass`;
  }
  return e.label;
}

/**
 * Evidence from the workspace: exercises whose last full test run passed, and the summary of each exercise's last
 * finished training run, and the concept checks (quizzes) passed.
 */
export async function gatherEvidence(workspaceRoot: string, progress: Progress): Promise<EvidenceSnapshot> {
  const exercises = Object.entries(progress.exercises ?? {});
  const testsPassing = new Set(exercises.filter(([, p]) => testsAllPass(p)).map(([id]) => id));
  const summaries = new Map<string, Record<string, unknown>>();
  await Promise.all(
    // progress.json is a file the learner can edit: an id that is not a run folder's is no evidence.
    exercises
      .filter(([id, p]) => p.trained && isRunSegment(id) && isRunSegment(p.trained.runId))
      .map(async ([id, p]) => {
        const file = runFile(runDir(workspaceRoot, id, p.trained!.runId), 'summary');
        const summary = await readFile(file, 'utf8').then(
          (t) => JSON.parse(t) as unknown,
          () => undefined,
        );
        if (typeof summary === 'object' && summary !== null) summaries.set(id, summary as Record<string, unknown>);
      }),
  );
  return {
    testsPassing,
    quizzesPassed: new Set(
      Object.entries(progress.quizzes ?? {})
        .filter(([, q]) => typeof q?.passedAt === 'string')
        .map(([id]) => id),
    ),
    runMetric: (exercise, metric) => {
      const v = summaries.get(exercise)?.[metric];
      return typeof v === 'number' ? v : undefined;
    },
  };
}
