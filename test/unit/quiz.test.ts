import * as assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gatherEvidence } from '../../src/core/milestones';
import { ProgressStore } from '../../src/core/progress';
import {
  QuizError,
  checkParagraph,
  countWords,
  ensureParagraphFile,
  gradeQuiz,
  loadQuiz,
  paragraphText,
  proseSentences,
  questionViews,
  validateQuiz,
  type Quiz,
} from '../../src/core/quiz';
import { isExtensionToQuizPanel, isQuizPanelMessage } from '../../src/protocol/quiz';
import { collectAnswers, sanitizeDraft, toggle } from '../../webview/src/quiz/answers';

const TEMPLATES = path.join(__dirname, '..', '..', 'templates');
const tmp = (): Promise<string> => mkdtemp(path.join(tmpdir(), 'mml-quiz-'));

describe('concept checks (quizzes)', () => {
  let quiz: Quiz;
  before(async () => {
    quiz = await loadQuiz(TEMPLATES, 'clip-loss');
  });

  it("ships one valid quiz for every quiz the course's milestones name that exists, and clip-loss among them", async () => {
    assert.deepEqual(validateQuiz(quiz), []);
    assert.equal(quiz.questions.length, 6);
    const course = JSON.parse(await readFile(path.join(TEMPLATES, 'course.json'), 'utf8')) as {
      milestones: { evidence: { kind: string; quiz?: string }[] }[];
    };
    const named = course.milestones
      .flatMap((m) => m.evidence)
      .filter((e) => e.kind === 'quiz')
      .map((e) => e.quiz);
    assert.ok(named.includes('clip-loss'));
  });

  it('passes the model answer on its own paragraph check, and fails a vague paragraph with the missing ideas', () => {
    const model = checkParagraph(quiz.paragraph!, quiz.modelAnswer);
    assert.ok(model.passed, `model answer: ${model.problem} (${model.found}/${model.required})`);
    assert.equal(model.found, quiz.paragraph!.concepts.length, 'the model answer should name every key idea');
    const vague =
      'CLIP is a model from OpenAI that learns from images and text found on the internet. It works well and it is trained for a long time on a lot of data, which makes it good at recognising many things in many pictures without labels, and people use it a lot in other models such as Stable Diffusion and many other systems today.';
    const v = checkParagraph(quiz.paragraph!, vague);
    assert.equal(v.passed, false);
    assert.match(v.problem, /names \d of the 5 key ideas needed/);
    assert.ok(v.concepts.some((c) => !c.found && /temperature/.test(c.label)));
  });

  it('counts a key idea only in a sentence: a keyword salad fails, and one sentence carries at most two ideas', () => {
    const salad =
      'Contrastive, cosine similarity, dot product, embedding, negatives, off-diagonal, softmax, cross-entropy, ' +
      'InfoNCE, symmetric, both directions, temperature, tau, logit scale, batch size, more negatives, 32k, ' +
      'contrastive, cosine, negatives, softmax, symmetric, temperature, batch size, embedding, InfoNCE, rows columns.';
    const s = checkParagraph(quiz.paragraph!, `${salad} ${salad} ${salad}`);
    assert.ok(s.words >= quiz.paragraph!.minWords, `the salad should be long enough (${s.words} words)`);
    assert.equal(s.passed, false, 'a list of keywords passed the paragraph check');
    assert.equal(s.found, 0);
    assert.match(s.problem, /each in a sentence of its own/);
    const crammed =
      'It embeds both into one space with cosine similarity, and the other captions in the batch are negatives, and ' +
      'it takes a softmax cross-entropy over the batch, symmetric in both directions, with a learned temperature, ' +
      'which is why batch size matters so much for the whole thing to work well at the scale of the web.';
    const c = checkParagraph(quiz.paragraph!, crammed);
    assert.equal(c.found, 2, 'one sentence is credited with at most two key ideas');
    assert.deepEqual(proseSentences('Softmax; cosine. The loss is the mean of the two directions!\nA b c d e'), [
      'The loss is the mean of the two directions!',
    ]);
  });

  it("counts only the learner's words: headings, quotes and comments are not the paragraph", () => {
    const md =
      '# Concept check\n\n> Explain the loss in one paragraph.\n\n<!-- write below -->\n\nThe loss is symmetric.\n';
    assert.equal(paragraphText(md), 'The loss is symmetric.');
    assert.equal(countWords('  τ is learned — 1/τ ≤ 100 '), 5);
    const short = checkParagraph(quiz.paragraph!, md);
    assert.equal(short.passed, false);
    assert.match(short.problem, /has 4 words; write at least 60/);
    assert.match(checkParagraph(quiz.paragraph!, '# only a heading\n').problem, /empty/);
    assert.match(checkParagraph(quiz.paragraph!, 'word '.repeat(300)).problem, /at most 250/);
  });

  it('grades answers: single, multiple (exact set), number (tolerance); unanswered is wrong; pass mark 0.8', () => {
    const right = { rows: 1, symmetric: 1, 'temperature-low': 1, chance: 2.079, batch: [2, 0, 1], 'zero-shot': 1 };
    assert.deepEqual(gradeQuiz(quiz, right), {
      correct: { rows: true, symmetric: true, 'temperature-low': true, chance: true, batch: true, 'zero-shot': true },
      score: 1,
      right: 6,
      total: 6,
      passed: true,
    });
    const oneWrong = gradeQuiz(quiz, { ...right, batch: [0, 1] });
    assert.equal(oneWrong.correct.batch, false);
    assert.equal(oneWrong.passed, true, '5 of 6 = 0.83 ≥ 0.8');
    const twoWrong = gradeQuiz(quiz, { ...right, batch: [0, 1, 2, 3], chance: 2.3 });
    assert.deepEqual([twoWrong.right, twoWrong.passed], [4, false]);
    const missing: Record<string, number | number[]> = { ...right };
    delete missing.chance;
    assert.equal(gradeQuiz(quiz, missing).correct.chance, false);
    assert.equal(gradeQuiz(quiz, { ...right, rows: [1] }).correct.rows, false, 'an array is not a single answer');
  });

  it('never sends the answer key to the panel before the quiz is passed', () => {
    const views = questionViews(quiz);
    const text = JSON.stringify(views);
    assert.ok(!/answer|explanation|tolerance/.test(text), text.slice(0, 200));
    assert.deepEqual(
      views.map((v) => v.kind),
      ['single', 'single', 'single', 'number', 'multiple', 'single'],
    );
  });

  it('reports every problem of a malformed quiz with its path', () => {
    const bad = {
      version: 2,
      id: 'x',
      title: '',
      intro: 'i',
      modelAnswer: 'm',
      passMark: 1.5,
      paragraph: {
        prompt: 'p',
        minWords: 10,
        maxWords: 5,
        required: 3,
        concepts: [{ label: 'l', why: 'w', any: ['(unclosed'] }],
      },
      questions: [
        { id: 'a', kind: 'single', prompt: 'p', explanation: 'e', options: ['x', 'y'], answer: 2 },
        { id: 'a', kind: 'essay', prompt: 'p', explanation: 'e' },
        { id: 'c', kind: 'number', prompt: 'p', explanation: 'e', answer: 'one', tolerance: -1 },
        { id: 'd', kind: 'multiple', prompt: 'p', explanation: 'e', options: ['x', 'y'], answer: [] },
      ],
    };
    assert.deepEqual(validateQuiz(bad), [
      'version: expected 1, got 2',
      'title: a non-empty string is required',
      'passMark: a number in (0, 1] is required',
      'paragraph.minWords/maxWords: whole numbers with 1 ≤ minWords ≤ maxWords are required',
      `paragraph.concepts[0].any: "(unclosed" is not a valid regular expression (Invalid regular expression: /(unclosed/i: Unterminated group)`,
      'paragraph.required: a whole number 1–1 is required',
      'questions[0].answer: an option index 0–1 is required',
      'questions[1].id: "a" is used twice',
      'questions[1].kind: expected "single", "multiple" or "number", got "essay"',
      'questions[2].answer: a finite number is required',
      'questions[2].tolerance: a number ≥ 0 is required',
      'questions[3].answer: a non-empty array of option indices 0–1 is required',
    ]);
    assert.deepEqual(validateQuiz([]), ['the file must hold a JSON object']);
  });

  it('loads with clear errors: missing quiz, broken JSON, invalid content, wrong id, bad id', async () => {
    const root = await tmp();
    await mkdir(path.join(root, 'quizzes'));
    await assert.rejects(
      loadQuiz(root, 'clip-loss'),
      (e: unknown) => e instanceof QuizError && /is not in this version of the course .*ENOENT/.test(e.message),
    );
    await writeFile(path.join(root, 'quizzes', 'a.json'), '{ "version": 1,');
    await assert.rejects(loadQuiz(root, 'a'), /a\.json is not valid JSON/);
    await writeFile(path.join(root, 'quizzes', 'b.json'), JSON.stringify({ ...quiz, passMark: 0 }));
    await assert.rejects(
      loadQuiz(root, 'b'),
      /b\.json is not a valid quiz:\n {2}- passMark: a number in \(0, 1\] is required/,
    );
    await writeFile(path.join(root, 'quizzes', 'c.json'), JSON.stringify(quiz));
    await assert.rejects(loadQuiz(root, 'c'), /declares id "clip-loss"; expected "c"/);
    await assert.rejects(loadQuiz(root, '../course'), /not a valid quiz id/);
  });

  it('creates the paragraph file with its prompt once and never overwrites what the learner wrote', async () => {
    const ws = await tmp();
    const first = await ensureParagraphFile(ws, quiz);
    assert.equal(first.created, true);
    assert.equal(path.relative(ws, first.file), path.join('notes', 'milestones', 'clip-loss.md'));
    assert.match(
      await readFile(first.file, 'utf8'),
      /^# Concept check: CLIP's contrastive loss\n\n> Explain CLIP's contrastive loss/,
    );
    await writeFile(first.file, 'mine');
    assert.equal((await ensureParagraphFile(ws, quiz)).created, false);
    assert.equal(await readFile(first.file, 'utf8'), 'mine');
  });

  it('records attempts in progress.json, keeps the first pass, and a pass ticks the milestone evidence', async () => {
    const ws = await tmp();
    let t = 0;
    const store = new ProgressStore(ws, () => new Date(Date.UTC(2026, 10, 28, 0, 0, t++)));
    await store.load();
    await store.recordQuizAttempt('clip-loss', 0.5, false);
    assert.equal((await gatherEvidence(ws, store.progress)).quizzesPassed.has('clip-loss'), false);
    await store.recordQuizAttempt('clip-loss', 1, true);
    await store.recordQuizAttempt('clip-loss', 0.5, false);
    const reloaded = new ProgressStore(ws);
    await reloaded.load();
    assert.deepEqual(reloaded.quiz('clip-loss'), {
      attempts: 3,
      lastScore: 0.5,
      lastAt: '2026-11-28T00:00:02.000Z',
      passedAt: '2026-11-28T00:00:01.000Z',
    });
    assert.equal((await gatherEvidence(ws, reloaded.progress)).quizzesPassed.has('clip-loss'), true);
  });

  it('guards the panel boundary both ways', () => {
    assert.ok(isQuizPanelMessage({ type: 'submit', answers: { a: 1, b: [0, 2], c: 2.5 } }));
    assert.equal(isQuizPanelMessage({ type: 'submit', answers: { a: 'x' } }), false);
    assert.equal(isQuizPanelMessage({ type: 'submit', answers: { a: [0.5] } }), false);
    assert.equal(isQuizPanelMessage({ type: 'grade' }), false);
    assert.ok(
      isExtensionToQuizPanel({ type: 'state', protocol: 1, quiz: { questions: [] }, attempts: 0, passed: false }),
    );
    assert.equal(isExtensionToQuizPanel({ type: 'state', protocol: 2, quiz: { questions: [] } }), false);
  });

  it("keeps the panel's draft answers, sanitised, and turns them into a submit with the unanswered listed", () => {
    const views = questionViews(quiz);
    const draft = sanitizeDraft({ rows: 1, symmetric: 9, chance: ' 2,079 ', batch: [0, 7], junk: 1 }, views);
    assert.deepEqual(draft, { rows: 1, chance: ' 2,079 ', batch: [0] });
    toggle(draft, 'batch', 2, true);
    toggle(draft, 'batch', 0, false);
    assert.deepEqual(draft.batch, [2]);
    const { answers, unanswered } = collectAnswers(draft, views);
    assert.deepEqual(answers, { rows: 1, chance: 2.079, batch: [2] });
    assert.deepEqual(unanswered, ['symmetric', 'temperature-low', 'zero-shot']);
  });
});
