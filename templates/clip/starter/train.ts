/**
 * Trains CLIP on shapes world and tests zero-shot classification on colour×shape pairs it never saw (provided).
 *
 * Radford et al. 2021, §2.5 (training: Adam, warm-up + cosine schedule, learned temperature) and §3.1.2
 * (zero-shot transfer). Run it with `npx tsx exercises/clip/train.ts`, or from the Multimodal Lab panel.
 */
import * as tf from '@tensorflow/tfjs';
import { lab } from '../../lab';
import { flatten, saveWeights } from '../../lab/savedWeights';
import { HELD_OUT, mulberry32, PAIRS, VOCAB } from '../../lab/shapes';
import { disposeBatch, trainBatch } from './data';
import {
  classTokenAttention,
  embedImages,
  retrieval,
  zeroShotAccuracy,
  zeroShotSet,
  type ZeroShotResult,
} from './evaluate';
import { encodeText } from './text';
import { createClip, disposeClip, type Clip, type ClipConfig } from './model';
import { learningRate, ScheduledAdam, trainStep } from './step';
import { classPrompts } from './zeroshot';

const cfg = lab.config({
  cpu: {
    steps: 2000,
    batch: 40,
    lr: 2e-3,
    warmup: 100,
    evalEvery: 250,
    imageSize: 48,
    patch: 6,
    width: 64,
    depth: 2,
    test: [4, 20],
  },
  gpu: {
    steps: 4000,
    batch: 40,
    lr: 1e-3,
    warmup: 200,
    evalEvery: 500,
    imageSize: 48,
    patch: 4,
    width: 128,
    depth: 4,
    test: [10, 50],
  },
  smoke: {
    steps: 60,
    batch: 40,
    lr: 2e-3,
    warmup: 10,
    evalEvery: 30,
    imageSize: 24,
    patch: 6,
    width: 64,
    depth: 2,
    test: [1, 5],
  },
});

const config: ClipConfig = {
  imageSize: cfg.imageSize,
  patch: cfg.patch,
  visionWidth: cfg.width,
  visionDepth: cfg.depth,
  visionHeads: 4,
  textLength: 12,
  vocabSize: VOCAB.length,
  textWidth: cfg.width,
  textDepth: 1,
  textHeads: 4,
  mlpRatio: 2,
  embedDim: cfg.width,
};

type Evaluation = { zs: ZeroShotResult; i2t: number; t2i: number };
type TestSet = ReturnType<typeof zeroShotSet>;
type Probe = ReturnType<typeof trainBatch>;

/** Shows the probe batch's first 16 images and captions at step 0. */
async function showData(probe: Probe): Promise<void> {
  const firstImages = probe.images.slice(0, 16);
  await lab.images('data/examples', firstImages, 0);
  firstImages.dispose();
  lab.text('data/captions', probe.captions.slice(0, 16).join('\n'), 0);
}

/**
 * Zero-shot accuracy (seen and held-out pairs) and retrieval on the probe batch at `step`, with what the run panel
 * shows of them: the probe batch's similarity matrix, the held-out confusion matrix, the joint embedding space and
 * where the class token looks.
 */
async function evaluate(model: Clip, testSet: TestSet, probe: Probe, step: number): Promise<Evaluation> {
  const zs = await zeroShotAccuracy(model, testSet);
  const r = await retrieval(model, probe.images, probe.tokens);
  lab.scalar('zero_shot/heldout', zs.heldOut, step);
  lab.scalar('zero_shot/seen', zs.seen, step);
  lab.scalar('retrieval/i2t', r.imageToText, step);
  lab.scalar('retrieval/t2i', r.textToImage, step);
  // Images (rows) against captions (columns) of the probe batch: a bright diagonal means each image found its own.
  await lab.matrix('retrieval/similarity', r.similarity, step, {
    rowLabels: probe.captions.map((c, i) => `image ${i + 1}: ${c}`),
    colLabels: probe.captions.map((c, i) => `caption ${i + 1}: ${c}`),
    range: [-1, 1],
  });
  r.similarity.dispose();
  await lab.matrix('zero_shot/confusion_heldout', heldOutConfusion(testSet, zs.predictions), step, {
    rowLabels: HELD_OUT.map(([c, s]) => `${c} ${s}`),
    colLabels: PAIRS.map(([c, s]) => `${c} ${s}`),
    range: [0, 1],
  });
  await showJointSpace(model, probe, step);
  await showAttention(model, testSet, step);
  return { zs, i2t: r.imageToText, t2i: r.textToImage };
}

/**
 * Per held-out pair (rows), the fraction of its test images given each of the 48 classes (columns): mass off the
 * pair's own column shows what the model confuses it with (the right colour with a wrong shape, or the reverse).
 */
function heldOutConfusion(testSet: TestSet, predictions: readonly number[]): number[][] {
  return HELD_OUT.map(([colour, shape]) => {
    const k = PAIRS.findIndex(([c, s]) => c === colour && s === shape);
    const mine = testSet.labels.flatMap((label, i) => (label === k ? [predictions[i]] : []));
    return PAIRS.map((_, j) => mine.filter((p) => p === j).length / Math.max(1, mine.length));
  });
}

/**
 * The probe batch's image and caption embeddings in the one joint space. At initialisation the two towers' outputs
 * sit apart (the "modality gap", Liang et al. 2022); contrastive training pulls each pair together but, typically,
 * leaves the two clouds apart.
 */
async function showJointSpace(model: Clip, probe: Probe, step: number): Promise<void> {
  const both = tf.tidy(() => tf.concat([embedImages(model, probe.images), encodeText(model.text, probe.tokens)], 0));
  await lab.embedding('joint_space', both, step, {
    labels: [...probe.captions.map((c) => `image: ${c}`), ...probe.captions.map((c) => `caption: ${c}`)],
    groups: [...probe.captions.map(() => 'image'), ...probe.captions.map(() => 'text')],
  });
  both.dispose();
}

/** The last block's attention from the class token over the patches of one test image of four held-out pairs. */
async function showAttention(model: Clip, testSet: TestSet, step: number): Promise<void> {
  const picked = HELD_OUT.slice(0, 4).map(([colour, shape]) => {
    const k = PAIRS.findIndex(([c, s]) => c === colour && s === shape);
    return testSet.labels.indexOf(k);
  });
  const images = tf.gather(testSet.images, picked);
  const weights = classTokenAttention(model.vision, images); // [4, heads, grid, grid]
  for (let i = 0; i < picked.length; i++) {
    const [colour, shape] = HELD_OUT[i];
    const [image, map] = tf.tidy(() => [
      tf.squeeze(tf.slice(images, i, 1), [0]),
      tf.squeeze(tf.slice(weights, i, 1), [0]),
    ]);
    await lab.attention(`attention/class_token/${colour}_${shape}`, image, map, step);
    tf.dispose([image, map]);
  }
  tf.dispose([images, weights]);
}

/** The training loop: cfg.steps (or until Stop), evaluating every cfg.evalEvery; resolves to the steps done. */
async function train(model: Clip, evaluateAt: (step: number) => Promise<Evaluation>, started: number) {
  const optimizer = new ScheduledAdam(cfg.lr);
  const rng = mulberry32(2021);
  let step = 0;
  for (step = 1; step <= cfg.steps && !lab.shouldStop(); step++) {
    optimizer.setLearningRate(learningRate(step, cfg.steps, cfg.lr, cfg.warmup));
    const batch = trainBatch(rng, cfg.batch, config.imageSize, config.textLength);
    const loss = await trainStep(model, optimizer, batch);
    disposeBatch(batch);
    lab.scalar('loss', loss, step);
    if (step % 5 === 0) lab.scalar('temperature', 1 / Math.exp((await model.logitScale.data())[0]), step);
    if (step % cfg.evalEvery === 0 && step < cfg.steps) {
      const e = await evaluateAt(step);
      console.log(
        `step ${step}  loss ${loss.toFixed(3)}  zero-shot seen ${e.zs.seen.toFixed(2)} held-out ${e.zs.heldOut.toFixed(2)}  ` +
          `(${((Date.now() - started) / 60000).toFixed(1)} min)`,
      );
    }
    await tf.nextFrame(); // let a Stop request through
  }
  optimizer.dispose();
  return step - 1;
}

/** Example retrievals at `step`: held-out-pair images and the prompt the model picked for each. */
async function showRetrievals(testSet: TestSet, final: Evaluation, step: number): Promise<void> {
  const shown = testSet.labels
    .map((_, i) => i)
    .filter((i) => testSet.heldOut[i])
    .filter((_, j) => j % cfg.test[1] === 0);
  const examples = tf.tidy(() => tf.gather(testSet.images, shown));
  await lab.images('zero_shot/heldout_examples', examples, step);
  examples.dispose();
  const prompts = classPrompts(PAIRS);
  const line = (i: number, k: number): string =>
    `${k + 1}. true: ${prompts[testSet.labels[i]]}  →  predicted: ${prompts[final.zs.predictions[i]]}`;
  lab.text('zero_shot/heldout_examples', shown.map(line).join('\n'), step);
}

/**
 * Saves the trained CLIP as a checkpoint in the layout of the shipped `lab/weights/shapes-clip/` (the image tower's
 * weights under "image." with lab/vision.ts's names, the text tower under "text."), so that the VLM exercises can
 * load your tower with `loadVisionEncoder(<this folder>)` instead of the shipped one: see the LLaVA exercise's
 * README, "Using your own CLIP encoder from exercise 1".
 */
async function saveForBridging(model: Clip, steps: number): Promise<void> {
  const v = model.vision;
  const image = {
    patchEmbed: v.patchEmbed,
    classToken: v.cls,
    positionEmbedding: v.pos,
    blocks: v.blocks,
    finalNorm: v.lnPost,
    projection: v.proj,
  };
  const imageConfig = {
    imageSize: config.imageSize,
    patch: config.patch,
    channels: 3,
    width: config.visionWidth,
    depth: config.visionDepth,
    heads: config.visionHeads,
    mlpRatio: config.mlpRatio,
    embedDim: config.embedDim,
  };
  const named = { ...flatten({ image, text: model.text }), logitScale: model.logitScale };
  const dir = await lab.checkpoint(steps, (d) => saveWeights(d, named, { image: imageConfig, text: config }));
  console.log(`saved the trained CLIP for the VLM exercises: ${dir}`);
}

async function main(): Promise<void> {
  const model = createClip(config);
  // cpu: 160 seen-pair and 160 held-out-pair images
  const testSet = zeroShotSet(config.imageSize, cfg.test[0], cfg.test[1]);
  const probe = trainBatch(mulberry32(7), cfg.batch, config.imageSize, config.textLength); // fixed retrieval batch
  await showData(probe);
  await evaluate(model, testSet, probe, 0); // the untrained model: chance accuracy, no diagonal, two apart clouds
  const started = Date.now();
  const steps = await train(model, (step) => evaluate(model, testSet, probe, step), started);
  const final = await evaluate(model, testSet, probe, steps);
  await showRetrievals(testSet, final, steps);
  lab.summary({
    zero_shot_heldout: final.zs.heldOut,
    zero_shot_seen: final.zs.seen,
    retrieval_i2t: final.i2t,
    retrieval_t2i: final.t2i,
    temperature: 1 / Math.exp((await model.logitScale.data())[0]),
    steps,
    minutes: (Date.now() - started) / 60000,
  });
  await saveForBridging(model, steps);
  tf.dispose([testSet.images, probe.images, probe.tokens]);
  disposeClip(model);
}

lab.run(main);
