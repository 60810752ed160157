/**
 * Evaluates the course's shipped models before "release" (provided), as the GPT-4V system card does at its scale:
 * object hallucination on the LLaVA-style VLM (POPE), a typographic attack on the CLIP, and an evaluation card with
 * every number's sample size and 95% interval. Nothing trains. Run it with `npx tsx exercises/evaluation/train.ts`,
 * or from the Multimodal Lab panel; the card is `evaluation-card.md` in the run's folder.
 *
 * The run's falling curve is `ci_half_width`: the half-width of the 95% interval on POPE accuracy over the answers
 * so far. An evaluation has no loss; what it buys with each batch is certainty, about 1/√n.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { lab } from '../../lab';
import { disposeLlava, llavaMeta, loadLlava, type Vlm } from '../../lab/llava/shipped';
import { PAIRS, mulberry32, renderScene, sampleScene, type Scene } from '../../lab/shapes';
import { disposeShapesClip, loadShapesClip } from '../../lab/shapesClip';
import { visionMeta } from '../../lab/vision';
import { CONDITIONS, attackSet, classify, countAttack, imagesOf, type AttackCounts, type Condition } from './attack';
import { evaluationCard, popeIntervals, type PopeResult } from './card';
import { wilson } from './intervals';
import { answerYesNo } from './probe';
import { STRATEGIES, confusion, objectFrequencies, popeMetrics, probePair, sampleNegative, type Probe } from './pope';

const cfg = lab.config({
  cpu: { popeScenes: 2000, attackPerClass: 50, batch: 64, seed: 0 },
  gpu: { popeScenes: 6000, attackPerClass: 150, batch: 128, seed: 0 },
  smoke: { popeScenes: 24, attackPerClass: 1, batch: 8, seed: 0 },
});
const SEEDS = { frequency: 4040, scenes: 5050 + cfg.seed, negatives: 6060 + cfg.seed, attack: 7070 + cfg.seed };

/** `n` two-object scenes in a relation ("pair" scenes: the ones the yes/no questions are asked about). */
function pairScenes(n: number, seed: number): Scene[] {
  const rng = mulberry32(seed);
  const out: Scene[] = [];
  while (out.length < n) {
    const s = sampleScene(rng, { objects: [2, 2] });
    if (s.kind === 'pair') out.push(s);
  }
  return out;
}

/** Shows the first `n` of the [*, S, S, 3] images in `pixels` in the run panel. */
async function showImages(name: string, pixels: Float32Array, S: number, n: number): Promise<void> {
  const images = tf.tensor4d(pixels.subarray(0, n * S * S * 3), [n, S, S, 3]);
  await lab.images(name, images, 0);
  images.dispose();
}

let answered = 0,
  right = 0,
  step = 0;

/** Answers `probes` (probe i about image imageOf[i]) in batches; charts the running interval's half-width. */
async function ask(vlm: Vlm, pixels: Float32Array, probes: Probe[], imageOf: number[]) {
  const S = vlm.encoder.config.imageSize,
    px = S * S * 3;
  const saidYes: boolean[] = [];
  let offForm = 0;
  for (let i = 0; i < probes.length; i += cfg.batch) {
    const chunk = probes.slice(i, i + cfg.batch);
    const images = tf.tidy(() =>
      tf.stack(
        chunk.map((_, j) => tf.tensor3d(pixels.subarray(imageOf[i + j] * px, (imageOf[i + j] + 1) * px), [S, S, 3])),
      ),
    ) as tf.Tensor4D; // [B, S, S, 3]
    const a = await answerYesNo(
      vlm,
      images,
      chunk.map((p) => p.question),
    );
    images.dispose();
    saidYes.push(...a.saidYes);
    offForm += a.offForm;
    a.saidYes.forEach((y, j) => (right += y === chunk[j].truth ? 1 : 0));
    answered += chunk.length;
    const interval = wilson(right, answered);
    lab.scalar('ci_half_width', (interval.high - interval.low) / 2, ++step);
    lab.scalar('pope/accuracy_so_far', interval.estimate, step);
    await tf.nextFrame();
  }
  return { saidYes, offForm };
}

async function pope(vlm: Vlm): Promise<PopeResult[]> {
  const S = vlm.encoder.config.imageSize;
  const frequencyRng = mulberry32(SEEDS.frequency); // the VQA data's scenes, for "popular"
  const frequency = objectFrequencies(
    Array.from({ length: 4000 }, () => sampleScene(frequencyRng, { objects: [1, 4] })),
  );
  const scenes = pairScenes(cfg.popeScenes, SEEDS.scenes);
  const pixels = new Float32Array(scenes.length * S * S * 3);
  const renderRng = mulberry32(SEEDS.scenes);
  scenes.forEach((s, i) => renderScene(s, S, renderRng, pixels, i * S * S * 3));
  await showImages('pope/scenes', pixels, S, Math.min(8, scenes.length));

  const results: PopeResult[] = [];
  for (const split of STRATEGIES) {
    const rng = mulberry32(SEEDS.negatives + STRATEGIES.indexOf(split));
    const probes = scenes.flatMap((s) => probePair(s, sampleNegative(s.objects, split, rng, frequency), rng));
    const imageOf = probes.map((_, i) => Math.floor(i / 2));
    const { saidYes, offForm } = await ask(vlm, pixels, probes, imageOf);
    const table = confusion(
      probes.map((p) => p.truth),
      saidYes,
    );
    const metrics = popeMetrics(table);
    results.push({ split, table, metrics, offForm });
    lab.text(
      `pope/${split}`,
      probes
        .slice(0, 8)
        .map((p, i) => `${p.question}  →  ${saidYes[i] ? 'yes' : 'no'} ${saidYes[i] === p.truth ? '✓' : '✗'}`)
        .join('\n'),
      0,
    );
    const i = popeIntervals(results[results.length - 1]);
    console.log(
      `POPE ${split.padEnd(11)} n ${metrics.n}  accuracy ${metrics.accuracy.toFixed(3)} [${i.accuracy.low.toFixed(3)}, ` +
        `${i.accuracy.high.toFixed(3)}]  precision ${metrics.precision.toFixed(3)}  recall ${metrics.recall.toFixed(3)}  ` +
        `F1 ${metrics.f1.toFixed(3)}  yes ratio ${metrics.yesRatio.toFixed(3)}  off-form ${offForm}`,
    );
  }
  return results;
}

async function typographic(): Promise<Record<Condition, AttackCounts>> {
  const clip = await loadShapesClip();
  const S = clip.image.config.imageSize;
  const set = attackSet(cfg.attackPerClass, SEEDS.attack);
  const out = {} as Record<Condition, AttackCounts>;
  for (const condition of CONDITIONS) {
    const pixels = imagesOf(set, condition, S, SEEDS.attack);
    const shown = Math.min(8, set.scenes.length);
    await showImages(`attack/${condition}`, pixels, S, shown);
    const predicted = await classify(clip, pixels, S, cfg.batch);
    out[condition] = countAttack(set, predicted);
    lab.text(
      `attack/${condition}`,
      predicted
        .slice(0, shown)
        .map(
          (p, i) =>
            `${i + 1}. ${PAIRS[set.truth[i]].join(' ')} (written: ${PAIRS[set.target[i]].join(' ')}) → ${PAIRS[p].join(' ')}`,
        )
        .join('\n'),
      0,
    );
    const c = out[condition];
    console.log(
      `attack ${condition.padEnd(8)} n ${c.n}  accuracy ${(c.correct / c.n).toFixed(3)}  to the written class ` +
        `${(c.toTarget / c.n).toFixed(3)}  colour ${(c.toTargetColour / c.n).toFixed(3)}  shape ${(c.toTargetShape / c.n).toFixed(3)}`,
    );
  }
  disposeShapesClip(clip);
  return out;
}

async function main(): Promise<void> {
  const started = Date.now();
  const vlm = await loadLlava();
  const popeResults = await pope(vlm);
  disposeLlava(vlm);
  const attack = await typographic();

  const llava = llavaMeta(),
    clip = visionMeta() as unknown as { zeroShot: { seen: number; images: number } };
  const minutes = (Date.now() - started) / 60000;
  const card = evaluationCard({
    config: lab.configName(),
    models: {
      vlm:
        `lab/weights/shapes-llava: exercise 3's MLP bridge (${llava.steps} steps) between the frozen shapes-clip ` +
        `image tower and shapes-lm; held-out VQA accuracy ${llava.heldOut.accuracy} on ${llava.heldOut.questions} questions`,
      clip:
        `lab/weights/shapes-clip: both towers; seen-pair zero-shot accuracy ${clip.zeroShot.seen} at build ` +
        `(${clip.zeroShot.images} images, all 48 classes)`,
    },
    pope: popeResults,
    popeScenes: cfg.popeScenes,
    attack,
    seeds: `scenes ${SEEDS.scenes}, negatives ${SEEDS.negatives}+split, frequencies ${SEEDS.frequency}, attack ${SEEDS.attack}`,
    minutes,
  });
  const file = join(lab.dir(), 'evaluation-card.md');
  writeFileSync(file, card);
  lab.text('evaluation-card', card, 0);

  const summary: Record<string, number> = { minutes };
  for (const r of popeResults) {
    summary[`pope_${r.split}_accuracy`] = r.metrics.accuracy;
    summary[`pope_${r.split}_precision`] = r.metrics.precision;
    summary[`pope_${r.split}_recall`] = r.metrics.recall;
    summary[`pope_${r.split}_f1`] = r.metrics.f1;
    summary[`pope_${r.split}_yes_ratio`] = r.metrics.yesRatio;
  }
  for (const k of CONDITIONS) {
    summary[`attack_${k}_accuracy`] = attack[k].correct / attack[k].n;
    summary[`attack_${k}_to_written`] = attack[k].toTarget / attack[k].n;
  }
  lab.summary(summary);
  console.log(`${card}\nevaluation card: ${file}`);
}

lab.run(main);
