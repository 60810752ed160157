import * as assert from 'node:assert/strict';
import { parseCourse } from '../../src/core/course/load';
import { Course } from '../../src/core/course/types';
import { gatherExerciseFacts } from '../../src/core/exerciseFacts';
import { ExerciseFacts, buildCurriculum, exerciseDescription, exerciseState, formatHours, readingLabel } from '../../src/core/curriculum';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { EvidenceSnapshot, NO_EVIDENCE, evaluateMilestone, gatherEvidence } from '../../src/core/milestones';
import { readingDetailMarkdown } from '../../src/core/readingDetail';
import { validCourseDoc } from '../fixtures/course';

function course(): Course {
  const r = parseCourse(JSON.stringify(validCourseDoc()), 'course.json');
  if (!r.ok) throw new Error('fixture invalid');
  return r.course;
}

const NONE: ExerciseFacts = { templateAvailable: false, scaffolded: false, testsPassing: false, trained: false };

describe('curriculum model', () => {
  it('heads the reading path with readings and hours done', () => {
    const c = course();
    const before = buildCurriculum(c, { version: 1, readings: {} }, () => NONE, NO_EVIDENCE);
    assert.equal(before.readingSummary, '0/2 · 0 of 7.5 h');
    const after = buildCurriculum(c, { version: 1, readings: { 'weng-diffusion': { readAt: 'x' } } }, () => NONE, NO_EVIDENCE);
    assert.equal(after.readingSummary, '1/2 · 1.5 of 7.5 h');
    assert.deepEqual(after.readings.map((r) => r.read), [false, true]);
  });

  it('ignores progress entries for readings no longer in the course', () => {
    const m = buildCurriculum(course(), { version: 1, readings: { gone: { readAt: 'x' } } }, () => NONE, NO_EVIDENCE);
    assert.equal(m.readingSummary, '0/2 · 0 of 7.5 h');
  });

  it('orders exercise states: unavailable, not started, in progress, tests passing, trained', () => {
    assert.equal(exerciseState(NONE), 'unavailable');
    assert.equal(exerciseState({ ...NONE, templateAvailable: true }), 'notStarted');
    assert.equal(exerciseState({ ...NONE, templateAvailable: true, scaffolded: true }), 'inProgress');
    assert.equal(exerciseState({ ...NONE, templateAvailable: true, scaffolded: true, testsPassing: true }), 'testsPassing');
    assert.equal(exerciseState({ templateAvailable: true, scaffolded: true, testsPassing: true, trained: true }), 'trained');
  });

  it('summarises exercises as started and available', () => {
    const facts = (id: string): ExerciseFacts => (id === 'clip' ? { ...NONE, templateAvailable: true, scaffolded: true } : NONE);
    const m = buildCurriculum(course(), { version: 1, readings: {} }, facts, NO_EVIDENCE);
    assert.deepEqual(m.exercises.map((e) => [e.index, e.state]), [[1, 'inProgress'], [2, 'unavailable']]);
    assert.equal(m.exerciseSummary, '1/2 started · 1 available');
  });

  it('describes an exercise by its state and, once tested, k/n tests passing', () => {
    const facts = (): ExerciseFacts => ({ ...NONE, templateAvailable: true, scaffolded: true });
    const at = '2026-11-28T00:00:00Z';
    const tested = buildCurriculum(course(), { version: 1, readings: {}, exercises: { clip: { tests: { passed: 3, total: 12, at } } } }, facts, NO_EVIDENCE);
    assert.deepEqual(tested.exercises.map(exerciseDescription), ['in progress · 3/12 tests pass', 'in progress']);
    const row = tested.exercises[0];
    assert.equal(exerciseDescription({ ...row, state: 'testsPassing', tests: { passed: 12, total: 12 } }), 'tests passing · 12/12');
    assert.equal(exerciseDescription({ ...row, state: 'trained', tests: { passed: 11, total: 12 } }), 'trained · 11/12 tests pass');
    assert.equal(exerciseDescription({ ...row, state: 'notStarted' }), 'not started', 'a reset exercise does not show old counts');
  });

  it('labels a reading by the part of its title before the dash', () => {
    assert.equal(readingLabel('CLIP — Learning Transferable Visual Models'), 'CLIP');
    assert.equal(readingLabel('What are Diffusion Models?'), 'What are Diffusion Models?');
    assert.equal(readingLabel('GPT-4V(ision) System Card'), 'GPT-4V(ision) System Card');
  });

  it('formats hours without noise', () => {
    assert.equal(formatHours(14), '14');
    assert.equal(formatHours(2.25), '2.3');
  });
});

describe('milestone evaluation', () => {
  const snapshot = (s: Partial<EvidenceSnapshot>): EvidenceSnapshot => ({ ...NO_EVIDENCE, ...s });

  it('waits on every piece of evidence and names it', () => {
    const c = course();
    const s = evaluateMilestone(c, c.milestones[0], NO_EVIDENCE);
    assert.equal(s.met, false);
    assert.deepEqual(s.evidence, [
      { label: 'all tests of "CLIP from scratch" pass', met: false },
      { label: 'pass the quiz', met: false },
    ]);
  });

  it('ticks only when all evidence holds', () => {
    const c = course();
    const half = evaluateMilestone(c, c.milestones[0], snapshot({ testsPassing: new Set(['clip']) }));
    assert.deepEqual([half.met, half.evidence.map((e) => e.met)], [false, [true, false]]);
    const full = evaluateMilestone(c, c.milestones[0], snapshot({ testsPassing: new Set(['clip']), quizzesPassed: new Set(['clip-loss']) }));
    assert.equal(full.met, true);
  });

  it('compares run metrics against the threshold, inclusive', () => {
    const c = course();
    const at = (v: number | undefined): boolean =>
      evaluateMilestone(c, c.milestones[1], snapshot({ runMetric: (ex, metric) => (ex === 'ddpm' && metric === 'sample_confidence' ? v : undefined) })).met;
    assert.deepEqual([at(undefined), at(0.79), at(0.8), at(0.95)], [false, false, true, true]);
  });

  it('counts met milestones in the group header', () => {
    const c = course();
    const m = buildCurriculum(c, { version: 1, readings: {} }, () => NONE, snapshot({ runMetric: () => 0.9 }));
    assert.equal(m.milestoneSummary, '1/2');
  });
});

describe('exercise facts', () => {
  it('combine the disk (template, scaffolded folder) with recorded test and training results', async () => {
    const tpl = await mkdtemp(path.join(tmpdir(), 'mml-tpl-'));
    const ws = await mkdtemp(path.join(tmpdir(), 'mml-ws-'));
    await mkdir(path.join(tpl, 'clip', 'starter'), { recursive: true });
    await mkdir(path.join(tpl, 'ddpm', 'starter'), { recursive: true });
    await mkdir(path.join(ws, 'exercises', 'clip'), { recursive: true });
    const facts = await gatherExerciseFacts(tpl, ws, ['clip', 'ddpm', 'cfg'], {
      version: 1, readings: {},
      exercises: { clip: { tests: { passed: 7, total: 7, at: 'x' }, trained: { runId: 'r1', at: 'x' } }, ddpm: { tests: { passed: 2, total: 4, at: 'x' } } },
    });
    assert.deepEqual(Object.fromEntries(facts), {
      clip: { templateAvailable: true, scaffolded: true, testsPassing: true, trained: true },
      ddpm: { templateAvailable: true, scaffolded: false, testsPassing: false, trained: false },
      cfg: { templateAvailable: false, scaffolded: false, testsPassing: false, trained: false },
    });
  });
});

describe('evidence from the workspace', () => {
  it('counts an exercise as passing only when its last full run passed every test', async () => {
    const ws = await mkdtemp(path.join(tmpdir(), 'mml-evidence-'));
    const e = await gatherEvidence(ws, {
      version: 1, readings: {},
      exercises: { clip: { tests: { passed: 7, total: 7, at: 'x' } }, ddpm: { tests: { passed: 3, total: 4, at: 'x' } }, cfg: { tests: { passed: 0, total: 0, at: 'x' } } },
    });
    assert.deepEqual([...e.testsPassing], ['clip']);
    assert.deepEqual([...e.quizzesPassed], []);
  });

  it('reads run metrics from the summary of the last finished run', async () => {
    const ws = await mkdtemp(path.join(tmpdir(), 'mml-evidence-'));
    const dir = path.join(ws, '.multimodal-lab', 'runs', 'ddpm', 'r2');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'summary.json'), '{"sample_confidence": 0.86, "note": "text"}');
    const e = await gatherEvidence(ws, { version: 1, readings: {}, exercises: { ddpm: { trained: { runId: 'r2', at: 'x' } }, clip: { trained: { runId: 'gone', at: 'x' } } } });
    assert.equal(e.runMetric('ddpm', 'sample_confidence'), 0.86);
    assert.equal(e.runMetric('ddpm', 'note'), undefined);
    assert.equal(e.runMetric('clip', 'anything'), undefined);
    const c = course();
    assert.equal(evaluateMilestone(c, c.milestones[1], e).met, true);
  });
});

describe('reading detail', () => {
  it('shows the link, why, numbered questions and the exercises that use it', () => {
    const c = course();
    const md = readingDetailMarkdown(c, c.readings[0], true);
    assert.match(md, /^# CLIP\n/);
    assert.match(md, /reading 1 of 2 · ✓ read/);
    assert.match(md, /\[Open https:\/\/arxiv\.org\/abs\/2103\.00020\]\(https:\/\/arxiv\.org\/abs\/2103\.00020\)/);
    assert.match(md, /\n1\. Why symmetric\?\n2\. What does the temperature do\?\n3\. Why large batches\?\n/);
    assert.match(md, /- Exercise 1: CLIP from scratch/);
    assert.doesNotMatch(md, /DDPM on MNIST/);
  });
});
