/**
 * The concept-check panel: the paragraph task (written in a notes file, checked by the extension on save or on
 * request), the questions, and, once passed, the explanations and the model answer. The extension grades; this page
 * only collects answers, which it keeps in the webview state so a hidden or reloaded tab loses nothing.
 */
import {
  isExtensionToQuizPanel,
  type ExtensionToQuizPanel,
  type QuestionView,
  type QuizPanelToExtension,
} from '../../../src/protocol/quiz';
import { appRoot, checkItem, h, noticeBanner, setChildren } from '../shared/dom';
import { vscodeApi } from '../shared/vscodeApi';
import { collectAnswers, sanitizeDraft, toggle, type Draft } from './answers';

const api = vscodeApi<{ draft?: unknown }, QuizPanelToExtension>();
const post = (m: QuizPanelToExtension): void => api.postMessage(m);
const root = appRoot();
let draft: Draft = {};
let last: ExtensionToQuizPanel | undefined;
let unanswered: string[] = [];
setChildren(root, h('p', { class: 'empty', text: 'Loading the concept check…' }));

window.addEventListener('message', (e: MessageEvent<unknown>) => {
  if (!isExtensionToQuizPanel(e.data)) {
    const t = e.data as { type?: unknown; protocol?: unknown } | null;
    if (t?.type === 'state')
      setChildren(
        root,
        noticeBanner([
          `This panel understands protocol version 1 but received ${String(t.protocol)}. Reload the window after updating the extension.`,
        ]),
      );
    return;
  }
  if (!last) draft = sanitizeDraft(api.getState()?.draft, e.data.quiz.questions);
  last = e.data;
  render(e.data);
});
post({ type: 'ready' });

const save = (): void => void api.setState({ draft });

function render(s: ExtensionToQuizPanel): void {
  const { quiz } = s;
  const status = s.passed
    ? 'Passed ✓'
    : s.attempts > 0
      ? `Not passed yet · ${s.attempts} attempt${s.attempts === 1 ? '' : 's'}`
      : 'Not attempted yet';
  setChildren(
    root,
    h('h1', { text: `Concept check · ${quiz.title}` }),
    h('p', { class: `status ${s.passed ? 'passed' : 'pending'}`, role: 'status', text: status }),
    h('p', { text: quiz.intro }),
    quiz.paragraph ? paragraphSection(s) : null,
    questionsSection(s),
    s.passed && s.modelAnswer
      ? h(
          'section',
          { class: 'model-answer' },
          h('h2', { text: 'A model answer, to compare with yours' }),
          h('p', { text: s.modelAnswer }),
        )
      : null,
  );
}

function paragraphSection(s: ExtensionToQuizPanel): HTMLElement {
  const task = s.quiz.paragraph!;
  const check = s.paragraph;
  const open = h('button', { text: `Open ${task.notesFile}` });
  open.addEventListener('click', () => post({ type: 'openNotes' }));
  const recheck = h('button', { class: 'secondary', text: 'Check my paragraph' });
  recheck.addEventListener('click', () => post({ type: 'checkParagraph' }));
  return h(
    'section',
    { class: 'paragraph' },
    h('h2', { text: '1. Your paragraph' }),
    h('blockquote', { text: task.prompt }),
    h('p', {
      class: 'note',
      text: `Write ${task.minWords}–${task.maxWords} words in ${task.notesFile}; it is re-checked each time you save. This is a keyword check of the key ideas, each in a sentence of its own (a list of keywords does not count): it cannot tell whether your reasoning is right, so compare with the model answer once you pass.`,
    }),
    h('div', { class: 'buttons' }, open, recheck),
    check
      ? h(
          'div',
          { class: `check ${check.passed ? 'passed' : 'pending'}` },
          h('p', {
            text: check.passed
              ? `✓ ${check.words} words; ${check.found} key ideas found (${check.required} needed).`
              : `○ ${check.problem}`,
          }),
          h(
            'ul',
            { class: 'concepts' },
            ...check.concepts.map((c) =>
              checkItem(
                c.found,
                ['found', 'missing'],
                ` ${c.label}`,
                c.found ? null : h('span', { class: 'why', text: ` — ${c.why}` }),
              ),
            ),
          ),
        )
      : null,
  );
}

function questionsSection(s: ExtensionToQuizPanel): HTMLElement {
  const { quiz, grade } = s;
  const submit = h('button', { class: 'submit', text: 'Submit answers' });
  submit.addEventListener('click', () => {
    const collected = collectAnswers(draft, quiz.questions);
    unanswered = collected.unanswered;
    if (unanswered.length > 0) {
      render(s);
      return;
    }
    post({ type: 'submit', answers: collected.answers });
  });
  const needed = Math.ceil(quiz.passMark * quiz.questions.length - 1e-9);
  return h(
    'section',
    { class: 'questions' },
    h('h2', { text: `${quiz.paragraph ? '2. ' : ''}Questions · get ${needed} of ${quiz.questions.length} right` }),
    h('ol', {}, ...quiz.questions.map((q) => questionItem(q, grade?.correct[q.id], s.explanations?.[q.id]))),
    unanswered.length > 0
      ? h('p', { class: 'problem', role: 'alert', text: `Answer every question first (${unanswered.length} left).` })
      : null,
    grade
      ? h('p', {
          class: `score ${grade.passed ? 'passed' : 'pending'}`,
          role: 'status',
          text: `${grade.right} of ${grade.total} right${grade.passed ? '' : ` — ${needed} needed`}.${!s.passed && grade.passed && quiz.paragraph ? ' The paragraph still needs work.' : ''}`,
        })
      : null,
    submit,
  );
}

function questionItem(q: QuestionView, correct: boolean | undefined, explanation: string | undefined): HTMLElement {
  const mark =
    correct === undefined
      ? null
      : h('span', { class: `verdict ${correct ? 'right' : 'wrong'}`, text: correct ? '✓ right' : '✗ not right' });
  const body = q.kind === 'number' ? numberInput(q) : options(q);
  return h(
    'li',
    { class: 'question', 'data-id': q.id },
    h('p', { class: 'prompt' }, q.prompt, ' ', mark),
    body,
    explanation ? h('p', { class: 'explanation', text: explanation }) : null,
  );
}

function options(q: QuestionView): HTMLElement {
  const multiple = q.kind === 'multiple';
  return h(
    'div',
    { class: 'options', role: multiple ? 'group' : 'radiogroup' },
    ...(q.options ?? []).map((text, i) => {
      const input = h('input', {
        type: multiple ? 'checkbox' : 'radio',
        name: q.id,
        value: String(i),
        id: `${q.id}-${i}`,
      });
      const v = draft[q.id];
      input.checked = multiple ? Array.isArray(v) && v.includes(i) : v === i;
      input.addEventListener('change', () => {
        if (multiple) toggle(draft, q.id, i, input.checked);
        else draft[q.id] = i;
        save();
      });
      return h('label', { for: `${q.id}-${i}` }, input, ` ${text}`);
    }),
  );
}

function numberInput(q: QuestionView): HTMLElement {
  const input = h('input', {
    type: 'text',
    inputmode: 'decimal',
    'aria-label': q.prompt,
    value: typeof draft[q.id] === 'string' ? (draft[q.id] as string) : '',
  });
  input.addEventListener('input', () => {
    draft[q.id] = input.value;
    save();
  });
  return h('div', { class: 'number' }, input);
}
