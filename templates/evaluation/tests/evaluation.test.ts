// Tests for the evaluation exercise, one suite per TODO in the order you write them. Each checks one definition on
// numbers small enough to work out by hand; the failure message says what was expected and the usual cause.
import * as assert from 'node:assert/strict';
import { mulberry32, pick } from '../../../lab/shapes';
import { wilson } from '../intervals';
import { OBJECTS, confusion, objectName, popeMetrics, sampleNegative, type ShapesObject } from '../pope';
import { FONT, GLYPH, drawText, textWidth } from '../typographic';

const close = (actual: number, expected: number, what: string, tol = 1e-4): void =>
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: expected ${expected.toFixed(4)}, got ${actual}`);

describe("TODO(1): POPE's metrics", () => {
  it('counts the confusion table with "yes" as the positive class', () => {
    const truth = [true, true, true, false, false, false, true, false];
    const saidYes = [true, false, true, true, false, false, true, false];
    assert.deepEqual(
      confusion(truth, saidYes),
      { tp: 3, fp: 1, tn: 3, fn: 1 },
      'three present objects answered yes (TP), one present answered no (FN), one absent answered yes (FP: a ' +
        'hallucination), three absent answered no (TN) — did you swap FP and FN?',
    );
  });

  it('computes accuracy, precision, recall, F1 and the yes ratio from a hand-built table', () => {
    const m = popeMetrics({ tp: 40, fp: 10, tn: 30, fn: 20 });
    assert.equal(m.n, 100, 'n is every probe: TP + FP + TN + FN');
    close(m.accuracy, 0.7, 'accuracy = (TP + TN) / n = 70 / 100');
    close(m.precision, 0.8, 'precision = TP / (TP + FP) = 40 / 50: of the yes answers, how many were right');
    close(m.recall, 40 / 60, 'recall = TP / (TP + FN) = 40 / 60: of the present objects, how many got a yes');
    close(m.f1, (2 * 0.8 * (2 / 3)) / (0.8 + 2 / 3), 'F1 = 2PR / (P + R), the harmonic mean');
    close(m.yesRatio, 0.5, 'yes ratio = (TP + FP) / n = 50 / 100 — it counts every yes, right or wrong');
  });

  it('tells a model that always says yes from one that never does, without NaN', () => {
    const always = popeMetrics({ tp: 50, fp: 50, tn: 0, fn: 0 });
    close(always.accuracy, 0.5, 'always "yes" on balanced probes: accuracy');
    close(always.recall, 1, 'always "yes": recall');
    close(always.yesRatio, 1, 'always "yes": yes ratio — this is what gives a hallucinating model away');
    const never = popeMetrics({ tp: 0, fp: 0, tn: 50, fn: 50 });
    for (const k of ['precision', 'recall', 'f1', 'yesRatio'] as const)
      assert.equal(never[k], 0, `never "yes": ${k} should be 0 (a 0/0 counts as 0), got ${never[k]}`);
  });
});

describe('TODO(2): the seeded negative sampler', () => {
  const RED_CIRCLE: ShapesObject = { colour: 'red', shape: 'circle' };
  const BLUE_STAR: ShapesObject = { colour: 'blue', shape: 'star' };
  const present = [RED_CIRCLE, BLUE_STAR];
  const flat = new Array<number>(OBJECTS.length).fill(1);
  const draw = (strategy: 'random' | 'popular' | 'adversarial', n: number, frequency = flat, seed = 1): string[] => {
    const rng = mulberry32(seed);
    return Array.from({ length: n }, () => objectName(sampleNegative(present, strategy, rng, frequency)));
  };

  it('never asks about an object that is in the image, whatever the strategy', () => {
    for (const s of ['random', 'popular', 'adversarial'] as const) {
      const drawn = draw(s, 300);
      for (const p of present)
        assert.ok(!drawn.includes(objectName(p)), `${s} drew "${objectName(p)}", which is in the image`);
    }
  });

  it('random: pick(rng, …) over the absent objects in OBJECTS order, so a seed gives one sequence', () => {
    const rng = mulberry32(7);
    const absent = OBJECTS.filter((o) => !present.some((p) => objectName(p) === objectName(o)));
    const expected = Array.from({ length: 6 }, () => objectName(pick(rng, absent)));
    assert.deepEqual(
      draw('random', 6, flat, 7),
      expected,
      'with seed 7 the random negatives should be pick(rng, absent) — filter OBJECTS, keep its order, one pick each',
    );
    assert.equal(new Set(draw('random', 2000)).size, OBJECTS.length - 2, 'random should reach every absent object');
  });

  it('popular: only the k most frequent absent objects (k = objects in the image)', () => {
    const frequency: number[] = OBJECTS.map((o) => (o.shape === 'circle' ? 100 : 1)); // circles are the popular objects
    frequency[OBJECTS.findIndex((o) => objectName(o) === 'green circle')] = 90;
    // present: red circle (100) and blue star (1). Absent, by frequency: yellow, cyan, blue, white circle (100, in
    // OBJECTS order), green circle (90), …: the top 2 are yellow and cyan circle.
    const absentCircles = OBJECTS.filter((o) => o.shape === 'circle' && o.colour !== 'red' && o.colour !== 'green');
    const top2 = absentCircles.slice(0, 2).map(objectName);
    const drawn = new Set(draw('popular', 200, frequency));
    assert.deepEqual(
      [...drawn].sort(),
      [...top2].sort(),
      `popular with two objects in the image should draw from the two most frequent absent ones (${top2.join(', ')}), ` +
        'ties in OBJECTS order; got ' +
        [...drawn].join(', '),
    );
  });

  it('adversarial: absent objects that share a colour or a shape with one in the image, all of them', () => {
    const near = OBJECTS.filter(
      (o) =>
        !present.some((p) => objectName(p) === objectName(o)) &&
        present.some((p) => p.colour === o.colour || p.shape === o.shape),
    ).map(objectName);
    const drawn = new Set(draw('adversarial', 2000));
    for (const d of drawn)
      assert.ok(
        near.includes(d),
        `adversarial drew "${d}", which shares neither colour nor shape with red circle or blue star`,
      );
    assert.equal(
      drawn.size,
      near.length,
      `adversarial should reach all ${near.length} near objects, got ${drawn.size}`,
    );
  });
});

describe('TODO(3): the Wilson score interval', () => {
  it('8 of 10: [0.490, 0.943] (Wald would give [0.552, 1.048], past 1)', () => {
    const i = wilson(8, 10);
    close(i.estimate, 0.8, 'the estimate k / n');
    close(i.low, 0.4902, 'low = centre − half with centre = (p̂ + z²/2n)/(1 + z²/n)');
    close(i.high, 0.9433, 'high = centre + half, half = z/(1 + z²/n)·√(p̂(1−p̂)/n + z²/4n²)');
    assert.equal(i.n, 10);
  });

  it('0 of 20 is not "certainly never": [0, 0.161]', () => {
    const i = wilson(0, 20);
    close(i.low, 0, 'low for 0 of 20');
    close(i.high, 0.1611, '0 of 20 should leave room up to 16% — a width of 0 means the Wald formula p̂ ± z√(p̂(1−p̂)/n)');
    close(wilson(20, 20).low, 0.8389, '20 of 20: low');
  });

  it('narrows as n grows, about as 1/√n', () => {
    const half = (k: number, n: number): number => (wilson(k, n).high - wilson(k, n).low) / 2;
    const ratio = half(5, 10) / half(500, 1000);
    assert.ok(ratio > 8 && ratio < 11, `10× the trials should narrow the interval about √100 = 10×; got ${ratio}×`);
  });
});

describe('TODO(4): writing a word onto an image (the typographic attack)', () => {
  const blank = (size: number, images = 1): Float32Array => new Float32Array(size * size * 3 * images);
  const ink = (img: Float32Array, size: number, offset = 0): string[] =>
    Array.from({ length: size }, (_, y) =>
      Array.from({ length: size }, (_, x) => (img[offset + (y * size + x) * 3] > 0 ? '#' : '.')).join(''),
    );
  const RGB: [number, number, number] = [0.5, 0.25, 1];

  it('draws "red" glyph by glyph, one blank column apart, and leaves every other pixel alone', () => {
    const size = 13;
    const img = blank(size);
    drawText(img, size, 'red', 1, 2, RGB);
    const expected = Array.from({ length: size }, (_, y) => {
      const r = y - 2;
      if (r < 0 || r >= GLYPH.height) return '.'.repeat(size);
      return '.' + [FONT.r[r], FONT.e[r], FONT.d[r]].join('.') + '.';
    });
    assert.deepEqual(
      ink(img, size),
      expected,
      'letter i starts at x + i·(3 + 1): is the gap between letters 1 column, and the glyph rows read top to bottom?',
    );
    const p = (2 * size + 1) * 3; // (x 1, y 2): the top-left pixel of "r"
    assert.deepEqual([img[p], img[p + 1], img[p + 2]], RGB, 'an ink pixel takes all three channels of rgb');
    assert.equal(textWidth('red'), 11);
  });

  it('scales each font pixel to a scale×scale block, and a space advances without ink', () => {
    const size = 20;
    const img = blank(size);
    drawText(img, size, 'l l', 0, 0, RGB, 2);
    const rows = ink(img, size);
    assert.equal(
      rows[0],
      '##..............##..',
      'scale 2: the top of "l" is a 2×2 block at columns 0–1, and the second "l" starts at column 2·(3 + 1)·2 = 16 ' +
        '(the space advances 8 columns and paints nothing)',
    );
    assert.equal(
      rows[9],
      '######..........####',
      'the foot of each "l", 6 columns wide at scale 2, the second clipped',
    );
    assert.equal(rows[10], '.'.repeat(size), 'a 5-row glyph at scale 2 is 10 rows tall');
  });

  it('skips pixels off the image and writes only into the image at `offset`', () => {
    const size = 6;
    const img = blank(size, 2);
    drawText(img, size, 'ox', 3, 3, RGB, 1, size * size * 3); // runs off the right and bottom edges: must clip
    assert.ok(
      img.subarray(0, size * size * 3).every((v) => v === 0),
      'the first image must stay untouched: write at offset + (y·size + x)·3',
    );
    assert.deepEqual(
      ink(img, size, size * size * 3).slice(3),
      ['....#.', '...#.#', '...#.#'],
      'the top three rows of "o" from (3, 3); "x" starts at column 7, off the image',
    );
    assert.throws(
      () => drawText(img, size, 'a1', 0, 0, RGB),
      /1/,
      'a character without a glyph should be an error naming it',
    );
  });
});
