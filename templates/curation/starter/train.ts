/**
 * The curation experiment (provided): for each noise level, train a CLIP on the raw noisy set, use it to score every
 * pair (your TODO 1), keep the best-scored fraction (TODO 2), drop near-duplicates (TODO 3), measure the filter
 * against the known mismatches (TODO 4), and train a fresh CLIP on what is left, from the same initialisation and
 * for the same number of steps. Both are judged by held-out zero-shot accuracy.
 *
 * Gadre et al. 2023 (DataComp, arXiv:2304.14108): fix the model, the recipe and the compute, vary only the data.
 * The scorer here is bootstrapped from the noisy data itself (the raw run), where LAION and DataComp used OpenAI's
 * CLIP, trained on other data. Run it with `npx tsx exercises/curation/train.ts`, or from the Multimodal Lab panel.
 */
import * as tf from '@tensorflow/tfjs';
import { lab } from '../../lab';
import { mulberry32, VOCAB } from '../../lab/shapes';
import { clipScores, dedupe, filterPrecisionRecall, keepTopFraction, pairEmbeddings } from './curate';
import { disposeBatch, disposePairSet, gatherBatch, pairSet, sampleBatch, type PairSet } from './data';
import {
  embedImages,
  embedTokens,
  zeroShotAccuracy,
  zeroShotSet,
  type ZeroShotResult,
  type ZeroShotSet,
} from './evaluate';
import { createTextTower, createVisionTower, disposeClip, type Clip, type ClipConfig } from './model';
import { noisySet, type NoisySet } from './noisy';
import { learningRate, ScheduledAdam, trainStep } from './step';
import { Seeds } from './transformer';

const cfg = lab.config({
  cpu: {
    noise: [0.3, 0.6], // fractions of mismatched captions, one experiment each
    size: 3000, // pairs in each noisy set, copies included
    duplicates: 0.2, // fraction of the set that are near-duplicate copies
    keep: 'clean', // the CLIP-score filter keeps the top (1 − noise) of the set, or a fixed fraction such as 0.3
    dedupeAt: 0.99, // cosine similarity of two pair embeddings at which the later is dropped
    dedupeSweep: [0.9, 0.97, 0.99, 0.995, 0.999], // thresholds whose effect is measured (not trained on)
    scoreAt: 200, // the raw CLIP scores the set at this step, before it memorises the bad pairs
    seed: 0, // training seed: every CLIP's initial weights and batch order (the noisy set stays the same)
    steps: 800,
    batch: 40,
    lr: 2e-3,
    warmup: 50,
    imageSize: 48,
    patch: 12,
    width: 64,
    depth: 2,
    test: [4, 60], // zero-shot test images per seen pair, per held-out pair
  },
  gpu: {
    noise: [0.3, 0.6],
    size: 3000,
    duplicates: 0.2,
    keep: 'clean',
    dedupeAt: 0.99,
    dedupeSweep: [0.9, 0.97, 0.99, 0.995, 0.999],
    scoreAt: 400,
    seed: 0,
    steps: 3000,
    batch: 40,
    lr: 2e-3,
    warmup: 100,
    imageSize: 48,
    patch: 6,
    width: 64,
    depth: 2,
    test: [4, 80],
  },
  smoke: {
    noise: [0.3], // one noise level: the smoke run checks that the pipeline runs, within the content CI's time
    size: 240,
    duplicates: 0.2,
    keep: 'clean',
    dedupeAt: 0.99,
    dedupeSweep: [0.9, 0.97, 0.99, 0.995, 0.999],
    scoreAt: 20,
    seed: 0,
    steps: 30,
    batch: 40,
    lr: 2e-3,
    warmup: 8,
    imageSize: 24,
    patch: 6,
    width: 64,
    depth: 2,
    test: [1, 4],
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

/** A fresh CLIP. Seed 0 is createClip's initialisation (model.ts); another seed draws other initial weights. */
function seededClip(seed: number): Clip {
  return {
    config,
    vision: createVisionTower(config, new Seeds(1 + 10_000 * seed)),
    text: createTextTower(config, new Seeds(1000 + 10_000 * seed)),
    logitScale: tf.variable(tf.scalar(Math.log(1 / 0.07))), // as createClip: temperature 0.07
  };
}

const percent = (x: number): string => `${Math.round(100 * x)}%`;

/**
 * Trains a fresh CLIP (the same initialisation and batch order every time) on the items `subset` of `set` for
 * cfg.steps, logging its loss as `loss/<name>`, and the first run also as `loss`. `atStep`, if given, is called
 * after every step with the model as it is then.
 */
async function trainClip(
  set: PairSet,
  subset: readonly number[],
  name: string,
  first: boolean,
  atStep?: (step: number, model: Clip) => Promise<void>,
): Promise<Clip> {
  const model = seededClip(cfg.seed);
  const optimizer = new ScheduledAdam(cfg.lr);
  const rng = mulberry32(2021 + cfg.seed);
  for (let step = 1; step <= cfg.steps && !lab.shouldStop(); step++) {
    optimizer.setLearningRate(learningRate(step, cfg.steps, cfg.lr, cfg.warmup));
    const batch = gatherBatch(set, sampleBatch(rng, set, subset, cfg.batch));
    const loss = await trainStep(model, optimizer, batch);
    disposeBatch(batch);
    lab.scalar(`loss/${name}`, loss, step);
    if (first) lab.scalar('loss', loss, step);
    if (atStep) await atStep(step, model);
    await tf.nextFrame(); // let a Stop request through
  }
  optimizer.dispose();
  return model;
}

/** The CLIP score of every pair of `set` (TODO 1), and the pair embeddings deduplication compares. */
async function scoreSet(model: Clip, set: PairSet): Promise<{ scores: number[]; pairs: tf.Tensor2D }> {
  const imageEmb = embedImages(model, set.images); // [N, E]
  const textEmb = embedTokens(model, set.tokens); // [N, E]
  const scoreTensor = clipScores(imageEmb, textEmb); // [N]
  const scores = Array.from(await scoreTensor.data());
  const pairs = pairEmbeddings(imageEmb, textEmb); // [N, 2E]
  tf.dispose([imageEmb, textEmb, scoreTensor]);
  return { scores, pairs };
}

/** What curation did at one noise level, and what it bought. */
interface Outcome {
  noise: number;
  raw: ZeroShotResult;
  filtered: ZeroShotResult;
  sizes: { raw: number; kept: number; deduped: number };
  filter: { precision: number; recall: number };
  copies: { before: number; after: number; distinctLost: number };
  sweep: Array<{ threshold: number; size: number; copiesLeft: number; distinctLost: number }>; // dedupe at other θ
  score: { matched: number; mismatched: number };
}

/**
 * What makes two items the same pair: the scene they show and their caption. A copy repeats its original's; two
 * originals can too (720 one-object scenes, a few captions each), and are then copies in all but name.
 */
function pairKeys(data: NoisySet): string[] {
  return data.scenes.map((scene, i) => `${JSON.stringify(scene)} | ${data.captions[i]}`);
}

/** Items of `subset` that repeat the scene and caption of another item of `subset`: items minus distinct pairs. */
function redundant(keys: readonly string[], subset: readonly number[]): number {
  return subset.length - new Set(subset.map((i) => keys[i])).size;
}

/** Distinct pairs (scene and caption) present in `before` but in no item of `after`: deduplication lost them. */
function distinctLost(keys: readonly string[], before: readonly number[], after: readonly number[]): number {
  const left = new Set(after.map((i) => keys[i]));
  return new Set(before.map((i) => keys[i]).filter((k) => !left.has(k))).size;
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

/** Shows the `count` lowest-scored pairs: the images, and each caption with its score and ground truth. */
async function showLowest(data: NoisySet, set: PairSet, scores: number[], tag: string, count = 8): Promise<void> {
  const lowest = keepTopFraction(
    scores.map((s) => -s),
    count / scores.length,
  );
  const images = tf.gather(set.images, lowest);
  await lab.images(`lowest_scored/${tag}`, images, 0);
  images.dispose();
  const line = (i: number): string =>
    `${scores[i].toFixed(2)}  "${data.captions[i]}"  ${data.mismatched[i] ? '(mismatched)' : '(matches)'}`;
  lab.text(`lowest_scored/${tag}`, lowest.map(line).join('\n'), 0);
}

/** One noise level: raw CLIP, scores, filter, dedupe, filtered CLIP, both evaluated. */
async function experiment(noise: number, testSet: ZeroShotSet, first: boolean): Promise<Outcome> {
  const tag = `noise ${percent(noise)}`;
  const data = noisySet({ size: cfg.size, noise, duplicates: cfg.duplicates, seed: 4242 });
  const set = pairSet(data.scenes, data.captions, config.imageSize, config.textLength, mulberry32(7));
  const everything = data.scenes.map((_, i) => i);

  // The raw CLIP is the baseline and, at step cfg.scoreAt, the scorer: later it has memorised the bad pairs too.
  let early: { scores: number[]; pairs: tf.Tensor2D } | undefined;
  const raw = await trainClip(set, everything, `${tag}, raw`, first, async (step, model) => {
    if (step === Math.min(cfg.scoreAt, cfg.steps)) early = await scoreSet(model, set);
  });
  if (!early) throw new Error('the raw run stopped before it could score the set');
  const { scores } = early;
  early.pairs.dispose();
  // Deduplication compares the fully trained raw CLIP's embeddings: the early one tells a fitting caption from a
  // wrong one, but maps many different scenes of one colour×shape almost onto one point.
  const { pairs } = await scoreSet(raw, set);
  const rawResult = await zeroShotAccuracy(raw, testSet);
  disposeClip(raw);

  // Keep the best-scored pairs (TODO 2), then drop near-duplicates among them (TODO 3).
  const keepFraction = cfg.keep === 'clean' ? 1 - noise : Number(cfg.keep);
  const kept = keepTopFraction(scores, keepFraction);
  const deduped = await dedupe(pairs, kept, cfg.dedupeAt);
  const keys = pairKeys(data);
  const sweep = [];
  for (const threshold of cfg.dedupeSweep) {
    const left = await dedupe(pairs, kept, threshold);
    sweep.push({
      threshold,
      size: left.length,
      copiesLeft: redundant(keys, left),
      distinctLost: distinctLost(keys, kept, left),
    });
  }
  pairs.dispose();

  const matched = scores.filter((_, i) => !data.mismatched[i]);
  const wrong = scores.filter((_, i) => data.mismatched[i]);
  await lab.histogram(`clip_score/${tag}, matched`, matched, 0);
  await lab.histogram(`clip_score/${tag}, mismatched`, wrong, 0);
  await showLowest(data, set, scores, tag);

  const filtered = await trainClip(set, deduped, `${tag}, filtered`, false);
  const filteredResult = await zeroShotAccuracy(filtered, testSet);
  disposeClip(filtered);
  disposePairSet(set);

  const outcome: Outcome = {
    noise,
    raw: rawResult,
    filtered: filteredResult,
    sizes: { raw: everything.length, kept: kept.length, deduped: deduped.length },
    filter: filterPrecisionRecall(kept, data.mismatched),
    copies: {
      before: redundant(keys, kept),
      after: redundant(keys, deduped),
      distinctLost: distinctLost(keys, kept, deduped),
    },
    sweep,
    score: { matched: mean(matched), mismatched: mean(wrong) },
  };
  console.log(
    `${tag}: held-out zero-shot raw ${rawResult.heldOut.toFixed(2)}, filtered ${filteredResult.heldOut.toFixed(2)}; ` +
      `filter precision ${outcome.filter.precision.toFixed(2)} recall ${outcome.filter.recall.toFixed(2)}; ` +
      `${kept.length} kept, ${deduped.length} after dedupe`,
  );
  for (const d of sweep)
    console.log(
      `  dedupe at ${d.threshold}: ${kept.length} → ${d.size} pairs, copies ${outcome.copies.before} → ${d.copiesLeft}, ` +
        `${d.distinctLost} distinct pairs lost`,
    );
  return outcome;
}

/** The comparison and the filter's quality, as two tables in the run panel. */
async function report(outcomes: Outcome[], step: number): Promise<void> {
  await lab.table(
    'curation/comparison',
    outcomes.map((o) => ({
      noise: percent(o.noise),
      'pairs (raw → kept → deduped)': `${o.sizes.raw} → ${o.sizes.kept} → ${o.sizes.deduped}`,
      'held-out zero-shot, raw': o.raw.heldOut,
      'held-out zero-shot, filtered': o.filtered.heldOut,
      'seen zero-shot, raw': o.raw.seen,
      'seen zero-shot, filtered': o.filtered.seen,
    })),
    step,
  );
  await lab.table(
    'curation/filter',
    outcomes.map((o) => ({
      noise: percent(o.noise),
      'mean CLIP score, matched': o.score.matched,
      'mean CLIP score, mismatched': o.score.mismatched,
      precision: o.filter.precision,
      recall: o.filter.recall,
      'copies kept → after dedupe': `${o.copies.before} → ${o.copies.after}`,
      'distinct pairs lost to dedupe': o.copies.distinctLost,
    })),
    step,
  );
  await lab.table(
    'curation/dedupe',
    outcomes.flatMap((o) =>
      o.sweep.map((d) => ({
        noise: percent(o.noise),
        'threshold θ': d.threshold,
        'pairs after dedupe': `${o.sizes.kept} → ${d.size}`,
        'copies left': `${o.copies.before} → ${d.copiesLeft}`,
        'distinct pairs lost': d.distinctLost,
      })),
    ),
    step,
  );
}

async function main(): Promise<void> {
  const started = Date.now();
  const testSet = zeroShotSet(config.imageSize, cfg.test[0], cfg.test[1]);
  const outcomes: Outcome[] = [];
  for (const [k, noise] of cfg.noise.entries()) {
    if (lab.shouldStop()) break;
    outcomes.push(await experiment(noise, testSet, k === 0));
  }
  await report(outcomes, cfg.steps);
  const summary: Record<string, number> = { steps: cfg.steps, minutes: (Date.now() - started) / 60000 };
  for (const o of outcomes) {
    const p = Math.round(100 * o.noise);
    summary[`heldout_raw_${p}`] = o.raw.heldOut;
    summary[`heldout_filtered_${p}`] = o.filtered.heldOut;
    summary[`filter_precision_${p}`] = o.filter.precision;
    summary[`filter_recall_${p}`] = o.filter.recall;
    summary[`kept_${p}`] = o.sizes.kept;
    summary[`deduped_${p}`] = o.sizes.deduped;
    summary[`dedupe_distinct_lost_${p}`] = o.copies.distinctLost;
  }
  lab.summary(summary);
  testSet.images.dispose();
}

lab.run(main);
