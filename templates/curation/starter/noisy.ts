/**
 * A noisy image–caption set (provided), generated so that we know what a curator never knows: which captions are
 * wrong and which pairs are copies.
 *
 * Web-scale image–text data is noisy in two ways this file reproduces. Many alt-texts do not describe their image
 * (LAION-400M's CLIP-score threshold of 0.3 discarded about 90% of its Common Crawl candidates; Schuhmann et al.
 * 2021), and the same image recurs with the same text, re-encoded or resized (near-duplicates; Abbas et al. 2023,
 * SemDeDup). Here:
 *   - every original is a one-object shapes-world scene of a seen colour×shape pair, with its own caption (two
 *     originals may show one scene: shapes world has 720 one-object scenes; their captions are drawn apart);
 *   - a fraction `noise` of the originals get the caption of another scene, one with a different colour×shape pair,
 *     so the caption is wrong about the image;
 *   - a fraction `duplicates` of the set are copies of an original: the same scene and caption, re-rendered with
 *     other jitter (lab/shapes.ts renderScene moves, tints and speckles each render a little).
 * Everything is drawn from one seed (mulberry32), so a run is a pure function of its seed.
 */
import {
  COLOURS,
  SHAPES,
  SIZES,
  caption,
  isHeldOut,
  mulberry32,
  sampleScene,
  type Rng,
  type Scene,
} from '../../lab/shapes';

export interface NoisySet {
  scenes: Scene[]; // what each image shows
  captions: string[]; // what its caption says; for a mismatched pair, another scene's caption
  mismatched: boolean[]; // the ground truth a curator never sees: is the caption wrong about the image?
  copyOf: number[]; // -1 for an original; for a near-duplicate, the index of the original it re-renders
}

export interface NoisyOptions {
  size: number; // pairs in the set, copies included
  noise: number; // fraction of the originals whose caption is replaced by another scene's
  duplicates: number; // fraction of the set that are near-duplicate copies of an original
  seed: number;
}

/** The colour×shape pair an image shows, as one key ("red circle"). */
export const pairKey = (scene: Scene): string => `${scene.objects[0].colour} ${scene.objects[0].shape}`;

/** `xs` in a random order (Fisher–Yates), a new array. */
export function shuffled<T>(rng: Rng, xs: readonly T[]): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** A caption that is wrong about `scene`: the caption of another random scene with a different colour×shape. */
function wrongCaption(rng: Rng, scene: Scene): string {
  for (;;) {
    const other = sampleScene(rng); // one object, never a held-out pair
    if (pairKey(other) !== pairKey(scene)) return caption(other, rng);
  }
}

/** Generates the noisy set; see the file header. The order is shuffled, so copies sit anywhere. */
export function noisySet({ size, noise, duplicates, seed }: NoisyOptions): NoisySet {
  const rng = mulberry32(seed);
  const copies = Math.round(duplicates * size);
  const originals = Array.from({ length: size - copies }, () => sampleScene(rng)); // one object, no held-out pair
  const wrong = new Set(
    shuffled(
      rng,
      originals.map((_, i) => i),
    ).slice(0, Math.round(noise * originals.length)),
  );
  const pairs = originals.map((scene, i) => ({
    scene,
    caption: wrong.has(i) ? wrongCaption(rng, scene) : caption(scene, rng),
    mismatched: wrong.has(i),
    original: i,
  }));
  for (let k = 0; k < copies; k++) pairs.push({ ...pairs[Math.floor(rng() * originals.length)] });
  const order = shuffled(rng, pairs);
  const firstOf = new Map<number, number>(); // original → its position in the shuffled set
  order.forEach((p, i) => firstOf.has(p.original) || firstOf.set(p.original, i));
  return {
    scenes: order.map((p) => p.scene),
    captions: order.map((p) => p.caption),
    mismatched: order.map((p) => p.mismatched),
    copyOf: order.map((p, i) => (firstOf.get(p.original) === i ? -1 : firstOf.get(p.original)!)),
  };
}
