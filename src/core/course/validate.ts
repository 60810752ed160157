import {
  Course,
  COURSE_SCHEMA_VERSION,
  SHORT_TITLE_MAX,
  Evidence,
  Exercise,
  Milestone,
  Reading,
  ReadingKind,
} from './types';

/** One problem found in a course file, addressed by JSON path (`readings[3].hours`). */
export interface CourseIssue {
  readonly path: string;
  readonly message: string;
}

export type Validation<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly issues: readonly CourseIssue[] };

const ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;
/** A path inside `lab/`: segments of letters, digits, `_`, `-` and `.`, none starting with a dot (so no `..`). */
export const LAB_MODULE = /^[A-Za-z0-9_-][A-Za-z0-9_.-]*(\/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*$/;
const READING_KINDS: readonly ReadingKind[] = ['paper', 'blog', 'code'];

type Json = unknown;
type Obj = Record<string, Json>;

/** Collects issues while walking the document; each check names what was expected and what was found. */
class Checker {
  readonly issues: CourseIssue[] = [];

  fail(path: string, message: string): void {
    this.issues.push({ path, message });
  }

  object(v: Json, path: string, keys: readonly string[], optional: readonly string[] = []): Obj | undefined {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      this.fail(path, `expected an object, got ${describe(v)}`);
      return undefined;
    }
    const o = v as Obj;
    const known = [...keys, ...optional];
    for (const k of Object.keys(o)) {
      if (!known.includes(k)) {
        const hint = closest(k, known);
        this.fail(
          join(path, k),
          `unknown property "${k}"${hint ? ` (did you mean "${hint}"?)` : ''}; allowed: ${known.join(', ')}`,
        );
      }
    }
    for (const k of keys) if (!(k in o)) this.fail(path, `missing required property "${k}"`);
    return o;
  }

  string(
    o: Obj,
    key: string,
    path: string,
    opts: { pattern?: RegExp; patternHint?: string; maxLength?: number } = {},
  ): string {
    const v = o[key];
    if (!(key in o)) return '';
    const p = join(path, key);
    if (typeof v !== 'string' || v.trim() === '') {
      this.fail(p, `expected a non-empty string, got ${describe(v)}`);
      return '';
    }
    if (opts.pattern && !opts.pattern.test(v))
      this.fail(p, `expected ${opts.patternHint ?? opts.pattern.source}, got ${JSON.stringify(v)}`);
    if (opts.maxLength !== undefined && v.length > opts.maxLength)
      this.fail(p, `expected at most ${opts.maxLength} characters, got ${v.length}`);
    return v;
  }

  number(o: Obj, key: string, path: string, min: number, max: number, integer = false): number {
    const v = o[key];
    if (!(key in o)) return NaN;
    const p = join(path, key);
    const what = `${integer ? 'an integer' : 'a number'} in [${min}, ${max}]`;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
      this.fail(p, `expected ${what}, got ${describe(v)}`);
      return NaN;
    }
    return v;
  }

  array(o: Obj, key: string, path: string, minItems: number, maxItems = Infinity): Json[] {
    const v = o[key];
    if (!(key in o)) return [];
    const p = join(path, key);
    if (!Array.isArray(v)) {
      this.fail(p, `expected an array, got ${describe(v)}`);
      return [];
    }
    if (v.length < minItems || v.length > maxItems) {
      const range = maxItems === Infinity ? `at least ${minItems}` : `${minItems}–${maxItems}`;
      this.fail(p, `expected ${range} items, got ${v.length}`);
    }
    return v;
  }

  uniqueIds(items: readonly { id: string }[], path: string): void {
    const seen = new Map<string, number>();
    items.forEach((item, i) => {
      const first = seen.get(item.id);
      if (item.id && first !== undefined)
        this.fail(`${path}[${i}].id`, `duplicate id "${item.id}" (first used at ${path}[${first}])`);
      else seen.set(item.id, i);
    });
  }
}

/** Validates a parsed course document. Structural checks first, then cross-references between sections. */
export function validateCourse(doc: Json): Validation<Course> {
  const c = new Checker();
  const root = c.object(doc, '', ['version', 'title', 'readings', 'exercises', 'milestones'], ['$schema', 'lab']);
  if (!root) return { ok: false, issues: c.issues };

  if ('version' in root && root.version !== COURSE_SCHEMA_VERSION) {
    const newer = typeof root.version === 'number' && root.version > COURSE_SCHEMA_VERSION;
    c.fail(
      'version',
      `expected ${COURSE_SCHEMA_VERSION}, got ${describe(root.version)}${newer ? ' (written for a newer Multimodal Lab; update the extension)' : ''}`,
    );
  }
  const title = c.string(root, 'title', '');
  const lab = 'lab' in root ? labModules(c, root, '') : undefined;
  const readings = c.array(root, 'readings', '', 1).map((r, i) => reading(c, r, `readings[${i}]`));
  const exercises = c.array(root, 'exercises', '', 1).map((e, i) => exercise(c, e, `exercises[${i}]`));
  const milestones = c.array(root, 'milestones', '', 0).map((m, i) => milestone(c, m, `milestones[${i}]`));
  c.uniqueIds(readings, 'readings');
  c.uniqueIds(exercises, 'exercises');
  c.uniqueIds(milestones, 'milestones');

  const readingIds = new Set(readings.map((r) => r.id));
  const exerciseIds = new Set(exercises.map((e) => e.id));
  exercises.forEach((e, i) =>
    e.readings.forEach((r, j) => {
      if (r && !readingIds.has(r))
        c.fail(`exercises[${i}].readings[${j}]`, `unknown reading id "${r}"; known: ${[...readingIds].join(', ')}`);
    }),
  );
  exercises.forEach((e, i) => {
    if (e.lab === undefined) return;
    // Without a course-level list Start copies all of lab/, so an exercise's own list would silently mean nothing.
    if (lab === undefined)
      c.fail(
        `exercises[${i}].lab`,
        'lists lab modules, but the course has no top-level "lab" list of the modules every exercise gets; add one (Start copies all of lab/ without it)',
      );
    else
      e.lab.forEach((m, j) => {
        const core = lab.find((k) => m === k || m.startsWith(`${k}/`));
        if (core !== undefined)
          c.fail(
            `exercises[${i}].lab[${j}]`,
            `"${m}" is already copied for every exercise by the course's "lab" entry "${core}"; remove it here`,
          );
      });
  });
  builtOnProblems(c, exercises, exerciseIds);
  milestones.forEach((m, i) =>
    m.evidence.forEach((ev, j) => {
      if (ev.kind !== 'quiz' && ev.exercise && !exerciseIds.has(ev.exercise)) {
        c.fail(
          `milestones[${i}].evidence[${j}].exercise`,
          `unknown exercise id "${ev.exercise}"; known: ${[...exerciseIds].join(', ')}`,
        );
      }
    }),
  );

  if (c.issues.length > 0) return { ok: false, issues: c.issues };
  return {
    ok: true,
    value: {
      version: COURSE_SCHEMA_VERSION,
      title,
      ...(lab !== undefined ? { lab } : {}),
      readings,
      exercises,
      milestones,
    },
  };
}

/** `builtOn` names other exercises of the course, and following it never leads back to where it started. */
function builtOnProblems(c: Checker, exercises: readonly Exercise[], ids: ReadonlySet<string>): void {
  exercises.forEach((e, i) =>
    e.builtOn?.forEach((b, j) => {
      const p = `exercises[${i}].builtOn[${j}]`;
      if (b === e.id)
        c.fail(p, `"${b}" is this exercise itself; list only the other exercises whose answers it provides`);
      else if (b && !ids.has(b)) c.fail(p, `unknown exercise id "${b}"; known: ${[...ids].join(', ')}`);
    }),
  );
  const byId = new Map(exercises.map((e) => [e.id, e]));
  const reported = new Set<string>();
  exercises.forEach((start, i) => {
    // Depth-first from each exercise; a path that reaches `start` again is a cycle (reported once per member set).
    const walk = (id: string, path: readonly string[]): void => {
      for (const next of byId.get(id)?.builtOn ?? []) {
        if (next === start.id && path.length > 0) {
          const cycle = [start.id, ...path, start.id];
          const key = [...new Set(cycle)].sort().join(',');
          if (!reported.has(key)) {
            reported.add(key);
            c.fail(
              `exercises[${i}].builtOn`,
              `builtOn goes round in a cycle (${cycle.join(' → ')}); an exercise can only build on ones a learner can finish first`,
            );
          }
        } else if (next !== start.id && next !== id && !path.includes(next) && byId.has(next))
          walk(next, [...path, next]);
      }
    };
    walk(start.id, []);
  });
}

/** A `lab` list: distinct paths inside `lab/`, such as `vision.ts` or `weights/shapes-clip`. */
function labModules(c: Checker, o: Obj, path: string): string[] {
  return distinctStrings(c, o, 'lab', path, 0, {
    pattern: LAB_MODULE,
    expected: 'a path inside lab/ such as "vision.ts" or "weights/shapes-clip" (no leading "/", "./" or "..")',
  });
}

/**
 * The list `o[key]` (at least `min` items) of strings that each match `item.pattern` (else "expected
 * <item.expected>") and are each listed once.
 */
function distinctStrings(
  c: Checker,
  o: Obj,
  key: string,
  path: string,
  min: number,
  item: { pattern: RegExp; expected: string },
): string[] {
  const p = join(path, key);
  const seen = new Map<string, number>();
  return c.array(o, key, path, min).map((v, i) => {
    if (typeof v !== 'string' || !item.pattern.test(v)) {
      c.fail(`${p}[${i}]`, `expected ${item.expected}, got ${describe(v)}`);
      return '';
    }
    const first = seen.get(v);
    if (first !== undefined) c.fail(`${p}[${i}]`, `"${v}" is listed twice (first at ${p}[${first}])`);
    else seen.set(v, i);
    return v;
  });
}

function reading(c: Checker, v: Json, path: string): Reading {
  const o = c.object(v, path, ['id', 'title', 'authors', 'year', 'kind', 'hours', 'url', 'why', 'questions']) ?? {};
  const kind = o.kind as ReadingKind;
  if ('kind' in o && !READING_KINDS.includes(kind))
    c.fail(join(path, 'kind'), `expected one of ${READING_KINDS.join(', ')}, got ${describe(o.kind)}`);
  return {
    id: c.string(o, 'id', path, { pattern: ID, patternHint: 'a lower-kebab-case id such as "latent-diffusion"' }),
    title: c.string(o, 'title', path, { maxLength: 120 }),
    authors: c.string(o, 'authors', path),
    year: c.number(o, 'year', path, 1990, 2100, true),
    kind,
    hours: c.number(o, 'hours', path, 0.25, 200),
    url: c.string(o, 'url', path, { pattern: /^https:\/\/\S+$/, patternHint: 'an https:// link' }),
    why: c.string(o, 'why', path),
    questions: c.array(o, 'questions', path, 3, 5).map((q, i) => {
      if (typeof q !== 'string' || q.trim() === '')
        c.fail(`${path}.questions[${i}]`, `expected a non-empty string, got ${describe(q)}`);
      return String(q);
    }),
  };
}

function exercise(c: Checker, v: Json, path: string): Exercise {
  const o = c.object(v, path, ['id', 'title', 'goal', 'readings'], ['shortTitle', 'lab', 'builtOn']) ?? {};
  const title = c.string(o, 'title', path, { maxLength: 80 });
  const shortTitle = 'shortTitle' in o ? c.string(o, 'shortTitle', path, { maxLength: SHORT_TITLE_MAX }) : undefined;
  // The tree cuts a long label (and the state beside it) with an ellipsis, so a long title needs a short one.
  if (shortTitle === undefined && title.length > SHORT_TITLE_MAX) {
    c.fail(
      join(path, 'title'),
      `is ${title.length} characters, more than the Curriculum sidebar shows (${SHORT_TITLE_MAX}); add a "shortTitle" of at most ${SHORT_TITLE_MAX} characters for the tree`,
    );
  }
  return {
    id: c.string(o, 'id', path, { pattern: ID, patternHint: 'a lower-kebab-case id such as "clip"' }),
    title,
    ...(shortTitle !== undefined ? { shortTitle } : {}),
    goal: c.string(o, 'goal', path),
    readings: c.array(o, 'readings', path, 0).map((r, i) => {
      if (typeof r !== 'string') c.fail(`${path}.readings[${i}]`, `expected a reading id, got ${describe(r)}`);
      return typeof r === 'string' ? r : '';
    }),
    ...('lab' in o ? { lab: labModules(c, o, path) } : {}),
    ...('builtOn' in o ? { builtOn: exerciseIds(c, o, path) } : {}),
  };
}

/** A `builtOn` list: distinct exercise ids (that they exist is checked with the whole course). */
function exerciseIds(c: Checker, o: Obj, path: string): string[] {
  return distinctStrings(c, o, 'builtOn', path, 1, { pattern: ID, expected: 'an exercise id such as "ddpm"' });
}

function milestone(c: Checker, v: Json, path: string): Milestone {
  const o = c.object(v, path, ['id', 'title', 'evidence']) ?? {};
  return {
    id: c.string(o, 'id', path, { pattern: ID, patternHint: 'a lower-kebab-case id' }),
    title: c.string(o, 'title', path),
    evidence: c.array(o, 'evidence', path, 1).map((e, i) => evidence(c, e, `${path}.evidence[${i}]`)),
  };
}

function evidence(c: Checker, v: Json, path: string): Evidence {
  const kind = typeof v === 'object' && v !== null ? (v as Obj).kind : undefined;
  switch (kind) {
    case 'testsPass': {
      const o = c.object(v, path, ['kind', 'exercise']) ?? {};
      return { kind, exercise: c.string(o, 'exercise', path) };
    }
    case 'runMetric': {
      const o = c.object(v, path, ['kind', 'exercise', 'metric', 'op', 'value', 'label']) ?? {};
      if ('op' in o && o.op !== '>=' && o.op !== '<=')
        c.fail(join(path, 'op'), `expected ">=" or "<=", got ${describe(o.op)}`);
      return {
        kind,
        exercise: c.string(o, 'exercise', path),
        metric: c.string(o, 'metric', path),
        op: o.op === '<=' ? '<=' : '>=',
        value: c.number(o, 'value', path, -1e12, 1e12),
        label: c.string(o, 'label', path),
      };
    }
    case 'quiz': {
      const o = c.object(v, path, ['kind', 'quiz', 'label']) ?? {};
      return {
        kind,
        quiz: c.string(o, 'quiz', path, { pattern: ID, patternHint: 'a lower-kebab-case quiz id' }),
        label: c.string(o, 'label', path),
      };
    }
    default:
      c.fail(
        path,
        `expected an evidence object whose "kind" is "testsPass", "runMetric" or "quiz", got ${describe(kind ?? v)}`,
      );
      return { kind: 'quiz', quiz: '', label: '' };
  }
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/** A short, quoted rendering of a JSON value for messages. */
export function describe(v: Json): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'object') return 'an object';
  const s = JSON.stringify(v);
  return `${typeof v} ${s.length > 40 ? `${s.slice(0, 37)}…` : s}`;
}

/** The allowed key nearest to a typo, by edit distance ≤ 2. */
function closest(key: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = 3;
  for (const a of allowed) {
    const d = editDistance(key.toLowerCase(), a.toLowerCase());
    if (d < bestD) [best, bestD] = [a, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}
