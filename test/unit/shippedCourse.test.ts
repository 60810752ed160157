import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { formatCourseError, loadCourseFile } from '../../src/core/course/load';
import { Course } from '../../src/core/course/types';
import { validateCourse } from '../../src/core/course/validate';
import { validCourseDoc } from '../fixtures/course';

const root = path.resolve(__dirname, '..', '..');
const courseFile = path.join(root, 'templates', 'course.json');
const schema = JSON.parse(readFileSync(path.join(root, 'schemas', 'course.schema.json'), 'utf8'));
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));

async function shipped(): Promise<Course> {
  const r = await loadCourseFile(courseFile);
  assert.ok(r.ok, r.ok ? '' : r.errors.map(formatCourseError).join('\n'));
  return r.course;
}

describe('the shipped course', () => {
  it('holds the 12-item reading path in order, 77 hours in all', async () => {
    const c = await shipped();
    assert.deepEqual(
      c.readings.map((r) => [r.id, r.hours]),
      [
        ['clip', 6],
        ['flamingo', 8],
        ['blip-2', 6],
        ['llava', 5],
        ['gpt-4v-system-card', 4],
        ['ddpm', 8],
        ['latent-diffusion', 6],
        ['classifier-free-guidance', 3],
        ['whisper', 5],
        ['vit', 5],
        ['weng-diffusion', 6],
        ['open-clip', 15],
      ],
    );
    assert.deepEqual(
      c.readings.map((r) => r.kind).filter((k) => k !== 'paper'),
      ['blog', 'code'],
    );
    for (const r of c.readings) {
      assert.match(
        r.url,
        /^https:\/\/(arxiv\.org\/abs\/\d{4}\.\d{5}|openai\.com\/|lilianweng\.github\.io\/|github\.com\/mlfoundations\/open_clip)/,
        r.id,
      );
      assert.ok(r.questions.length >= 3 && r.questions.length <= 5, r.id);
    }
  });

  it('declares the twelve exercises and nine milestones', async () => {
    const c = await shipped();
    assert.deepEqual(
      c.exercises.map((e) => e.id),
      [
        'clip',
        'ddpm',
        'llava',
        'cfg',
        'whisper',
        'bridges',
        'latent',
        'collapse',
        'openclip',
        'evaluation',
        'qformer',
        'curation',
      ],
    );
    assert.deepEqual(
      c.milestones.map((m) => m.id),
      [
        'clip-loss',
        'diffusion-trained',
        'speech-finetuned',
        'vlm-bridges',
        'latent-speedup',
        'text-collapse',
        'contrastive-at-scale',
        'evaluated-before-release',
        'data-curated',
      ],
    );
  });

  it('lists the lab/ modules every exercise gets, and each exercise its own, all present in templates/workspace/lab/', async () => {
    const c = await shipped();
    const lab = path.join(root, 'templates', 'workspace', 'lab');
    assert.ok(c.lab?.includes('report.ts') && c.lab.includes('runtime'), 'the course lists its core lab modules');
    for (const m of [...(c.lab ?? []), ...c.exercises.flatMap((e) => e.lab ?? [])])
      assert.ok(existsSync(path.join(lab, m)), `lab/${m} is listed but does not exist`);
    for (const e of c.exercises) assert.ok(e.lab && e.lab.length > 0, `exercise "${e.id}" lists no lab modules`);
    assert.ok(
      !c.exercises.find((e) => e.id === 'clip')?.lab?.includes('vision.ts'),
      'exercise 1 writes its own vision tower',
    );
  });

  it('is contributed to the editor through jsonValidation with the schema in the repo', () => {
    const contribution = pkg.contributes.jsonValidation.find(
      (j: { url: string }) => j.url === './schemas/course.schema.json',
    );
    assert.ok(contribution, 'package.json must contribute schemas/course.schema.json');
    assert.ok(contribution.fileMatch.includes('**/templates/course.json'));
  });
});

describe('the JSON Schema agrees with the loader', () => {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  const schemaValid = ajv.compile(schema);

  it('accepts the shipped course and the test fixture', () => {
    const course = JSON.parse(readFileSync(courseFile, 'utf8'));
    assert.ok(schemaValid(course), JSON.stringify(schemaValid.errors));
    assert.ok(schemaValid(validCourseDoc()), JSON.stringify(schemaValid.errors));
  });

  // Structural faults both must reject. (Cross-references such as unknown reading ids are the loader's alone.)
  type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const faults: [string, (d: Doc) => void][] = [
    ['hours as text', (d) => (d.readings[0].hours = 'six')],
    ['zero hours', (d) => (d.readings[0].hours = 0)],
    ['a missing title', (d) => delete d.readings[0].title],
    ['a misspelt property', (d) => (d.readings[0].huors = 1)],
    ['an http link', (d) => (d.readings[0].url = 'http://example.com')],
    ['two questions', (d) => (d.readings[0].questions = ['a?', 'b?'])],
    ['six questions', (d) => (d.readings[0].questions = ['a', 'b', 'c', 'd', 'e', 'f'])],
    ['a non-kebab id', (d) => (d.readings[0].id = 'Not Kebab')],
    ['an unknown kind', (d) => (d.readings[0].kind = 'video')],
    ['a fractional year', (d) => (d.readings[0].year = 2021.5)],
    ['an unknown evidence kind', (d) => (d.milestones[0].evidence[0] = { kind: 'vibes' })],
    ['a bad comparison', (d) => (d.milestones[1].evidence[0].op = '>')],
    ['no readings', (d) => (d.readings = [])],
    ['version 2', (d) => (d.version = 2)],
    ['a lab module outside lab/', (d) => (d.lab = ['../package.json'])],
    ['lab modules that are not a list', (d) => (d.lab = 'report.ts')],
  ];
  for (const [what, mutate] of faults) {
    it(`both reject ${what}`, () => {
      const doc = validCourseDoc() as Doc;
      mutate(doc);
      assert.equal(schemaValid(doc), false, 'schema accepted it');
      assert.equal(validateCourse(doc).ok, false, 'loader accepted it');
    });
  }
});
