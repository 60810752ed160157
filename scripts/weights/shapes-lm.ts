// The frozen language model of the VLM exercises (templates/workspace/lab/lm.ts): a word-level GPT with 2 pre-norm
// blocks of width 64, trained from scratch on shapes-world text (lab/vqa.ts: captions, and descriptions followed
// by questions and answers), seeded end to end, on the wasm backend with the runner's training kernels.
// Writes model.json + weights.bin + vocab.json and meta.json with the validation perplexity on 2,000 texts from a
// seed the training never sees, greedy and sampled generations, and a logit fingerprint of a fixed input.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  EOT_ID,
  PAD_ID,
  createLanguageModel,
  encodeText,
  forward,
  generate,
  lmWeights,
  perplexity,
  type LanguageModel,
  type LmConfig,
} from '../../templates/workspace/lab/lm';
import { mulberry32 } from '../../templates/workspace/lab/shapes';
import { LM_VOCAB, lmTexts } from '../../templates/workspace/lab/vqa';
import { saveFrozenPart, startWasmBackend } from './wasmBuild';

export const LM_SEED = 1901;
export const VALIDATION = { texts: 2000, seed: 424242 };
export const FINGERPRINT_INPUT = 'a large red circle at the top left . what colour is the circle ?';
const CONFIG: LmConfig = { vocabSize: LM_VOCAB.length, maxLength: 64, width: 64, depth: 2, heads: 4, mlpRatio: 4 };
const STEPS = 1500;
const BATCH = 64;
const LR = 3e-3;
const WARMUP = 100;
export const MAX_PERPLEXITY = 2.5;

export interface BuildOptions {
  steps?: number;
  quiet?: boolean;
  validationTexts?: number;
}

/** A batch of texts as [B, T] ids: <eot> text <eot>, padded. */
function batchIds(lm: LanguageModel, texts: string[]): tf.Tensor2D {
  const rows = texts.map((t) => [EOT_ID, ...encodeText(lm, t), EOT_ID]);
  const T = Math.max(...rows.map((r) => r.length));
  return tf.tensor2d(
    rows.map((r) => [...r, ...new Array<number>(T - r.length).fill(PAD_ID)]),
    [rows.length, T],
    'int32',
  );
}

/** Mean cross-entropy of next-word prediction over the non-pad targets. */
function lmLoss(lm: LanguageModel, ids: tf.Tensor2D): tf.Scalar {
  const [B, T] = ids.shape;
  const input = tf.slice(ids, [0, 0], [B, T - 1]) as tf.Tensor2D;
  const target = tf.slice(ids, [0, 1], [B, T - 1]);
  const logp = tf.logSoftmax(forward(lm, input)); // [B, T−1, V]
  const picked = tf.sum(tf.mul(logp, tf.oneHot(target, lm.config.vocabSize)), -1); // [B, T−1]
  const real = tf.cast(tf.notEqual(target, PAD_ID), 'float32');
  return tf.neg(tf.div(tf.sum(tf.mul(picked, real)), tf.sum(real))) as tf.Scalar;
}

/** Trains the LM and writes it to `outDir`; `steps` shortens the run (CI), which skips the quality gate. */
export async function build(outDir: string, opts: BuildOptions = {}): Promise<void> {
  const quiet = opts.quiet ?? false;
  await startWasmBackend('shapes-lm', quiet);
  const steps = opts.steps ?? STEPS;
  const lm = createLanguageModel(CONFIG, [...LM_VOCAB], LM_SEED);
  const rng = mulberry32(LM_SEED);
  const optimizer = tf.train.adam(LR, 0.9, 0.98);
  const t0 = Date.now();
  let running = 0;
  for (let step = 1; step <= steps; step++) {
    const lr = LR * Math.min(1, step / WARMUP) * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, step / steps)));
    (optimizer as unknown as { learningRate: number }).learningRate = Math.max(lr, LR * 0.02);
    const ids = batchIds(lm, lmTexts(rng, BATCH));
    const loss = optimizer.minimize(() => lmLoss(lm, ids), true) as tf.Scalar;
    running = 0.98 * running + 0.02 * loss.dataSync()[0];
    tf.dispose([ids, loss]);
    if (!quiet && step % 250 === 0)
      console.log(
        `[shapes-lm] step ${step}/${steps}  loss ${(running / (1 - 0.98 ** step)).toFixed(4)}  ${((Date.now() - t0) / 1000).toFixed(0)} s`,
      );
  }
  optimizer.dispose();

  const validationTexts = opts.validationTexts ?? VALIDATION.texts;
  const validationPerplexity = await perplexity(lm, lmTexts(mulberry32(VALIDATION.seed), validationTexts));
  if (opts.steps === undefined && validationPerplexity > MAX_PERPLEXITY) {
    throw new Error(
      `validation perplexity ${validationPerplexity} is above ${MAX_PERPLEXITY}; not writing the weights`,
    );
  }
  const sample = mulberry32(7);
  // One generation at a time: the sampled ones draw from the one seeded `sample` in turn.
  const samples = { greedy: [] as string[], sampled: [] as string[] };
  for (const p of ['', 'there are', 'at the bottom', 'a small blue star .'])
    samples.greedy.push(`${p} → ${await generate(lm, p, 40)}`);
  for (let i = 0; i < 6; i++) samples.sampled.push(await generate(lm, '', 40, 1, sample));
  const logits = tf.tidy(() => {
    const ids = [EOT_ID, ...encodeText(lm, FINGERPRINT_INPUT)];
    const all = forward(lm, tf.tensor2d([ids], [1, ids.length], 'int32'));
    return Array.from(tf.slice(all, [0, ids.length - 1, 0], [1, 1, CONFIG.vocabSize]).dataSync());
  });

  const weights = lmWeights(lm);
  const saved = await saveFrozenPart(outDir, weights, { seed: LM_SEED, steps, batch: BATCH, config: CONFIG });
  const { params, bytes } = saved;
  writeFileSync(join(outDir, 'vocab.json'), JSON.stringify(lm.vocab) + '\n');
  const meta = {
    ...saved,
    validationPerplexity: Number(validationPerplexity.toFixed(4)),
    validation: { texts: validationTexts, seed: VALIDATION.seed },
    data:
      'shapes-world text generated by lab/vqa.ts lmText (captions; descriptions followed by 1–3 questions and answers), seed ' +
      LM_SEED,
    minutes: Number(((Date.now() - t0) / 60000).toFixed(2)),
    samples,
    fingerprint: { input: `<eot> ${FINGERPRINT_INPUT}`, logits: logits.map((v) => Number(v.toFixed(4))) },
  };
  writeFileSync(join(outDir, 'meta.json'), JSON.stringify(meta, null, 2) + '\n');
  tf.dispose(Object.values(weights));
  if (!quiet)
    console.log(
      `[shapes-lm] validation perplexity ${validationPerplexity.toFixed(3)}, ${params} params, ${bytes} bytes → ${outDir}\n${samples.greedy.join('\n')}\n${samples.sampled.join('\n')}`,
    );
}
