/**
 * The answers the quiz panel keeps while the learner works (also in the webview state, so hiding the tab or
 * reloading loses nothing), and how they become the `submit` message.
 */
import type { QuestionView } from '../../../src/protocol/quiz';

export type Draft = Record<string, number | number[] | string>;

/** A draft restored from webview state: only entries that fit a current question are kept. */
export function sanitizeDraft(saved: unknown, questions: readonly QuestionView[]): Draft {
  const out: Draft = {};
  if (typeof saved !== 'object' || saved === null) return out;
  const o = saved as Record<string, unknown>;
  for (const q of questions) {
    const v = o[q.id];
    const n = q.options?.length ?? 0;
    if (q.kind === 'single' && Number.isInteger(v) && (v as number) >= 0 && (v as number) < n) out[q.id] = v as number;
    if (q.kind === 'multiple' && Array.isArray(v))
      out[q.id] = v.filter((x): x is number => Number.isInteger(x) && x >= 0 && x < n);
    if (q.kind === 'number' && typeof v === 'string') out[q.id] = v;
  }
  return out;
}

/** Toggles option `i` of a multiple-choice question. */
export function toggle(draft: Draft, id: string, i: number, on: boolean): void {
  const current = Array.isArray(draft[id]) ? (draft[id] as number[]) : [];
  draft[id] = on ? [...new Set([...current, i])].sort((a, b) => a - b) : current.filter((x) => x !== i);
}

/**
 * The answers to send, and the questions still unanswered. A number field accepts "0.5", "1e-3" or "-2,5"
 * (a comma decimal); anything else stays unanswered.
 */
export function collectAnswers(
  draft: Draft,
  questions: readonly QuestionView[],
): { answers: Record<string, number | number[]>; unanswered: string[] } {
  const answers: Record<string, number | number[]> = {};
  const unanswered: string[] = [];
  for (const q of questions) {
    const v = draft[q.id];
    if (q.kind === 'number') {
      const n = typeof v === 'string' && v.trim() !== '' ? Number(v.trim().replace(',', '.')) : NaN;
      if (Number.isFinite(n)) answers[q.id] = n;
      else unanswered.push(q.id);
    } else if (q.kind === 'multiple') {
      if (Array.isArray(v) && v.length > 0) answers[q.id] = v;
      else unanswered.push(q.id);
    } else if (typeof v === 'number') {
      answers[q.id] = v;
    } else {
      unanswered.push(q.id);
    }
  }
  return { answers, unanswered };
}
