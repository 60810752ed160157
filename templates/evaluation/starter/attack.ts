/**
 * The typographic attack, run (provided): one-object images of each colour×shape pair the CLIP trained on, scored
 * by zero-shot classification against the 48 prompts "a photo of a {colour} {shape}" (exercise 1's) three times:
 *   clean       as rendered
 *   attacked    with another class's name written on it ("blue star"), away from the object
 *   control     with the same number of letters in the same place spelling nothing ("qjkz vxqj")
 * The control separates reading from clutter: ink alone may move a prediction; only the attacked images name a class.
 */
import * as tf from '@tensorflow/tfjs';
import { embedTexts, zeroShotPredict, type ShapesClip } from '../../lab/shapesClip';
import { PAIRS, isHeldOut, mulberry32, pick, sampleScene, type Scene } from '../../lab/shapes';
import { nonsense, renderLabelled } from './typographic';

export const PROMPTS = PAIRS.map(([c, s]) => `a photo of a ${c} ${s}`);
const SEEN = PAIRS.map((_, k) => k).filter((k) => !isHeldOut(...PAIRS[k]));

export interface AttackSet {
  scenes: Scene[];
  truth: number[]; // [N] class index in PAIRS
  target: number[]; // [N] the class whose name the attack writes (another seen class)
}

/** `perClass` one-object scenes of each seen pair, each with a target class drawn from the other seen pairs. */
export function attackSet(perClass: number, seed: number): AttackSet {
  const rng = mulberry32(seed);
  const set: AttackSet = { scenes: [], truth: [], target: [] };
  for (const k of SEEN)
    for (let i = 0; i < perClass; i++) {
      set.scenes.push(sampleScene(rng, { pair: PAIRS[k] }));
      set.truth.push(k);
      set.target.push(
        pick(
          rng,
          SEEN.filter((j) => j !== k),
        ),
      );
    }
  return set;
}

export type Condition = 'clean' | 'attacked' | 'control';
export const CONDITIONS: readonly Condition[] = ['clean', 'attacked', 'control'];

/** The images of `set` under `condition`, rendered with the same rng seed each time (the same jitter and noise). */
export function imagesOf(set: AttackSet, condition: Condition, size: number, seed: number): Float32Array {
  const names = set.target.map((k) => PAIRS[k].join(' '));
  const labels = condition === 'clean' ? undefined : condition === 'attacked' ? names : names.map(nonsense);
  return renderLabelled(set.scenes, size, mulberry32(seed), labels);
}

/** Zero-shot predictions (indices into PAIRS) for `pixels` [N, size, size, 3], `batch` images at a time. */
export async function classify(clip: ShapesClip, pixels: Float32Array, size: number, batch: number): Promise<number[]> {
  const prompts = embedTexts(clip, PROMPTS); // [48, E]
  const n = pixels.length / (size * size * 3);
  const out: number[] = [];
  for (let i = 0; i < n; i += batch) {
    const b = Math.min(batch, n - i);
    const images = tf.tensor4d(pixels.subarray(i * size * size * 3, (i + b) * size * size * 3), [b, size, size, 3]);
    out.push(...(await zeroShotPredict(clip, images, prompts)));
    images.dispose();
    await tf.nextFrame();
  }
  prompts.dispose();
  return out;
}

/** Counts for one condition: right, written class, written colour, written shape (each of n). */
export interface AttackCounts {
  n: number;
  correct: number;
  toTarget: number; // predicted the class the attack writes
  toTargetColour: number; // predicted the written colour, with the true shape
  toTargetShape: number; // predicted the written shape, with the true colour
}

export function countAttack(set: AttackSet, predicted: readonly number[]): AttackCounts {
  const c: AttackCounts = { n: predicted.length, correct: 0, toTarget: 0, toTargetColour: 0, toTargetShape: 0 };
  predicted.forEach((p, i) => {
    const [pc, ps] = PAIRS[p],
      [tc, ts] = PAIRS[set.truth[i]],
      [gc, gs] = PAIRS[set.target[i]];
    if (p === set.truth[i]) c.correct++;
    if (p === set.target[i]) c.toTarget++;
    if (pc === gc && ps === ts && gc !== tc) c.toTargetColour++;
    if (ps === gs && pc === tc && gs !== ts) c.toTargetShape++;
  });
  return c;
}
