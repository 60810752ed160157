/**
 * POPE, polling-based object probing (Li et al. 2023, "Evaluating Object Hallucination in Large Vision-Language
 * Models", arXiv:2305.10355, §3): instead of reading a caption for invented objects, ask the model yes/no questions
 * about objects that are in the image and about objects that are not, half and half, and score it as a binary
 * classifier whose positive class is "yes".
 *
 *   accuracy  = (TP + TN) / n               precision = TP / (TP + FP)     recall = TP / (TP + FN)
 *   F1        = 2 · precision · recall / (precision + recall)            yes ratio = (TP + FP) / n
 *
 * A model that hallucinates says "yes" to absent objects: its precision falls and its yes ratio rises above the
 * 0.5 the balanced probes hold. The negatives are where POPE's three splits differ (§3.2):
 *   random       any object the image lacks
 *   popular      the objects most frequent in the data that the image lacks
 *   adversarial  objects close to what the image holds (POPE: those that co-occur most with its objects; in shapes
 *                world every pair co-occurs alike, so the nearest are the same colour with another shape or the
 *                same shape in another colour — what a model that does not bind colour to shape confuses)
 */
import { PAIRS, isHeldOut, pick, relation, type Colour, type Rng, type Scene, type Shape } from '../../lab/shapes';

/** An object POPE asks about: a colour×shape pair, "red circle". */
export interface ShapesObject {
  colour: Colour;
  shape: Shape;
}

export const objectName = (o: ShapesObject): string => `${o.colour} ${o.shape}`;
const same = (a: ShapesObject, b: ShapesObject): boolean => a.colour === b.colour && a.shape === b.shape;

/** The 40 colour×shape pairs the VLM's training scenes hold (the 8 held-out pairs left out), colour-major. */
export const OBJECTS: readonly ShapesObject[] = PAIRS.filter(([c, s]) => !isHeldOut(c, s)).map(([colour, shape]) => ({
  colour,
  shape,
}));

/** Yes/no answers counted against the truth; "yes" is the positive class. */
export interface Confusion {
  tp: number; // the object is there, the model said yes
  fp: number; // the object is not there, the model said yes: a hallucination
  tn: number; // not there, said no
  fn: number; // there, said no
}

export interface PopeMetrics {
  n: number;
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
  yesRatio: number;
}

/**
 * TODO(1): count the confusion table: `truth[i]` is whether probe i's object is in the image, `saidYes[i]` whether
 * the model answered yes.
 */
export function confusion(truth: readonly boolean[], saidYes: readonly boolean[]): Confusion {
  const c: Confusion = { tp: 0, fp: 0, tn: 0, fn: 0 };
  truth.forEach((present, i) => {
    if (saidYes[i] && present) c.tp++;
    else if (saidYes[i]) c.fp++;
    else if (present) c.fn++;
    else c.tn++;
  });
  return c;
}

/**
 * TODO(1): POPE's metrics from the table (the equations above). A ratio whose denominator is 0 (a model that never
 * says yes has no precision) is 0.
 */
export function popeMetrics(c: Confusion): PopeMetrics {
  const n = c.tp + c.fp + c.tn + c.fn;
  const ratio = (a: number, b: number): number => (b === 0 ? 0 : a / b);
  const precision = ratio(c.tp, c.tp + c.fp);
  const recall = ratio(c.tp, c.tp + c.fn);
  return {
    n,
    accuracy: ratio(c.tp + c.tn, n),
    precision,
    recall,
    f1: ratio(2 * precision * recall, precision + recall),
    yesRatio: ratio(c.tp + c.fp, n),
  };
}

export type NegativeStrategy = 'random' | 'popular' | 'adversarial';
export const STRATEGIES: readonly NegativeStrategy[] = ['random', 'popular', 'adversarial'];

/** In how many of `scenes` each of `objects` appears (once per scene however many copies): popular's ranking. */
export function objectFrequencies(scenes: readonly Scene[], objects: readonly ShapesObject[] = OBJECTS): number[] {
  return objects.map((o) => scenes.filter((s) => s.objects.some((x) => same(x, o))).length);
}

/**
 * TODO(2): one absent object for a probe, drawn with `rng` by `strategy` from `objects` (never one of `present`):
 *   random       uniformly from the absent objects
 *   popular      uniformly from the k most frequent absent objects (k = present.length, as POPE's top-k;
 *                `frequency[i]` belongs to `objects[i]`; a tie keeps the earlier object first)
 *   adversarial  uniformly from the absent objects that share a colour or a shape with a present one
 * Use `pick(rng, list)` from lab/shapes for every uniform draw, so that a seed gives one sequence.
 */
export function sampleNegative(
  present: readonly ShapesObject[],
  strategy: NegativeStrategy,
  rng: Rng,
  frequency: readonly number[],
  objects: readonly ShapesObject[] = OBJECTS,
): ShapesObject {
  const absent = objects.map((o, i) => ({ o, i })).filter(({ o }) => !present.some((p) => same(p, o)));
  if (strategy === 'random') return pick(rng, absent).o;
  if (strategy === 'popular') {
    const ranked = [...absent].sort((a, b) => frequency[b.i] - frequency[a.i] || a.i - b.i);
    return pick(rng, ranked.slice(0, present.length)).o;
  }
  const near = absent.filter(({ o }) => present.some((p) => p.colour === o.colour || p.shape === o.shape));
  return pick(rng, near).o;
}

/** One probe: a yes/no question about one object, and whether that object is in the image. */
export interface Probe {
  question: string;
  truth: boolean;
  object: ShapesObject;
}

/**
 * The two probes of a two-object scene (provided), in the one yes/no form the VLM was trained on: "is the <a>
 * <relation> the <b> ?". The positive names both objects as they are; the negative puts `negative` (absent) in
 * the place of one of them, drawn with `rng`, so that its truthful answer is "no" because the object is not there.
 */
export function probePair(scene: Scene, negative: ShapesObject, rng: Rng): [Probe, Probe] {
  const [a, b] = scene.objects;
  const ask = (x: ShapesObject, r: string, y: ShapesObject): string =>
    `is the ${objectName(x)} ${r} the ${objectName(y)} ?`;
  const r = relation(a, b);
  const swapSubject = rng() < 0.5;
  return [
    { question: ask(a, r, b), truth: true, object: swapSubject ? a : b },
    {
      question: swapSubject ? ask(negative, r, b) : ask(a, r, negative),
      truth: false,
      object: negative,
    },
  ];
}
