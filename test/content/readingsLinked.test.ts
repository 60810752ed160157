// Content CI: every reading of the course is put to work by at least one authored exercise (its `readings` list),
// so no reading is left as text alone (issue 15: "Every reading of the 12 is linked from at least one exercise or
// concept check"). Concept checks carry no reading links of their own; they belong to milestones whose evidence is an
// exercise. The check is first shown to fail on a small course with an unlinked reading.
import * as assert from 'node:assert/strict';
import type { Course } from '../../src/core/course/types';
import { authoredExercises, course } from './harness';

/** The ids of readings that no exercise in `authored` lists, in reading-path order. */
export function unlinkedReadings(c: Pick<Course, 'readings' | 'exercises'>, authored: readonly string[]): string[] {
  const linked = new Set(c.exercises.filter((e) => authored.includes(e.id)).flatMap((e) => e.readings));
  return c.readings.map((r) => r.id).filter((id) => !linked.has(id));
}

describe('content: every reading is linked from an exercise', () => {
  it('finds a reading no authored exercise lists (a synthetic course)', () => {
    const readings = [{ id: 'clip' }, { id: 'siglip' }, { id: 'blip-2' }] as unknown as Course['readings'];
    const exercises = [
      { id: 'clip', readings: ['clip'] },
      { id: 'qformer', readings: ['blip-2'] },
    ] as unknown as Course['exercises'];
    assert.deepEqual(unlinkedReadings({ readings, exercises }, ['clip', 'qformer']), ['siglip']);
    assert.deepEqual(unlinkedReadings({ readings, exercises }, ['clip']), ['siglip', 'blip-2'], 'not yet authored');
  });

  it(`links each of the course's readings from an authored exercise`, () => {
    const c = course();
    assert.equal(c.readings.length, 12, 'the reading path has 12 readings');
    assert.deepEqual(unlinkedReadings(c, authoredExercises()), []);
  });
});
