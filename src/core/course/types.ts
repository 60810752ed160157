/**
 * The curriculum as typed data. `templates/course.json` is validated into these types by `validateCourse`;
 * `schemas/course.schema.json` describes the same shape for editor completion (a unit test keeps them in step).
 */

export const COURSE_SCHEMA_VERSION = 1;

/** The longest exercise label the Curriculum sidebar shows uncut at its default width, next to the exercise's state. */
export const SHORT_TITLE_MAX = 17;

export type ReadingKind = 'paper' | 'blog' | 'code';

export interface Reading {
  /** Stable id, lower-kebab-case; used for progress and notes files (`notes/<id>.md`). */
  readonly id: string;
  readonly title: string;
  readonly authors: string;
  readonly year: number;
  readonly kind: ReadingKind;
  /** Estimated hours for a careful read. */
  readonly hours: number;
  /** Canonical link: an arXiv abs page or the project URL. */
  readonly url: string;
  /** One line: why this is on the path. */
  readonly why: string;
  /** 3–5 guiding questions; they seed the notes file. */
  readonly questions: readonly string[];
}

export interface Exercise {
  /** Stable id; also the folder name `templates/<id>/` and `exercises/<id>/`. */
  readonly id: string;
  /** The full title: the tooltip, the README, quick picks. */
  readonly title: string;
  /** The tree's label when `title` is longer than the sidebar shows (at most `SHORT_TITLE_MAX` characters). */
  readonly shortTitle?: string;
  /** One paragraph. */
  readonly goal: string;
  /** Ids of readings this exercise builds on. */
  readonly readings: readonly string[];
  /**
   * The `lab/` modules this exercise needs beyond the course's own `lab` list, as paths relative to `lab/` (a file
   * such as `vision.ts` or a folder such as `weights/shapes-clip`). Start copies these and no other exercise's.
   */
  readonly lab?: readonly string[];
  /**
   * Ids of other exercises whose answers this exercise's provided code (its starter and its `lab` modules) contains,
   * such as the noise schedule the DDPM exercise asks for and its successors provide. Start asks before copying
   * while the tests of any of them do not all pass yet, so a learner is not handed an answer unawares.
   */
  readonly builtOn?: readonly string[];
}

/** What ticks a milestone. Later issues produce this evidence; until then the milestone shows what it waits for. */
export type Evidence =
  | { readonly kind: 'testsPass'; readonly exercise: string }
  | {
      readonly kind: 'runMetric';
      readonly exercise: string;
      readonly metric: string;
      readonly op: '>=' | '<=';
      readonly value: number;
      readonly label: string;
    }
  | { readonly kind: 'quiz'; readonly quiz: string; readonly label: string };

export interface Milestone {
  readonly id: string;
  readonly title: string;
  /** All of these must hold for the milestone to tick. */
  readonly evidence: readonly Evidence[];
}

export interface Course {
  readonly version: number;
  readonly title: string;
  /**
   * The `lab/` modules every exercise gets (paths relative to `lab/`): the reporting API, the runtime, the test
   * helpers. Absent: Start copies all of `lab/` for every exercise, and no exercise may list modules of its own.
   */
  readonly lab?: readonly string[];
  readonly readings: readonly Reading[];
  readonly exercises: readonly Exercise[];
  readonly milestones: readonly Milestone[];
}
