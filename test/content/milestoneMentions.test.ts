// Content CI: when an exercise's README says a milestone reads or checks its metric, that milestone's evidence names
// this exercise. The llava README once said the text-collapse milestone read its image_gap; it reads collapse's.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TEMPLATES, authoredExercises } from './harness';

interface Milestone {
  id: string;
  title: string;
  evidence: { kind: string; exercise?: string }[];
}

/** `milestone "X" … reads it` / `checks it` claims in `text` (line breaks folded), as X. */
export function readsClaims(text: string): string[] {
  const flat = text.replace(/\s+/g, ' ');
  return [...flat.matchAll(/milestone "([^"]+)"\)? (?:reads|checks) it/g)].map((m) => m[1]);
}

describe('content: a README that says a milestone reads its metric is right', () => {
  const course = JSON.parse(readFileSync(join(TEMPLATES, 'course.json'), 'utf8')) as { milestones: Milestone[] };

  it('finds the claims across a line break, and not a mere mention', () => {
    assert.deepEqual(readsClaims('(the milestone "You can\ndebug it" reads it) and the milestone "x" is hard'), [
      'You can debug it',
    ]);
  });

  for (const id of authoredExercises())
    it(`"${id}": every milestone its README says reads its metrics has evidence from "${id}"`, () => {
      for (const name of readsClaims(readFileSync(join(TEMPLATES, id, 'README.md'), 'utf8'))) {
        const m = course.milestones.find((x) => x.id === name || x.title.replace(/\s+/g, ' ') === name);
        assert.ok(m, `README names a milestone "${name}" that course.json does not have`);
        assert.ok(
          m.evidence.some((e) => e.exercise === id),
          `README says milestone "${name}" reads this exercise, but its evidence reads ${m.evidence.map((e) => e.exercise ?? e.kind).join(', ')}`,
        );
      }
    });
});
