/**
 * Messages between the extension and the concept-check (quiz) panel. The extension grades; the panel only shows
 * questions, collects answers, and renders results. The answer key, explanations and model answer arrive only once
 * the quiz is passed.
 */

export const QUIZ_PROTOCOL_VERSION = 1;

/** A question as the panel sees it: no answer key. */
export interface QuestionView {
  readonly id: string;
  readonly kind: 'single' | 'multiple' | 'number';
  readonly prompt: string;
  readonly options?: readonly string[];
}

/** The result of checking a paragraph for length and key ideas. */
export interface ParagraphCheck {
  readonly words: number;
  readonly concepts: readonly { readonly label: string; readonly found: boolean; readonly why: string }[];
  readonly found: number;
  readonly required: number;
  readonly passed: boolean;
  /** Why it did not pass, in one sentence (empty when passed). */
  readonly problem: string;
}

/** Graded answers: which question ids were right, and the score against the pass mark. */
export interface Grade {
  readonly correct: Readonly<Record<string, boolean>>;
  readonly score: number;
  readonly right: number;
  readonly total: number;
  readonly passed: boolean;
}

export interface QuizPanelView {
  readonly id: string;
  readonly title: string;
  readonly intro: string;
  readonly passMark: number;
  readonly questions: readonly QuestionView[];
  /** The paragraph task, when the quiz has one: its prompt, limits and the notes file (workspace-relative). */
  readonly paragraph?: {
    readonly prompt: string;
    readonly minWords: number;
    readonly maxWords: number;
    readonly notesFile: string;
  };
}

export type ExtensionToQuizPanel = {
  readonly type: 'state';
  readonly protocol: typeof QUIZ_PROTOCOL_VERSION;
  readonly quiz: QuizPanelView;
  readonly paragraph?: ParagraphCheck;
  readonly grade?: Grade;
  readonly attempts: number;
  /** Passed: paragraph (if any) checked and questions at or above the pass mark, now or before. */
  readonly passed: boolean;
  /** Only when passed. */
  readonly modelAnswer?: string;
  readonly explanations?: Readonly<Record<string, string>>;
};

export type QuizPanelToExtension =
  | { readonly type: 'ready' }
  | { readonly type: 'openNotes' }
  | { readonly type: 'checkParagraph' }
  | { readonly type: 'submit'; readonly answers: Readonly<Record<string, number | readonly number[]>> };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Narrows a message from the quiz panel; answers must be option indices or finite numbers. */
export function isQuizPanelMessage(v: unknown): v is QuizPanelToExtension {
  if (!isRecord(v)) return false;
  if (v.type === 'ready' || v.type === 'openNotes' || v.type === 'checkParagraph') return true;
  if (v.type !== 'submit' || !isRecord(v.answers)) return false;
  return Object.values(v.answers).every(
    (a) => (typeof a === 'number' && Number.isFinite(a)) || (Array.isArray(a) && a.every((x) => Number.isInteger(x))),
  );
}

/** Narrows a message from the extension, in the webview. */
export function isExtensionToQuizPanel(v: unknown): v is ExtensionToQuizPanel {
  return (
    isRecord(v) &&
    v.type === 'state' &&
    v.protocol === QUIZ_PROTOCOL_VERSION &&
    isRecord(v.quiz) &&
    Array.isArray((v.quiz as { questions?: unknown }).questions)
  );
}
