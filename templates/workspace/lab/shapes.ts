/**
 * "Shapes world": a seeded, procedural image–caption dataset for the vision–language exercises (CLIP, LLaVA, …).
 *
 *   const rng = mulberry32(7);
 *   const scene = sampleScene(rng, { objects: [1, 1] });   // one object, never a held-out colour×shape pair
 *   renderScene(scene, 48, rng);                            // Float32Array [48, 48, 3] in [0, 1]
 *   caption(scene, rng);                                    // "a large red circle at the top left"
 *   questions(scene); // [{ question: 'what colour is the circle', answer: 'red' }, …]
 *   tokenize('a red circle', 12);                           // word ids from VOCAB, then <eot>, then <pad>
 *
 * A scene holds 1–4 objects, each one of 6 shapes × 8 colours × 2 sizes, on its own cell of a 3×3 grid. Scenes
 * with several objects are either counts ("three green stars": copies of one object) or pairs in a relation ("a red
 * circle left of a blue square"). Everything is a pure function of the seed, so a run is reproducible and no images
 * ship: only this file.
 *
 * HELD-OUT PAIRS: the 8 colour×shape pairs in HELD_OUT never appear in a scene unless you ask for them
 * (`heldOut: 'only'` or `'any'`). Every colour is held out with exactly one shape and every shape with at most two
 * colours, so each colour and each shape is still seen with 5+ partners. A model that classifies a held-out pair
 * correctly has composed "colour" and "shape", not memorised the pair.
 */
import { mulberry32, pick, randInt, type Rng } from './random';

export const SHAPES = ['circle', 'square', 'triangle', 'diamond', 'cross', 'star'] as const;
export const COLOURS = ['red', 'orange', 'yellow', 'green', 'cyan', 'blue', 'purple', 'white'] as const;
export const SIZES = ['small', 'large'] as const;
export type Shape = (typeof SHAPES)[number];
export type Colour = (typeof COLOURS)[number];
export type Size = (typeof SIZES)[number];

const RGB: Record<Colour, [number, number, number]> = {
  red: [0.9, 0.15, 0.15],
  orange: [0.97, 0.55, 0.1],
  yellow: [0.95, 0.9, 0.15],
  green: [0.15, 0.72, 0.25],
  cyan: [0.15, 0.8, 0.88],
  blue: [0.18, 0.3, 0.95],
  purple: [0.6, 0.22, 0.82],
  white: [0.95, 0.95, 0.95],
};
/** Grid cells by [row][col]; "at the top left", "at the centre", … */
export const PLACES: readonly (readonly string[])[] = [
  ['top left', 'top', 'top right'],
  ['left', 'centre', 'right'],
  ['bottom left', 'bottom', 'bottom right'],
];
/** Counts as words, by number of objects. */
export const NUMBERS: readonly string[] = ['zero', 'one', 'two', 'three', 'four'];
/** A shape's plural, for counts ("two red circles"). */
export const PLURAL: Readonly<Record<Shape, string>> = {
  circle: 'circles',
  square: 'squares',
  triangle: 'triangles',
  diamond: 'diamonds',
  cross: 'crosses',
  star: 'stars',
};

/** Colour×shape pairs never seen in training (one per colour; circle and triangle twice). */
export const HELD_OUT: ReadonlyArray<readonly [Colour, Shape]> = [
  ['red', 'triangle'],
  ['orange', 'circle'],
  ['yellow', 'square'],
  ['green', 'star'],
  ['cyan', 'diamond'],
  ['blue', 'cross'],
  ['purple', 'circle'],
  ['white', 'triangle'],
];
export const isHeldOut = (colour: Colour, shape: Shape): boolean =>
  HELD_OUT.some(([c, s]) => c === colour && s === shape);

/** All 48 colour×shape classes, colour-major: index = colourIndex · 6 + shapeIndex. */
export const PAIRS: ReadonlyArray<readonly [Colour, Shape]> = COLOURS.flatMap((c) =>
  SHAPES.map((s) => [c, s] as const),
);

// The course's one seeded generator (lab/random.ts), re-exported: scenes are a pure function of the seed.
export { mulberry32, pick, randInt, type Rng };

export interface SceneObject {
  shape: Shape;
  colour: Colour;
  size: Size;
  row: number;
  col: number;
}
export interface Scene {
  objects: SceneObject[];
  /** 'count': every object is the same colour, shape and size; 'pair': two different objects in a relation. */
  kind: 'single' | 'count' | 'pair';
}

/** Which colour×shape pairs a scene may hold: none of the held-out ones (default), only those, or any. */
export type HeldOut = 'exclude' | 'only' | 'any';

export interface SceneOptions {
  /** Inclusive range of the number of objects (default [1, 1]); 2+ gives counts or pairs. */
  objects?: [number, number];
  /** 'exclude' (default): no held-out pair appears; 'only': every object is a held-out pair; 'any'. */
  heldOut?: HeldOut;
  /** Force the colour×shape of the (first) object. */
  pair?: readonly [Colour, Shape];
}

function samplePair(rng: Rng, heldOut: SceneOptions['heldOut']): [Colour, Shape] {
  if (heldOut === 'only') return [...pick(rng, HELD_OUT)];
  for (;;) {
    const [c, s] = pick(rng, PAIRS);
    if (heldOut === 'any' || !isHeldOut(c, s)) return [c, s];
  }
}

/** Samples a scene: objects on distinct grid cells; see SceneOptions. */
export function sampleScene(rng: Rng, opts: SceneOptions = {}): Scene {
  const [lo, hi] = opts.objects ?? [1, 1];
  const n = lo + randInt(rng, hi - lo + 1);
  const cells = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  for (let i = 8; i > 0; i--) {
    const j = randInt(rng, i + 1);
    [cells[i], cells[j]] = [cells[j], cells[i]];
  }
  const [colour, shape] = opts.pair ? [...opts.pair] : samplePair(rng, opts.heldOut);
  const size = pick(rng, SIZES);
  const kind = n === 1 ? 'single' : n === 2 && rng() < 0.5 ? 'pair' : 'count';
  const objects: SceneObject[] = [];
  for (let i = 0; i < n; i++) {
    const cell = { row: Math.floor(cells[i] / 3), col: cells[i] % 3 };
    if (kind !== 'pair' || i === 0) {
      objects.push({ shape, colour, size, ...cell });
      continue;
    }
    let other: [Colour, Shape];
    do other = samplePair(rng, opts.heldOut);
    while (other[0] === colour && other[1] === shape);
    objects.push({ colour: other[0], shape: other[1], size: pick(rng, SIZES), ...cell });
  }
  return { objects, kind };
}

/** Is (u, v), in units of the object's radius with v pointing down, inside the shape? */
function inside(shape: Shape, u: number, v: number): boolean {
  const au = Math.abs(u),
    av = Math.abs(v);
  switch (shape) {
    case 'circle':
      return u * u + v * v <= 1;
    case 'square':
      return au <= 0.82 && av <= 0.82;
    case 'diamond':
      return au + av <= 1.1;
    case 'triangle':
      return v <= 0.7 && v >= -1.05 && au <= 0.62 * (v + 1.05);
    case 'cross':
      return (au <= 0.34 && av <= 1) || (av <= 0.34 && au <= 1);
    case 'star': {
      const rho = Math.hypot(u, v),
        sector = (2 * Math.PI) / 5;
      let a = Math.atan2(u, -v) % sector;
      if (a < 0) a += sector;
      a = Math.abs(a - sector / 2); // 0 at the inner vertex … π/5 at an outer point
      const x = rho * Math.cos(sector / 2 - a),
        y = rho * Math.sin(sector / 2 - a); // outer point on the x axis
      return 0.2645 * (x - 1.05) + 0.636 * y <= 0; // the edge from the tip (1.05, 0) to the inner vertex
    }
  }
}

/**
 * Renders `scene` as RGB floats in [0, 1], row-major [size, size, 3], into `out` at `offset` if given (so a batch
 * fills one Float32Array). Edges are anti-aliased (2×2 samples per pixel); colours and placement are jittered a
 * little and the background carries faint noise, all drawn from `rng`.
 */
export function renderScene(
  scene: Scene,
  size: number,
  rng: Rng,
  out = new Float32Array(size * size * 3),
  offset = 0,
): Float32Array {
  for (let i = 0; i < size * size * 3; i++) out[offset + i] = 0.08 + 0.04 * rng();
  for (const o of scene.objects) {
    const r = (o.size === 'small' ? 0.1 : 0.15) * size;
    const cx = (0.2 + 0.3 * o.col + 0.06 * (rng() - 0.5)) * size,
      cy = (0.2 + 0.3 * o.row + 0.06 * (rng() - 0.5)) * size;
    const rgb = RGB[o.colour].map((v) => Math.min(1, Math.max(0, v + 0.08 * (rng() - 0.5))));
    for (let y = Math.max(0, Math.floor(cy - r - 1)); y < Math.min(size, Math.ceil(cy + r + 1)); y++) {
      for (let x = Math.max(0, Math.floor(cx - r - 1)); x < Math.min(size, Math.ceil(cx + r + 1)); x++) {
        let cover = 0;
        for (const [sx, sy] of [
          [0.25, 0.25],
          [0.75, 0.25],
          [0.25, 0.75],
          [0.75, 0.75],
        ]) {
          if (inside(o.shape, (x + sx - cx) / r, (y + sy - cy) / r)) cover += 0.25;
        }
        if (cover === 0) continue;
        const p = offset + (y * size + x) * 3;
        for (let k = 0; k < 3; k++) out[p + k] = (1 - cover) * out[p + k] + cover * rgb[k];
      }
    }
  }
  return out;
}

const describe = (o: SceneObject, withSize: boolean): string => `${withSize ? `${o.size} ` : ''}${o.colour} ${o.shape}`;
const place = (o: SceneObject): string => `at the ${PLACES[o.row][o.col]}`;

/** Where `a` is relative to `b` ("a is … b"): 'left of', 'right of', 'above' or 'below' (rows first, then columns). */
export function relation(a: SceneObject, b: SceneObject): string {
  if (a.row !== b.row) return a.row < b.row ? 'above' : 'below';
  return a.col < b.col ? 'left of' : 'right of';
}

/**
 * A caption for `scene`. With `rng`, the wording, word order and which attributes (size, position) are named vary;
 * without it, the canonical caption. Colour and shape are always named.
 */
export function caption(scene: Scene, rng?: Rng): string {
  const [a, b] = scene.objects;
  const r = rng ?? (() => 0);
  if (scene.kind === 'count') {
    const what = `${NUMBERS[scene.objects.length]} ${r() < 0.5 ? '' : `${a.size} `}${a.colour} ${PLURAL[a.shape]}`;
    return r() < 0.5 ? what : `there are ${what}`;
  }
  if (scene.kind === 'pair') {
    const templates = [
      () => `a ${describe(a, false)} ${relation(a, b)} a ${describe(b, false)}`,
      () => `a ${describe(a, true)} and a ${describe(b, true)}`,
      () => `a ${describe(b, false)} ${relation(b, a)} a ${describe(a, false)}`,
    ];
    return templates[randInt(r, templates.length)]();
  }
  const withSize = r() < 0.5;
  const templates = [
    () => `a ${describe(a, true)} ${place(a)}`,
    () => `a ${describe(a, withSize)}`,
    () => `a photo of a ${describe(a, withSize)}`,
    () => `${place(a)} there is a ${describe(a, withSize)}`,
    () => `a ${withSize ? `${a.size} ` : ''}${a.shape} that is ${a.colour}`,
    () => `the ${a.shape} ${place(a)} is ${a.colour}`,
  ];
  return templates[randInt(r, templates.length)]();
}

export interface QA {
  question: string;
  answer: string;
}

/** Visual questions with one-word answers about colour, shape, size, position, count and relations. */
export function questions(scene: Scene): QA[] {
  const [a, b] = scene.objects;
  const qs: QA[] = [];
  if (scene.kind === 'pair') {
    qs.push({ question: `what colour is the ${b.shape}`, answer: b.colour });
    qs.push({ question: `what shape is the ${a.colour} object`, answer: a.shape });
    qs.push({ question: `is the ${a.colour} ${a.shape} ${relation(a, b)} the ${b.colour} ${b.shape}`, answer: 'yes' });
    qs.push({ question: `is the ${b.colour} ${b.shape} ${relation(a, b)} the ${a.colour} ${a.shape}`, answer: 'no' });
    return qs;
  }
  qs.push({ question: `what colour is the ${a.shape}`, answer: a.colour });
  qs.push({ question: `what shape is the ${a.colour} object`, answer: a.shape });
  qs.push({ question: `how many ${PLURAL[a.shape]} are there`, answer: NUMBERS[scene.objects.length] });
  qs.push({ question: `what size is the ${a.shape}`, answer: a.size });
  if (scene.kind === 'single') qs.push({ question: `where is the ${a.shape}`, answer: PLACES[a.row][a.col] });
  return qs;
}

/** Every word the captions, questions and answers use; ids are positions. 0 = <pad>, 1 = <eot>, 2 = <unk>. */
export const VOCAB: readonly string[] = [
  '<pad>',
  '<eot>',
  '<unk>',
  ...COLOURS,
  ...SHAPES,
  ...Object.values(PLURAL),
  ...SIZES,
  ...NUMBERS,
  ...new Set(PLACES.flat().flatMap((p) => p.split(' '))),
  'a',
  'the',
  'photo',
  'of',
  'at',
  'there',
  'is',
  'are',
  'that',
  'and',
  'left',
  'right',
  'above',
  'below',
  'what',
  'colour',
  'shape',
  'size',
  'object',
  'where',
  'how',
  'many',
  'yes',
  'no',
].filter((w, i, all) => all.indexOf(w) === i);
export const PAD = 0;
export const EOT = 1;
export const UNK = 2;

/** Word ids of `text` (lower-cased, split on spaces, "?" dropped), then <eot>, padded with <pad> to `length`. */
export function tokenize(text: string, length: number): number[] {
  const words = text
    .toLowerCase()
    .replace(/\?/g, '')
    .split(/\s+/)
    .filter((w) => w.length > 0);
  if (words.length + 1 > length)
    throw new Error(`tokenize: "${text}" has ${words.length} words; it needs length ≥ ${words.length + 1}.`);
  const ids = words.map((w) => {
    const i = VOCAB.indexOf(w);
    return i < 0 ? UNK : i;
  });
  return [...ids, EOT, ...new Array<number>(length - ids.length - 1).fill(PAD)];
}
