import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CourseError, formatCourseError, loadCourseFile, parseCourse } from '../../src/core/course/load';
import { validCourseDoc } from '../fixtures/course';

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function errorsOf(text: string): readonly CourseError[] {
  const r = parseCourse(text, 'course.json');
  assert.equal(r.ok, false, 'expected the course to be rejected');
  return r.ok ? [] : r.errors;
}

function errorsAfter(mutate: (d: Doc) => void): readonly CourseError[] {
  const doc = validCourseDoc() as Doc;
  mutate(doc);
  return errorsOf(JSON.stringify(doc, null, 2));
}

/** The 1-based line in pretty-printed JSON where `needle` first appears. */
function lineOf(doc: Doc, needle: string): number {
  return (
    JSON.stringify(doc, null, 2)
      .split('\n')
      .findIndex((l) => l.includes(needle)) + 1
  );
}

describe('course loader', () => {
  it('accepts the valid fixture and keeps every field', () => {
    const r = parseCourse(JSON.stringify(validCourseDoc()), 'course.json');
    assert.ok(r.ok, r.ok ? '' : r.errors.map(formatCourseError).join('\n'));
    assert.equal(r.course.readings.length, 2);
    assert.deepEqual(r.course.readings[1].questions, ['Q1?', 'Q2?', 'Q3?', 'Q4?']);
    assert.equal(r.course.milestones[1].evidence[0].kind, 'runMetric');
  });

  it('allows a $schema property for editor completion', () => {
    const r = parseCourse(
      JSON.stringify({ $schema: '../schemas/course.schema.json', ...validCourseDoc() }),
      'course.json',
    );
    assert.ok(r.ok);
  });

  describe('malformed course files give file, line, column, JSON path and what was expected', () => {
    it('1. an empty file', () => {
      const [e] = errorsOf('');
      assert.match(e.message, /expected a value|empty/);
      assert.equal(e.line, 1);
    });

    it('2. a trailing comma is a syntax error at its line', () => {
      const text = '{\n  "version": 1,\n  "title": "x",\n}\n';
      const [e] = errorsOf(text);
      assert.equal(e.file, 'course.json');
      assert.equal(e.line, 4);
      assert.equal(e.column, 1);
      assert.match(e.message, /^JSON syntax error: expected a property name/);
    });

    it('3. comments are rejected with a reason', () => {
      const [e] = errorsOf('// my course\n{}');
      assert.match(e.message, /comments are not allowed/);
      assert.equal(e.line, 1);
    });

    it('4. a root that is not an object', () => {
      const [e] = errorsOf('[1, 2]');
      assert.equal(e.path, '');
      assert.equal(e.message, 'expected an object, got an array of 2');
    });

    it('5. a course written for a newer version', () => {
      const [e] = errorsAfter((d) => (d.version = 2));
      assert.equal(e.path, 'version');
      assert.match(e.message, /expected 1, got number 2 \(written for a newer Multimodal Lab; update the extension\)/);
      assert.equal(e.line, 2);
    });

    it('6. hours given as text points at the property line', () => {
      const doc = validCourseDoc() as Doc;
      doc.readings[1].hours = 'six';
      const errors = errorsOf(JSON.stringify(doc, null, 2));
      assert.equal(errors.length, 1);
      const [e] = errors;
      assert.equal(e.path, 'readings[1].hours');
      assert.equal(e.message, 'expected a number in [0.25, 200], got string "six"');
      assert.equal(e.line, lineOf(doc, '"six"'));
      assert.equal(e.column, 7);
      assert.equal(
        formatCourseError(e),
        `course.json:${e.line}:7 readings[1].hours: expected a number in [0.25, 200], got string "six"`,
      );
    });

    it('7. a missing required property names it', () => {
      const [e] = errorsAfter((d) => delete d.readings[0].title);
      assert.equal(e.path, 'readings[0]');
      assert.equal(e.message, 'missing required property "title"');
    });

    it('8. a misspelt property suggests the right one', () => {
      const errors = errorsAfter((d) => {
        d.readings[0].huors = d.readings[0].hours;
        delete d.readings[0].hours;
      });
      const typo = errors.find((e) => e.path === 'readings[0].huors');
      assert.ok(typo, JSON.stringify(errors));
      assert.match(typo.message, /unknown property "huors" \(did you mean "hours"\?\)/);
      assert.ok(errors.some((e) => e.message === 'missing required property "hours"'));
    });

    it('9. duplicate reading ids name the first use', () => {
      const [e] = errorsAfter((d) => (d.readings[1].id = 'clip'));
      assert.equal(e.path, 'readings[1].id');
      assert.equal(e.message, 'duplicate id "clip" (first used at readings[0])');
    });

    it('10. an id that is not kebab-case', () => {
      const [e] = errorsAfter((d) => (d.readings[1].id = 'Weng Diffusion'));
      assert.equal(e.path, 'readings[1].id');
      assert.match(e.message, /expected a lower-kebab-case id/);
    });

    it('11. a link that is not https', () => {
      const [e] = errorsAfter((d) => (d.readings[0].url = 'http://arxiv.org/abs/2103.00020'));
      assert.equal(e.path, 'readings[0].url');
      assert.equal(e.message, 'expected an https:// link, got "http://arxiv.org/abs/2103.00020"');
    });

    it('12. too few guiding questions', () => {
      const [e] = errorsAfter((d) => (d.readings[0].questions = ['only one?', 'two?']));
      assert.equal(e.path, 'readings[0].questions');
      assert.equal(e.message, 'expected 3–5 items, got 2');
    });

    it('13. an unknown reading kind', () => {
      const [e] = errorsAfter((d) => (d.readings[0].kind = 'video'));
      assert.equal(e.path, 'readings[0].kind');
      assert.equal(e.message, 'expected one of paper, blog, code, got string "video"');
    });

    it('14. an exercise that builds on an unknown reading', () => {
      const [e] = errorsAfter((d) => (d.exercises[1].readings = ['ddpm-paper']));
      assert.equal(e.path, 'exercises[1].readings[0]');
      assert.equal(e.message, 'unknown reading id "ddpm-paper"; known: clip, weng-diffusion');
    });

    it('15. milestone evidence of an unknown kind', () => {
      const [e] = errorsAfter((d) => (d.milestones[0].evidence[1] = { kind: 'vibes' }));
      assert.equal(e.path, 'milestones[0].evidence[1]');
      assert.match(e.message, /"kind" is "testsPass", "runMetric" or "quiz", got string "vibes"/);
    });

    it('16. milestone evidence about an unknown exercise', () => {
      const [e] = errorsAfter((d) => (d.milestones[1].evidence[0].exercise = 'latent'));
      assert.equal(e.path, 'milestones[1].evidence[0].exercise');
      assert.equal(e.message, 'unknown exercise id "latent"; known: clip, ddpm');
    });

    it('17. reports every problem at once, not just the first', () => {
      const errors = errorsAfter((d) => {
        d.readings[0].year = 21;
        d.exercises[0].title = '';
        d.milestones[1].evidence[0].op = '>';
      });
      assert.deepEqual(errors.map((e) => e.path).sort(), [
        'exercises[0].title',
        'milestones[1].evidence[0].op',
        'readings[0].year',
      ]);
    });

    it('18. a file that does not exist', async () => {
      const dir = await mkdtemp(path.join(tmpdir(), 'mml-course-'));
      const r = await loadCourseFile(path.join(dir, 'nope.json'));
      assert.equal(r.ok, false);
      assert.match(r.ok ? '' : r.errors[0].message, /^the file does not exist; reinstall the extension/);
    });
  });

  describe('short titles for the sidebar', () => {
    const schema = JSON.parse(
      readFileSync(path.resolve(__dirname, '..', '..', 'schemas', 'course.schema.json'), 'utf8'),
    );
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    const schemaValid = ajv.compile(schema);
    const withExercise = (patch: Record<string, unknown>): Doc => {
      const doc = validCourseDoc() as Doc;
      doc.exercises[0] = { ...doc.exercises[0], ...patch };
      return doc;
    };

    it("keeps an exercise's shortTitle next to its full title", () => {
      const doc = withExercise({
        title: 'Fine-tune a Whisper-style recognizer on a new accent',
        shortTitle: 'Whisper accent',
      });
      const r = parseCourse(JSON.stringify(doc), 'course.json');
      assert.ok(r.ok, r.ok ? '' : r.errors.map(formatCourseError).join('\n'));
      assert.equal(r.course.exercises[0].shortTitle, 'Whisper accent');
      assert.equal(r.course.exercises[0].title, 'Fine-tune a Whisper-style recognizer on a new accent');
      assert.equal(r.course.exercises[1].shortTitle, undefined, 'a title short enough for the tree needs none');
      assert.ok(schemaValid(doc), JSON.stringify(schemaValid.errors));
    });

    it('rejects a shortTitle longer than 17 characters, in the loader and the schema', () => {
      const doc = withExercise({ shortTitle: 'Contrastive pretraining' });
      const [e] = errorsOf(JSON.stringify(doc, null, 2));
      assert.equal(e.path, 'exercises[0].shortTitle');
      assert.equal(e.message, 'expected at most 17 characters, got 23');
      assert.equal(e.line, lineOf(doc, '"shortTitle"'));
      assert.equal(schemaValid(doc), false);
      assert.equal(schemaValid(withExercise({ shortTitle: ' ' })), false, 'a blank short title');
    });

    it('asks for a shortTitle when the title is too long for the sidebar', () => {
      const [e] = errorsAfter((d) => (d.exercises[1].title = 'Denoising diffusion on MNIST digits'));
      assert.equal(e.path, 'exercises[1].title');
      assert.equal(
        e.message,
        'is 35 characters, more than the Curriculum sidebar shows (17); add a "shortTitle" of at most 17 characters for the tree',
      );
    });
  });

  describe('lab modules: what Start copies from lab/', () => {
    const schema = JSON.parse(
      readFileSync(path.resolve(__dirname, '..', '..', 'schemas', 'course.schema.json'), 'utf8'),
    );
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    const schemaValid = ajv.compile(schema);
    const withLab = (core: unknown, own: unknown): Doc => {
      const doc = validCourseDoc() as Doc;
      if (core !== undefined) doc.lab = core;
      if (own !== undefined) doc.exercises[0].lab = own;
      return doc;
    };

    it("keeps the course's list and an exercise's; a course without lists has neither", () => {
      const doc = withLab(['index.ts', 'report.ts', 'runtime'], ['vision.ts', 'weights/shapes-clip']);
      const r = parseCourse(JSON.stringify(doc), 'course.json');
      assert.ok(r.ok, r.ok ? '' : r.errors.map(formatCourseError).join('\n'));
      assert.deepEqual(r.course.lab, ['index.ts', 'report.ts', 'runtime']);
      assert.deepEqual(r.course.exercises[0].lab, ['vision.ts', 'weights/shapes-clip']);
      assert.equal(r.course.exercises[1].lab, undefined);
      assert.ok(schemaValid(doc), JSON.stringify(schemaValid.errors));
      const plain = parseCourse(JSON.stringify(validCourseDoc()), 'course.json');
      assert.ok(plain.ok && plain.course.lab === undefined && plain.course.exercises[0].lab === undefined);
    });

    const bad: [string, unknown, string][] = [
      [
        'a path out of lab/',
        '../src/extension.ts',
        'expected a path inside lab/ such as "vision.ts" or "weights/shapes-clip" (no leading "/", "./" or ".."), got string "../src/extension.ts"',
      ],
      [
        'an absolute path',
        '/etc/passwd',
        'expected a path inside lab/ such as "vision.ts" or "weights/shapes-clip" (no leading "/", "./" or ".."), got string "/etc/passwd"',
      ],
      [
        'a "./" path',
        './vision.ts',
        'expected a path inside lab/ such as "vision.ts" or "weights/shapes-clip" (no leading "/", "./" or ".."), got string "./vision.ts"',
      ],
      [
        'a number',
        3,
        'expected a path inside lab/ such as "vision.ts" or "weights/shapes-clip" (no leading "/", "./" or ".."), got number 3',
      ],
    ];
    for (const [what, entry, message] of bad) {
      it(`rejects ${what}, in the loader and the schema`, () => {
        const doc = withLab(['report.ts'], ['vision.ts', entry]);
        const [e] = errorsOf(JSON.stringify(doc, null, 2));
        assert.equal(e.path, 'exercises[0].lab[1]');
        assert.equal(e.message, message);
        assert.equal(schemaValid(doc), false, 'the schema accepted it');
      });
    }

    it('rejects a module listed twice, in the loader and the schema', () => {
      const doc = withLab(['report.ts', 'runtime', 'report.ts'], undefined);
      const [e] = errorsOf(JSON.stringify(doc, null, 2));
      assert.equal(e.path, 'lab[2]');
      assert.equal(e.message, '"report.ts" is listed twice (first at lab[0])');
      assert.equal(schemaValid(doc), false);
    });

    it("rejects an exercise's list when the course has none (Start would copy all of lab/ anyway)", () => {
      const [e] = errorsAfter((d) => (d.exercises[1].lab = ['mnist.ts']));
      assert.equal(e.path, 'exercises[1].lab');
      assert.match(e.message, /^lists lab modules, but the course has no top-level "lab" list/);
    });

    it("rejects an exercise's module that every exercise gets already", () => {
      const [e] = errorsOf(
        JSON.stringify(withLab(['report.ts', 'runtime'], ['vision.ts', 'runtime/ladder.ts']), null, 2),
      );
      assert.equal(e.path, 'exercises[0].lab[1]');
      assert.equal(
        e.message,
        '"runtime/ladder.ts" is already copied for every exercise by the course\'s "lab" entry "runtime"; remove it here',
      );
    });
  });

  describe('builtOn: exercises whose answers an exercise provides', () => {
    const schema = JSON.parse(
      readFileSync(path.resolve(__dirname, '..', '..', 'schemas', 'course.schema.json'), 'utf8'),
    );
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    const schemaValid = ajv.compile(schema);
    /** The fixture with a third exercise, "cfg", and the given builtOn lists by exercise id. */
    const withBuiltOn = (lists: Record<string, unknown>): Doc => {
      const doc = validCourseDoc() as Doc;
      doc.exercises.push({ id: 'cfg', title: 'Guidance', goal: 'Guide a DDPM.', readings: [] });
      for (const e of doc.exercises) if (e.id in lists) e.builtOn = lists[e.id];
      return doc;
    };

    it('keeps the list, and leaves it out where an exercise has none', () => {
      const doc = withBuiltOn({ cfg: ['ddpm', 'clip'] });
      const r = parseCourse(JSON.stringify(doc), 'course.json');
      assert.ok(r.ok, r.ok ? '' : r.errors.map(formatCourseError).join('\n'));
      assert.deepEqual(r.course.exercises[2].builtOn, ['ddpm', 'clip']);
      assert.equal(r.course.exercises[0].builtOn, undefined);
      assert.ok(schemaValid(doc), JSON.stringify(schemaValid.errors));
    });

    it('rejects an unknown exercise id', () => {
      const [e] = errorsOf(JSON.stringify(withBuiltOn({ cfg: ['ddpm', 'dpm'] }), null, 2));
      assert.equal(e.path, 'exercises[2].builtOn[1]');
      assert.equal(e.message, 'unknown exercise id "dpm"; known: clip, ddpm, cfg');
    });

    it('rejects an exercise built on itself', () => {
      const [e] = errorsOf(JSON.stringify(withBuiltOn({ cfg: ['cfg'] }), null, 2));
      assert.equal(e.path, 'exercises[2].builtOn[0]');
      assert.match(e.message, /^"cfg" is this exercise itself/);
    });

    it('rejects a cycle, once, naming its path', () => {
      const errors = errorsOf(JSON.stringify(withBuiltOn({ clip: ['cfg'], ddpm: ['clip'], cfg: ['ddpm'] }), null, 2));
      assert.deepEqual(
        errors.map((e) => `${e.path}: ${e.message}`),
        [
          'exercises[0].builtOn: builtOn goes round in a cycle (clip → cfg → ddpm → clip); an exercise can only build on ones a learner can finish first',
        ],
      );
      assert.equal(errors.length, 1);
      const [two] = errorsOf(JSON.stringify(withBuiltOn({ ddpm: ['cfg'], cfg: ['ddpm'] }), null, 2));
      assert.match(two.message, /cycle \(ddpm → cfg → ddpm\)/);
    });

    it('rejects an empty list, a repeated id and a non-id, in the loader and the schema', () => {
      for (const [list, message] of [
        [[], 'expected at least 1 items, got 0'],
        [['ddpm', 'ddpm'], '"ddpm" is listed twice (first at exercises[2].builtOn[0])'],
        [['DDPM'], 'expected an exercise id such as "ddpm", got string "DDPM"'],
      ] as const) {
        const doc = withBuiltOn({ cfg: list });
        const [e] = errorsOf(JSON.stringify(doc, null, 2));
        assert.equal(e.message, message);
        assert.equal(schemaValid(doc), false, `the schema accepted ${JSON.stringify(list)}`);
      }
    });
  });

  it('reads a file with a UTF-8 byte-order mark', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'mml-course-'));
    const file = path.join(dir, 'course.json');
    await writeFile(file, `\uFEFF${JSON.stringify(validCourseDoc())}`);
    const r = await loadCourseFile(file);
    assert.ok(r.ok);
  });
});
