import { Course, Evidence, Milestone } from './course/types';

/** What the extension currently knows; later issues fill these from test results, runs and quizzes. */
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
