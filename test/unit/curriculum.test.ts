import * as assert from 'node:assert/strict';
import { parseCourse } from '../../src/core/course/load';
import { Course } from '../../src/core/course/types';
import { gatherExerciseFacts } from '../../src/core/exerciseFacts';
import {
  ExerciseFacts,
  ExerciseRow,
  buildCurriculum,
  exerciseAccessibleLabel,
  exerciseDescription,
  exerciseLabel,
  exerciseState,
  formatHours,
  readingLabel,
} from '../../src/core/curriculum';
import { loadCourseFile } from '../../src/core/course/load';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
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
    const after = buildCurriculum(
      c,
      { version: 1, readings: { 'weng-diffusion': { readAt: 'x' } } },
      () => NONE,
      NO_EVIDENCE,
    );
    assert.equal(after.readingSummary, '1/2 · 1.5 of 7.5 h');
    assert.deepEqual(
      after.readings.map((r) => r.read),
      [false, true],
    );
  });

  it('ignores progress entries for readings no longer in the course', () => {
    const m = buildCurriculum(course(), { version: 1, readings: { gone: { readAt: 'x' } } }, () => NONE, NO_EVIDENCE);
    assert.equal(m.readingSummary, '0/2 · 0 of 7.5 h');
  });

  it('orders exercise states: unavailable, not started, in progress, tests passing, trained', () => {
    assert.equal(exerciseState(NONE), 'unavailable');
    assert.equal(exerciseState({ ...NONE, templateAvailable: true }), 'notStarted');
    assert.equal(exerciseState({ ...NONE, templateAvailable: true, scaffolded: true }), 'inProgress');
    assert.equal(
      exerciseState({ ...NONE, templateAvailable: true, scaffolded: true, testsPassing: true }),
      'testsPassing',
    );
    assert.equal(
      exerciseState({ templateAvailable: true, scaffolded: true, testsPassing: true, trained: true }),
      'trained',
    );
  });

  it('summarises exercises as started and available', () => {
    const facts = (id: string): ExerciseFacts =>
      id === 'clip' ? { ...NONE, templateAvailable: true, scaffolded: true } : NONE;
    const m = buildCurriculum(course(), { version: 1, readings: {} }, facts, NO_EVIDENCE);
    assert.deepEqual(
      m.exercises.map((e) => [e.index, e.state]),
      [
        [1, 'inProgress'],
        [2, 'unavailable'],
      ],
    );
    assert.equal(m.exerciseSummary, '1/2 started · 1 available');
  });

  it('describes an exercise in a word or two: its state or, once tested, k/n passing; screen readers get it all', () => {
    const facts = (): ExerciseFacts => ({ ...NONE, templateAvailable: true, scaffolded: true });
    const at = '2026-11-28T00:00:00Z';
    const tested = buildCurriculum(
      course(),
      { version: 1, readings: {}, exercises: { clip: { tests: { passed: 3, total: 12, at } } } },
      facts,
      NO_EVIDENCE,
    );
    assert.deepEqual(tested.exercises.map(exerciseDescription), ['3/12 pass', 'in progress']);
    const row = tested.exercises[0];
    assert.equal(
      exerciseDescription({ ...row, state: 'testsPassing', tests: { passed: 12, total: 12 } }),
      '12/12 pass',
    );
    assert.equal(exerciseDescription({ ...row, state: 'trained', tests: { passed: 11, total: 12 } }), 'trained');
    assert.equal(exerciseDescription({ ...row, state: 'unavailable' }), 'unavailable');
    assert.equal(
      exerciseDescription({ ...row, state: 'notStarted' }),
      'not started',
      'a reset exercise does not show old counts',
    );
    assert.equal(
      exerciseAccessibleLabel({ ...row, state: 'trained', tests: { passed: 11, total: 12 } }),
      '1. CLIP from scratch, trained, 11 of 12 tests pass',
    );
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

describe('exercise rows in the sidebar', () => {
  it('labels an exercise by its short title; the full title stays for the tooltip', () => {
    const doc = validCourseDoc() as { exercises: Record<string, unknown>[] };
    doc.exercises[0] = {
      ...doc.exercises[0],
      title: 'Contrastive language-image pretraining, from scratch',
      shortTitle: 'CLIP from scratch',
    };
    const r = parseCourse(JSON.stringify(doc), 'course.json');
    assert.ok(r.ok);
    const m = buildCurriculum(r.course, { version: 1, readings: {} }, () => NONE, NO_EVIDENCE);
    assert.deepEqual(m.exercises.map(exerciseLabel), ['1. CLIP from scratch', '2. DDPM on MNIST']);
    assert.equal(m.exercises[0].exercise.title, 'Contrastive language-image pretraining, from scratch');
  });

  it('names the milestones each exercise feeds, and none where there is none', () => {
    const doc = validCourseDoc() as { exercises: Record<string, unknown>[] };
    doc.exercises.push({ id: 'cfg', title: 'Guidance', goal: 'Guide.', readings: [] });
    const r = parseCourse(JSON.stringify(doc), 'course.json');
    assert.ok(r.ok);
    const m = buildCurriculum(r.course, { version: 1, readings: {} }, () => NONE, NO_EVIDENCE);
    assert.deepEqual(
      m.exercises.map((e) => [e.exercise.id, e.milestones]),
      [
        ['clip', ['Explain the loss']],
        ['ddpm', ['Train a diffusion model']],
        ['cfg', []],
      ],
    );
  });

  // Measured in code-server 1.100 at its default sidebar width (300 px): an exercise row has 225 px for its label
  // (13 px font, at most 7 px a character) and its description (11.7 px font, at most 6 px a character), with 6 px
  // between them; past that VS Code cuts the row with an ellipsis.
  const rowPixels = (label: string, description: string): number => label.length * 7 + 6 + description.length * 6;
  it('fits every shipped exercise row in the default sidebar width, in every state', async () => {
    const r = await loadCourseFile(path.resolve(__dirname, '..', '..', 'templates', 'course.json'));
    assert.ok(r.ok);
    const m = buildCurriculum(r.course, { version: 1, readings: {} }, () => NONE, NO_EVIDENCE);
    const states: Pick<ExerciseRow, 'state' | 'tests'>[] = [
      { state: 'unavailable' },
      { state: 'notStarted' },
      { state: 'inProgress', tests: { passed: 23, total: 24 } },
      { state: 'testsPassing', tests: { passed: 24, total: 24 } },
      { state: 'trained', tests: { passed: 23, total: 24 } },
    ];
    for (const row of m.exercises) {
      for (const s of states) {
        const [label, description] = [exerciseLabel(row), exerciseDescription({ ...row, ...s })];
        assert.ok(
          rowPixels(label, description) <= 225,
          `"${label}  ${description}" needs about ${rowPixels(label, description)} px`,
        );
      }
    }
  });

  it("heads every shipped exercise's README with its full title, which the short title only abbreviates", async () => {
    const templates = path.resolve(__dirname, '..', '..', 'templates');
    const r = await loadCourseFile(path.join(templates, 'course.json'));
    assert.ok(r.ok);
    for (const e of r.course.exercises) {
      const readme = await readFile(path.join(templates, e.id, 'README.md'), 'utf8');
      assert.equal(readme.split('\n')[0], `# ${e.title}`, e.id);
    }
  });

  it("has the shipped Whisper exercise feed a milestone that only a full run's WER on accent B ticks", async () => {
    const r = await loadCourseFile(path.resolve(__dirname, '..', '..', 'templates', 'course.json'));
    assert.ok(r.ok);
    const m = buildCurriculum(r.course, { version: 1, readings: {} }, () => NONE, NO_EVIDENCE);
    const whisper = m.exercises.find((e) => e.exercise.id === 'whisper');
    assert.equal(whisper?.milestones.length, 1);
    const milestone = r.course.milestones.find((x) => x.title === whisper?.milestones[0]);
    assert.ok(milestone);
    const tick = (wer: number | undefined, tests: boolean): boolean =>
      evaluateMilestone(r.course, milestone, {
        ...NO_EVIDENCE,
        testsPassing: new Set(tests ? ['whisper'] : []),
        runMetric: (ex, metric) => (ex === 'whisper' && metric === 'wer_b_after' ? wer : undefined),
      }).met;
    // The README's reference run ends at 11.6% on B; the pretrained model starts at 40.7%.
    assert.deepEqual(
      [tick(undefined, true), tick(0.407, true), tick(0.116, false), tick(0.116, true)],
      [false, false, false, true],
    );
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
    const full = evaluateMilestone(
      c,
      c.milestones[0],
      snapshot({ testsPassing: new Set(['clip']), quizzesPassed: new Set(['clip-loss']) }),
    );
    assert.equal(full.met, true);
  });

  it('compares run metrics against the threshold, inclusive', () => {
    const c = course();
    const at = (v: number | undefined): boolean =>
      evaluateMilestone(
        c,
        c.milestones[1],
        snapshot({ runMetric: (ex, metric) => (ex === 'ddpm' && metric === 'sample_confidence' ? v : undefined) }),
      ).met;
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
      version: 1,
      readings: {},
      exercises: {
        clip: { tests: { passed: 7, total: 7, at: 'x' }, trained: { runId: 'r1', at: 'x' } },
        ddpm: { tests: { passed: 2, total: 4, at: 'x' } },
      },
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
      version: 1,
      readings: {},
      exercises: {
        clip: { tests: { passed: 7, total: 7, at: 'x' } },
        ddpm: { tests: { passed: 3, total: 4, at: 'x' } },
        cfg: { tests: { passed: 0, total: 0, at: 'x' } },
      },
    });
    assert.deepEqual([...e.testsPassing], ['clip']);
    assert.deepEqual([...e.quizzesPassed], []);
  });

  it('reads run metrics from the summary of the last finished run', async () => {
    const ws = await mkdtemp(path.join(tmpdir(), 'mml-evidence-'));
    const dir = path.join(ws, '.multimodal-lab', 'runs', 'ddpm', 'r2');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'summary.json'), '{"sample_confidence": 0.86, "note": "text"}');
    const e = await gatherEvidence(ws, {
      version: 1,
      readings: {},
      exercises: { ddpm: { trained: { runId: 'r2', at: 'x' } }, clip: { trained: { runId: 'gone', at: 'x' } } },
    });
    assert.equal(e.runMetric('ddpm', 'sample_confidence'), 0.86);
    assert.equal(e.runMetric('ddpm', 'note'), undefined);
    assert.equal(e.runMetric('clip', 'anything'), undefined);
    const c = course();
    assert.equal(evaluateMilestone(c, c.milestones[1], e).met, true);
  });

  it('takes a run id from progress.json only when it names a run folder (the file can be edited by hand)', async () => {
    const ws = await mkdtemp(path.join(tmpdir(), 'mml-evidence-'));
    // A summary.json one level up, where "../r2" would have led: it must not count.
    await mkdir(path.join(ws, '.multimodal-lab', 'runs', 'r2'), { recursive: true });
    await writeFile(path.join(ws, '.multimodal-lab', 'runs', 'r2', 'summary.json'), '{"sample_confidence": 0.86}');
    const e = await gatherEvidence(ws, {
      version: 1,
      readings: {},
      exercises: { ddpm: { trained: { runId: '../r2', at: 'x' } } },
    });
    assert.equal(e.runMetric('ddpm', 'sample_confidence'), undefined);
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
