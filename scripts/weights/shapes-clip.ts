// The frozen vision encoder of the VLM exercises (templates/workspace/lab/vision.ts) is the image tower of this
// CLIP: a ViT over a 3×3 grid of 16×16 patches of 48-pixel shapes-world images with a class token, and a causal text
// transformer read at <eot>, trained together from scratch with exercise 1's recipe — the symmetric InfoNCE loss
// and the learned temperature kept in [0, ln 100] after each step (templates/clip/solution/loss.ts, imported, not
// copied) — seeded end to end, on the wasm backend with the runner's training kernels.
//
// The captions are the full descriptions the VQA questions ask about (lab/vqa.ts `describe`: size, colour, shape,
// place, count or relation) or, one time in three, the looser wording of lab/shapes.ts `caption`. Half of every
// batch comes in near-twins: two scenes that differ in one thing (a place, a size, a count, which object is left),
// so that the contrast needs more than "which colours and shapes are there" (hard negatives, as in the
// hard-negative batches of Robinson et al. 2021 and the compositional negatives of NegCLIP, Yuksekgonul et al.
// 2023). Writes model.json + weights.bin (the image tower under "image.", the text tower under "text.", and the
// temperature) and meta.json with the held-out zero-shot and retrieval accuracies and a feature fingerprint.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { clampLogitScale, clipLogits, contrastiveLoss } from '../../templates/clip/solution/loss';
import {
  PAIRS,
  SIZES,
  VOCAB,
  caption,
  isHeldOut,
  mulberry32,
  pick,
  randInt,
  renderScene,
  sampleScene,
  tokenize,
  EOT,
  type Rng,
  type Scene,
} from '../../templates/workspace/lab/shapes';
import {
  Seeds,
  causalMask,
  createBlock,
  flatten,
  layerNorm,
  norm,
  transformerBlock,
  weight,
  type Block,
  type Norm,
} from '../../templates/workspace/lab/lm';
import { describe } from '../../templates/workspace/lab/vqa';
import {
  createVisionEncoder,
  hiddenStates,
  patchFeatures,
  visionWeights,
  type VisionConfig,
  type VisionEncoder,
} from '../../templates/workspace/lab/vision';
import { saveFrozenPart, startWasmBackend } from './wasmBuild';

export const CLIP_SEED = 5151;
export const ZERO_SHOT = { perClass: 10, seed: 626262 };
export const RETRIEVAL = { n: 200, seed: 737373 };
export const FINGERPRINT = { sceneSeed: 99, objects: [1, 4] as [number, number] };
const IMAGE: VisionConfig = {
  imageSize: 48,
  patch: 16,
  channels: 3,
  width: 64,
  depth: 3,
  heads: 4,
  mlpRatio: 2,
  embedDim: 64,
};
const TEXT = { length: 16, width: 64, depth: 2, heads: 4, mlpRatio: 2, vocabSize: VOCAB.length };
const STEPS = 3000;
const BATCH = 64;
const LR = 1e-3;
const WARMUP = 100;
/** The shipped build's seen-pair zero-shot accuracy is at least this (checked by test/unit/frozenParts.test.ts). */
export const MIN_ZERO_SHOT = 0.6;

export interface BuildOptions {
  steps?: number;
  quiet?: boolean;
  /** Zero-shot images per colour×shape class (default ZERO_SHOT.perClass). */
  perClass?: number;
}

interface TextTower {
  tokenEmbed: tf.Variable; // [V, D]
  pos: tf.Variable; // [L, D]
  blocks: Block[];
  lnFinal: Norm;
  proj: tf.Variable; // [D, E]
}

function createTextTower(seeds: Seeds): TextTower {
  const D = TEXT.width;
  return {
    tokenEmbed: tf.variable(tf.randomNormal([TEXT.vocabSize, D], 0, 0.02, 'float32', seeds.take())),
    pos: tf.variable(tf.randomNormal([TEXT.length, D], 0, 0.01, 'float32', seeds.take())),
    blocks: Array.from({ length: TEXT.depth }, () => createBlock(seeds, D, TEXT.mlpRatio, TEXT.depth)),
    lnFinal: norm(D),
    proj: weight(seeds, D, IMAGE.embedDim),
  };
}

const unitRows = (x: tf.Tensor2D): tf.Tensor2D =>
  tf.div(x, tf.sqrt(tf.add(tf.sum(tf.square(x), -1, true), 1e-12))) as tf.Tensor2D;

/** Joint-space text embeddings: causal blocks, the state at <eot>, layer norm, projection.  [B, L] → [B, E] */
function embedTexts(t: TextTower, ids: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    let x = tf.add(tf.gather(t.tokenEmbed, ids), t.pos) as tf.Tensor3D;
    const mask = causalMask(TEXT.length);
    for (const b of t.blocks) x = transformerBlock(x, b, TEXT.heads, mask);
    const atEot = tf.expandDims(tf.cast(tf.equal(ids, EOT), 'float32'), -1);
    const pooled = tf.sum(tf.mul(x, atEot), 1) as tf.Tensor2D;
    return unitRows(tf.matMul(layerNorm(pooled, t.lnFinal), t.proj));
  });
}

/** Joint-space image embeddings: the class token after the last block, ln_post, projection.  → [B, E] */
function embedImages(v: VisionEncoder, images: tf.Tensor4D): tf.Tensor2D {
  return tf.tidy(() => {
    const states = hiddenStates(v, images);
    const last = states[states.length - 1];
    const [B, , D] = last.shape;
    const cls = tf.reshape(tf.slice(last, [0, 0, 0], [B, 1, D]), [B, D]) as tf.Tensor2D;
    return unitRows(tf.matMul(layerNorm(cls, v.finalNorm), v.projection));
  });
}

/** A scene that differs from `s` in one thing the descriptions name: a place, a size, a count or the order. */
function twin(s: Scene, rng: Rng): Scene {
  const objects = s.objects.map((o) => ({ ...o }));
  const taken = new Set(objects.map((o) => o.row * 3 + o.col));
  const free = [0, 1, 2, 3, 4, 5, 6, 7, 8].filter((c) => !taken.has(c));
  const move = (k: number): void => {
    const cell = pick(rng, free);
    objects[k] = { ...objects[k], row: Math.floor(cell / 3), col: cell % 3 };
  };
  if (s.kind === 'pair') {
    if (rng() < 0.5) {
      const [a, b] = objects; // swap places: the relation turns round
      [a.row, a.col, b.row, b.col] = [b.row, b.col, a.row, a.col];
    } else move(randInt(rng, 2));
    return { kind: 'pair', objects };
  }
  const r = rng();
  if (r < 0.4) {
    const size = SIZES.find((z) => z !== objects[0].size) ?? objects[0].size;
    return { kind: s.kind, objects: objects.map((o) => ({ ...o, size })) };
  }
  if (s.kind === 'single' || r < 0.7) {
    if (s.kind === 'single') move(0);
    else if (objects.length < 4) {
      const cell = pick(rng, free);
      objects.push({ ...objects[0], row: Math.floor(cell / 3), col: cell % 3 });
    } else objects.pop();
    return { kind: s.kind, objects };
  }
  objects.pop(); // one fewer (a count of 2 becomes a single)
  return { kind: objects.length === 1 ? 'single' : 'count', objects };
}

interface Batch {
  images: tf.Tensor4D;
  ids: tf.Tensor2D;
}

/** `n` scenes (half of them as near-twins), their renders and captions. */
function batchOf(rng: Rng, n: number): { scenes: Scene[]; batch: Batch } {
  const scenes: Scene[] = [];
  while (scenes.length < n) {
    const s = sampleScene(rng, { objects: [1, 4] });
    scenes.push(s);
    if (scenes.length < n && rng() < 0.5) scenes.push(twin(s, rng));
  }
  const texts = scenes.map((s) => (rng() < 1 / 3 ? caption(s, rng) : describe(s, rng)));
  return { scenes, batch: encodeBatch(scenes, texts, rng) };
}

function encodeBatch(scenes: Scene[], texts: string[], rng: Rng): Batch {
  const S = IMAGE.imageSize,
    px = S * S * 3;
  const pixels = new Float32Array(scenes.length * px);
  scenes.forEach((s, i) => renderScene(s, S, rng, pixels, i * px));
  return {
    images: tf.tensor4d(pixels, [scenes.length, S, S, 3]),
    ids: tf.tensor2d(
      texts.map((t) => tokenize(t, TEXT.length)),
      [texts.length, TEXT.length],
      'int32',
    ),
  };
}

/** Zero-shot colour×shape classification of one-object images, seen and held-out pairs apart. */
async function zeroShot(v: VisionEncoder, t: TextTower, perClass: number): Promise<{ seen: number; heldOut: number }> {
  const rng = mulberry32(ZERO_SHOT.seed);
  const prompts = PAIRS.map(([c, s]) => `a photo of a ${c} ${s}`); // exercise 1's prompt, a caption template
  const classEmb = embedTexts(
    t,
    tf.tensor2d(
      prompts.map((p) => tokenize(p, TEXT.length)),
      undefined,
      'int32',
    ),
  );
  const hits = { seen: 0, heldOut: 0 },
    totals = { seen: 0, heldOut: 0 };
  for (let k = 0; k < PAIRS.length; k++) {
    const scenes = Array.from({ length: perClass }, () => sampleScene(rng, { pair: PAIRS[k], heldOut: 'any' }));
    const { images, ids } = encodeBatch(
      scenes,
      scenes.map(() => ''),
      rng,
    );
    const predicted = tf.tidy(() => tf.argMax(tf.matMul(embedImages(v, images), classEmb, false, true), 1));
    const which = isHeldOut(...PAIRS[k]) ? 'heldOut' : 'seen';
    for (const p of await predicted.data()) if (p === k) hits[which]++;
    totals[which] += perClass;
    tf.dispose([images, ids, predicted]);
  }
  classEmb.dispose();
  return { seen: hits.seen / totals.seen, heldOut: hits.heldOut / totals.heldOut };
}

/** Retrieval@1 among n held-out scenes and their canonical full descriptions, image→text and text→image. */
async function retrieval(v: VisionEncoder, t: TextTower, n: number): Promise<{ i2t: number; t2i: number }> {
  const rng = mulberry32(RETRIEVAL.seed);
  const scenes = Array.from({ length: n }, () => sampleScene(rng, { objects: [1, 4] }));
  const { images, ids } = encodeBatch(
    scenes,
    scenes.map((s) => describe(s)),
    rng,
  );
  const [rows, cols] = tf.tidy(() => {
    const sim = tf.matMul(embedImages(v, images), embedTexts(t, ids), false, true);
    return [tf.argMax(sim, 1), tf.argMax(sim, 0)];
  });
  const [r, c] = [await rows.data(), await cols.data()];
  tf.dispose([images, ids, rows, cols]);
  const hit = (a: ArrayLike<number>): number => Array.from(a).filter((p, i) => p === i).length / n;
  return { i2t: hit(r), t2i: hit(c) };
}

/** Trains the CLIP and writes it to `outDir`; `steps` shortens the run (CI), which skips the quality gate. */
export async function build(outDir: string, opts: BuildOptions = {}): Promise<void> {
  const quiet = opts.quiet ?? false;
  await startWasmBackend('shapes-clip', quiet);
  const steps = opts.steps ?? STEPS;
  const seeds = new Seeds(CLIP_SEED);
  const vision = createVisionEncoder(IMAGE, seeds.take());
  const text = createTextTower(seeds);
  const logScale = tf.variable(tf.scalar(Math.log(1 / 0.07)));
  const rng = mulberry32(CLIP_SEED);
  const optimizer = tf.train.adam(LR);
  const t0 = Date.now();
  let running = 0;
  for (let step = 1; step <= steps; step++) {
    const lr = LR * Math.min(1, step / WARMUP) * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, step / steps)));
    (optimizer as unknown as { learningRate: number }).learningRate = Math.max(lr, LR * 0.02);
    const { batch } = batchOf(rng, BATCH);
    const loss = optimizer.minimize(
      () => contrastiveLoss(clipLogits(embedImages(vision, batch.images), embedTexts(text, batch.ids), logScale)),
      true,
    ) as tf.Scalar;
    clampLogitScale(logScale);
    running = 0.98 * running + 0.02 * (await loss.data())[0];
    tf.dispose([batch.images, batch.ids, loss]);
    if (!quiet && step % 100 === 0)
      console.log(
        `[shapes-clip] step ${step}/${steps}  loss ${(running / (1 - 0.98 ** step)).toFixed(4)}  1/τ ${Math.exp((await logScale.data())[0]).toFixed(1)}  ${((Date.now() - t0) / 1000).toFixed(0)} s`,
      );
  }
  optimizer.dispose();

  const perClass = opts.perClass ?? ZERO_SHOT.perClass;
  const zs = await zeroShot(vision, text, perClass);
  const rt = await retrieval(vision, text, RETRIEVAL.n);
  if (!quiet) console.log(`[shapes-clip] zero-shot ${JSON.stringify(zs)}, retrieval ${JSON.stringify(rt)}`);
  if (opts.steps === undefined && zs.seen < MIN_ZERO_SHOT) {
    throw new Error(`seen-pair zero-shot accuracy ${zs.seen} is below ${MIN_ZERO_SHOT}; not writing the weights`);
  }
  const S = IMAGE.imageSize;
  const features = tf.tidy(() => {
    const scene = sampleScene(mulberry32(FINGERPRINT.sceneSeed), { objects: FINGERPRINT.objects });
    const image = renderScene(scene, S, mulberry32(FINGERPRINT.sceneSeed));
    return tf.mean(patchFeatures(vision, tf.tensor4d(image, [1, S, S, 3])), 1);
  });
  const fingerprint = Array.from(await features.data());
  features.dispose();

  const weights = {
    ...flatten({ image: visionWeights(vision), text }),
    logitScale: logScale,
  };
  const config = { image: IMAGE, text: TEXT };
  const saved = await saveFrozenPart(outDir, weights, { seed: CLIP_SEED, steps, batch: BATCH, config });
  const round = (x: number): number => Number(x.toFixed(4));
  const meta = {
    ...saved,
    objective:
      "contrastive (CLIP): the symmetric InfoNCE loss over image–caption pairs with a learned temperature, exercise 1's recipe; half of each batch in near-twin scenes (hard negatives)",
    temperature: round(1 / Math.exp((await logScale.data())[0])),
    zeroShot: {
      seen: round(zs.seen),
      heldOut: round(zs.heldOut),
      classes: PAIRS.length,
      images: perClass * PAIRS.length,
      seed: ZERO_SHOT.seed,
    },
    retrieval: { imageToText: round(rt.i2t), textToImage: round(rt.t2i), n: RETRIEVAL.n, seed: RETRIEVAL.seed },
    data: `shapes-world scenes of 1–4 objects (lab/shapes.ts, no held-out colour×shape pair in training), rendered at 48 px, captions from lab/vqa.ts describe and lab/shapes.ts caption, seed ${CLIP_SEED}`,
    minutes: Number(((Date.now() - t0) / 60000).toFixed(2)),
    fingerprint: {
      input: `the mean over patches of patchFeatures (penultimate layer) of the ${S}-px render of sampleScene(mulberry32(${FINGERPRINT.sceneSeed}), { objects: [1, 4] }) with renderScene's rng mulberry32(${FINGERPRINT.sceneSeed})`,
      features: fingerprint.map(round),
    },
  };
  writeFileSync(join(outDir, 'meta.json'), JSON.stringify(meta, null, 2) + '\n');
  tf.dispose(Object.values(weights));
  if (!quiet)
    console.log(
      `[shapes-clip] zero-shot ${JSON.stringify(meta.zeroShot)}, retrieval ${JSON.stringify(meta.retrieval)}, ${saved.params} params, ${saved.bytes} bytes → ${outDir}`,
    );
}
