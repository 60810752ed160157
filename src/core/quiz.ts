/**
 * Concept checks behind milestones: a paragraph the learner writes in a notes file, checked for the key ideas by
 * keyword patterns (a keyword check, not a judge of reasoning: the UI says so and shows a model answer once passed),
 * plus auto-graded questions. Quizzes are course data, `templates/quizzes/<id>.json`; grading happens here, so the
 * answer key never reaches the webview before the quiz is passed.
 */
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { Grade, ParagraphCheck, QuestionView } from '../protocol/quiz';
import { createNotesFile } from './notes';

export type { Grade, ParagraphCheck, QuestionView };

export const QUIZ_VERSION = 1;

export interface Concept {
  readonly label: string;
  /** Case-insensitive regular expressions; the concept counts as present when any matches. */
  readonly any: readonly string[];
  /** What the idea is, shown when it is missing. */
  readonly why: string;
}

export interface ParagraphTask {
  readonly prompt: string;
  readonly minWords: number;
  readonly maxWords: number;
  readonly concepts: readonly Concept[];
  /** How many concepts the paragraph must contain to pass. */
  readonly required: number;
}

export type Question =
  | {
      readonly id: string;
      readonly kind: 'single';
      readonly prompt: string;
      readonly options: readonly string[];
      readonly answer: number;
      readonly explanation: string;
    }
  | {
      readonly id: string;
      readonly kind: 'multiple';
      readonly prompt: string;
      readonly options: readonly string[];
      readonly answer: readonly number[];
      readonly explanation: string;
    }
  | {
      readonly id: string;
      readonly kind: 'number';
      readonly prompt: string;
      readonly answer: number;
      readonly tolerance: number;
      readonly explanation: string;
    };

export interface Quiz {
  readonly version: number;
  readonly id: string;
  readonly title: string;
  readonly intro: string;
  readonly paragraph?: ParagraphTask;
  readonly questions: readonly Question[];
  /** Fraction of questions to get right, 0–1. */
  readonly passMark: number;
  readonly modelAnswer: string;
}

/** A learner's answer: an option index, several option indices, or a number. */
export type Answer = number | readonly number[];

export class QuizError extends Error {}

// ---------------------------------------------------------------------------------------------------------------
// Loading and validation

/** Reads and validates `templates/quizzes/<id>.json`; a bad file gives a QuizError naming the file and the field. */
export async function loadQuiz(templatesRoot: string, quizId: string): Promise<Quiz> {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(quizId)) throw new QuizError(`"${quizId}" is not a valid quiz id.`);
  const file = path.join(templatesRoot, 'quizzes', `${quizId}.json`);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new QuizError(
      `The concept check "${quizId}" is not in this version of the course (${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`,
    );
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new QuizError(`${file} is not valid JSON: ${(e as Error).message}`);
  }
  const problems = validateQuiz(doc);
  if (problems.length > 0)
    throw new QuizError(`${file} is not a valid quiz:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  const quiz = doc as Quiz;
  if (quiz.id !== quizId) throw new QuizError(`${file} declares id "${quiz.id}"; expected "${quizId}".`);
  return quiz;
}

const isString = (v: unknown): v is string => typeof v === 'string' && v.trim().length > 0;
const isIndex = (v: unknown, n: number): boolean => Number.isInteger(v) && (v as number) >= 0 && (v as number) < n;

/** Every problem with a quiz document, as "path: what is wrong". Empty when it is valid. */
export function validateQuiz(doc: unknown): string[] {
  const p: string[] = [];
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return ['the file must hold a JSON object'];
  const q = doc as Record<string, unknown>;
  if (q.version !== QUIZ_VERSION) p.push(`version: expected ${QUIZ_VERSION}, got ${JSON.stringify(q.version)}`);
  for (const key of ['id', 'title', 'intro', 'modelAnswer'])
    if (!isString(q[key])) p.push(`${key}: a non-empty string is required`);
  if (typeof q.passMark !== 'number' || q.passMark <= 0 || q.passMark > 1)
    p.push('passMark: a number in (0, 1] is required');
  if (q.paragraph !== undefined) p.push(...validateParagraph(q.paragraph));
  if (!Array.isArray(q.questions) || q.questions.length === 0) {
    p.push('questions: a non-empty array is required');
    return p;
  }
  const ids = new Set<string>();
  q.questions.forEach((item: unknown, i) => {
    const at = `questions[${i}]`;
    if (typeof item !== 'object' || item === null) return void p.push(`${at}: an object is required`);
    const x = item as Record<string, unknown>;
    if (!isString(x.id)) p.push(`${at}.id: a non-empty string is required`);
    else if (ids.has(x.id)) p.push(`${at}.id: "${x.id}" is used twice`);
    else ids.add(x.id);
    if (!isString(x.prompt)) p.push(`${at}.prompt: a non-empty string is required`);
    if (!isString(x.explanation)) p.push(`${at}.explanation: a non-empty string is required`);
    if (x.kind === 'single' || x.kind === 'multiple') {
      const options = x.options;
      if (!Array.isArray(options) || options.length < 2 || !options.every(isString))
        return void p.push(`${at}.options: at least two non-empty strings are required`);
      if (x.kind === 'single' && !isIndex(x.answer, options.length))
        p.push(`${at}.answer: an option index 0–${options.length - 1} is required`);
      if (
        x.kind === 'multiple' &&
        (!Array.isArray(x.answer) || x.answer.length === 0 || !x.answer.every((a) => isIndex(a, options.length)))
      ) {
        p.push(`${at}.answer: a non-empty array of option indices 0–${options.length - 1} is required`);
      }
    } else if (x.kind === 'number') {
      if (typeof x.answer !== 'number' || !Number.isFinite(x.answer))
        p.push(`${at}.answer: a finite number is required`);
      if (typeof x.tolerance !== 'number' || !(x.tolerance >= 0)) p.push(`${at}.tolerance: a number ≥ 0 is required`);
    } else {
      p.push(`${at}.kind: expected "single", "multiple" or "number", got ${JSON.stringify(x.kind)}`);
    }
  });
  return p;
}

function validateParagraph(v: unknown): string[] {
  if (typeof v !== 'object' || v === null) return ['paragraph: an object is required'];
  const x = v as Record<string, unknown>;
  const p: string[] = [];
  if (!isString(x.prompt)) p.push('paragraph.prompt: a non-empty string is required');
  if (
    !Number.isInteger(x.minWords) ||
    !Number.isInteger(x.maxWords) ||
    (x.minWords as number) < 1 ||
    (x.maxWords as number) < (x.minWords as number)
  ) {
    p.push('paragraph.minWords/maxWords: whole numbers with 1 ≤ minWords ≤ maxWords are required');
  }
  if (!Array.isArray(x.concepts) || x.concepts.length === 0)
    return [...p, 'paragraph.concepts: a non-empty array is required'];
  x.concepts.forEach((c: unknown, i) => {
    const o = (c ?? {}) as Record<string, unknown>;
    if (!isString(o.label) || !isString(o.why))
      p.push(`paragraph.concepts[${i}]: "label" and "why" strings are required`);
    if (!Array.isArray(o.any) || o.any.length === 0 || !o.any.every(isString))
      return void p.push(`paragraph.concepts[${i}].any: a non-empty array of patterns is required`);
    for (const pattern of o.any as string[]) {
      try {
        new RegExp(pattern, 'i');
      } catch (e) {
        p.push(
          `paragraph.concepts[${i}].any: ${JSON.stringify(pattern)} is not a valid regular expression (${(e as Error).message})`,
        );
      }
    }
  });
  if (!Number.isInteger(x.required) || (x.required as number) < 1 || (x.required as number) > x.concepts.length) {
    p.push(`paragraph.required: a whole number 1–${x.concepts.length} is required`);
  }
  return p;
}

// ---------------------------------------------------------------------------------------------------------------
// The paragraph

export function paragraphNotesPath(workspaceRoot: string, quizId: string): string {
  return path.join(workspaceRoot, 'notes', 'milestones', `${quizId}.md`);
}

const WRITE_BELOW = '<!-- Write your paragraph below this line. Headings, quotes (>) and comments are not counted. -->';

export function paragraphSeed(quiz: Quiz): string {
  return [`# Concept check: ${quiz.title}`, '', `> ${quiz.paragraph?.prompt ?? ''}`, '', WRITE_BELOW, '', ''].join(
    '\n',
  );
}

/** Creates the paragraph's notes file with its prompt, unless it exists (never overwritten). */
export async function ensureParagraphFile(
  workspaceRoot: string,
  quiz: Quiz,
): Promise<{ file: string; created: boolean }> {
  return createNotesFile(paragraphNotesPath(workspaceRoot, quiz.id), paragraphSeed(quiz));
}

/** The learner's own text in a notes file: headings, quoted lines and HTML comments removed. */
export function paragraphText(markdown: string): string {
  return markdown
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .split('\n')
    .filter((l) => !/^\s*(#|>)/.test(l))
    .join('\n')
    .trim();
}

export function countWords(text: string): number {
  return text.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
}

/** Words that make a run of words a sentence rather than a list of keywords. */
const FUNCTION_WORDS = new Set(
  (
    'a an the is are was were be been being it its this that these those which who of to in on at by for with from ' +
    'as into over than so because and or but not no each every one both their there then when while if can does do ' +
    'has have makes make gets get'
  ).split(' '),
);

/**
 * The paragraph's sentences that read as prose: split at `.`, `!`, `?`, `;` and line breaks, each with at least five
 * words of which at least two distinct ones are function words ("the", "is", "of", …). A list of keywords
 * ("contrastive, cosine, negatives, softmax") is no sentence.
 */
export function proseSentences(text: string): string[] {
  return text
    .split(/(?<=[.!?;])\s+|\n+/u)
    .map((s) => s.trim())
    .filter((s) => {
      const words = s
        .toLowerCase()
        .split(/[^\p{L}\p{N}]+/u)
        .filter((w) => w.length > 0);
      const functionWords = new Set(words.filter((w) => FUNCTION_WORDS.has(w)));
      return words.length >= 5 && functionWords.size >= 2;
    });
}

/** Each sentence may carry at most this many key ideas: a key idea needs a sentence of its own, or nearly. */
const IDEAS_PER_SENTENCE = 2;

/**
 * Which concepts are found, each in a prose sentence, with no sentence credited for more than IDEAS_PER_SENTENCE
 * of them (a maximum matching of concepts to sentences, so the order of the concepts does not matter).
 */
function conceptsInSentences(concepts: readonly Concept[], sentences: readonly string[]): boolean[] {
  const matches = concepts.map((c) => {
    const patterns = c.any.map((p) => new RegExp(p, 'iu'));
    return sentences.flatMap((s, i) => (patterns.some((r) => r.test(s)) ? [i] : []));
  });
  const load = sentences.map(() => [] as number[]); // concept indices credited to each sentence
  const assign = (c: number, seen: Set<number>): boolean => {
    for (const s of matches[c]) {
      if (seen.has(s)) continue;
      seen.add(s);
      if (load[s].length < IDEAS_PER_SENTENCE) {
        load[s].push(c);
        return true;
      }
      for (const other of load[s]) {
        if (assign(other, seen)) {
          load[s] = load[s].filter((x) => x !== other).concat(c);
          return true;
        }
      }
    }
    return false;
  };
  return concepts.map((_, c) => assign(c, new Set()));
}

/** Checks a paragraph for length and for the quiz's key ideas, each stated in a sentence (not a keyword list). */
export function checkParagraph(task: ParagraphTask, markdown: string): ParagraphCheck {
  const text = paragraphText(markdown);
  const words = countWords(text);
  const found = conceptsInSentences(task.concepts, proseSentences(text));
  const concepts = task.concepts.map((c, i) => ({ label: c.label, why: c.why, found: found[i] }));
  const count = found.filter(Boolean).length;
  const problem =
    words === 0
      ? 'The paragraph is empty: write it in the notes file, below the prompt.'
      : words < task.minWords
        ? `The paragraph has ${words} words; write at least ${task.minWords}.`
        : words > task.maxWords
          ? `The paragraph has ${words} words; keep it to one paragraph of at most ${task.maxWords}.`
          : count < task.required
            ? `It names ${count} of the ${task.required} key ideas needed, each in a sentence of its own (a list of ` +
              'keywords does not count); see what is missing below.'
            : '';
  return { words, concepts, found: count, required: task.required, passed: problem === '', problem };
}

// ---------------------------------------------------------------------------------------------------------------
// The questions

function isCorrect(q: Question, a: Answer | undefined): boolean {
  if (a === undefined) return false;
  switch (q.kind) {
    case 'single':
      return a === q.answer;
    case 'multiple': {
      if (!Array.isArray(a)) return false;
      const given = new Set(a as readonly number[]);
      return given.size === q.answer.length && q.answer.every((x) => given.has(x));
    }
    case 'number':
      return typeof a === 'number' && Number.isFinite(a) && Math.abs(a - q.answer) <= q.tolerance;
  }
}

/** Grades answers by question id. Unanswered questions count as wrong. */
export function gradeQuiz(quiz: Quiz, answers: Readonly<Record<string, Answer>>): Grade {
  const correct: Record<string, boolean> = {};
  for (const q of quiz.questions) correct[q.id] = isCorrect(q, answers[q.id]);
  const right = Object.values(correct).filter(Boolean).length;
  const total = quiz.questions.length;
  const score = right / total;
  return { correct, score, right, total, passed: score >= quiz.passMark - 1e-9 };
}

/** The quiz without its answer key or explanations: what the webview gets before the quiz is passed. */
export function questionViews(quiz: Quiz): QuestionView[] {
  return quiz.questions.map((q) => ({
    id: q.id,
    kind: q.kind,
    prompt: q.prompt,
    ...(q.kind === 'number' ? {} : { options: q.options }),
  }));
}
