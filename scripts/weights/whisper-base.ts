// The "pretrained Whisper" of the Whisper exercise (templates/whisper): the exercise's own model code
// (templates/whisper/starter/model.ts) trained from scratch on accent A of the synthetic speech corpus
// (templates/workspace/lab/speech.ts) only, so that accent B is new to it. Seeded end to end (initialisation,
// corpus, batch order); trained on the wasm backend with the runner's training kernels, by the exercise's reference
// solution (solution/ over starter/, assembled by whisperSolution.ts).
// Writes model.json + weights.bin (saveWhisper: tf.io.withSaveHandler) and meta.json with the WER on held-out
// accent-A and accent-B clips (the exercise's test sets), the seed, the date and a fingerprint: the log-Mel
// features and the teacher-forced logits of the first test clip, to check that the generator, the front end and
// the weights still agree.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { corpus, mulberry32 } from '../../templates/workspace/lab/speech';
import type { Whisper } from '../../templates/whisper/starter/model';
import { loadWhisperSolution, type Example, type WhisperSolution } from './whisperSolution';
import { startWasmBackend } from './wasmBuild';

export const SEED = 1; // model init and batch order; the training corpus is corpus('A', TRAIN_CLIPS, TRAIN_CORPUS_SEED)
export const TRAIN_CORPUS_SEED = 1;
export const TEST_CORPUS_SEED = 3; // the exercise's test sets: corpus('A' | 'B', TEST_CLIPS, 3)
const TRAIN_CLIPS = Number(process.env.WHISPER_BASE_CLIPS ?? 8000);
export const TEST_CLIPS = Number(process.env.WHISPER_BASE_TEST_CLIPS ?? 200);
const STEPS = Number(process.env.WHISPER_BASE_STEPS ?? 3000);
const BATCH = 32;
const PEAK_LR = 2e-3;
const WARMUP = 50;
export const MAX_WER_A = 0.1;

const lr = (step: number): number =>
  step <= WARMUP
    ? (PEAK_LR * step) / WARMUP
    : 0.05 * PEAK_LR + 0.95 * PEAK_LR * 0.5 * (1 + Math.cos((Math.PI * (step - WARMUP)) / (STEPS - WARMUP)));

class ScheduledAdam extends tf.AdamOptimizer {
  setLearningRate(v: number): void {
    this.learningRate = v;
  }
}

/** WER of `model` on `examples`, transcribed in batches of 50. */
export async function evaluate(
  { melBatch, transcribe, wordErrorRate }: WhisperSolution,
  model: Whisper,
  examples: Example[],
): Promise<ReturnType<WhisperSolution['wordErrorRate']>> {
  const pairs: { reference: string; hypothesis: string }[] = [];
  for (let start = 0; start < examples.length; start += 50) {
    const idx = Array.from({ length: Math.min(50, examples.length - start) }, (_, i) => start + i);
    const mels = melBatch(examples, idx);
    (await transcribe(model, mels)).forEach((hypothesis, i) =>
      pairs.push({ reference: examples[idx[i]].text, hypothesis }),
    );
    mels.dispose();
  }
  return wordErrorRate(pairs);
}

/** Trains the base model on accent A and writes it to `outDir`. */
export async function build(outDir: string): Promise<void> {
  await startWasmBackend('whisper-base');
  const whisper = loadWhisperSolution();
  const { BASE_CONFIG, createWhisper, decodeText, disposeBatch, encodeAudio, featurize, fineTuneStep } = whisper;
  const { makeBatch, saveWhisper, trainableVariables } = whisper;

  const t0 = Date.now();
  const frames = BASE_CONFIG.frames;
  const train = featurize(corpus('A', TRAIN_CLIPS, TRAIN_CORPUS_SEED), frames);
  const testA = featurize(corpus('A', TEST_CLIPS, TEST_CORPUS_SEED), frames);
  const testB = featurize(corpus('B', TEST_CLIPS, TEST_CORPUS_SEED), frames);
  console.log(
    `[whisper-base] ${TRAIN_CLIPS} training clips + 2×${TEST_CLIPS} test clips synthesised in ${((Date.now() - t0) / 1000).toFixed(0)} s`,
  );

  const model = createWhisper(BASE_CONFIG, SEED);
  const optimizer = new ScheduledAdam(PEAK_LR, 0.9, 0.98, 1e-6);
  const variables = trainableVariables(model, 'full');
  const next = mulberry32(SEED);
  let order: number[] = [];
  let sum = 0;
  for (let step = 1; step <= STEPS; step++) {
    if (order.length < BATCH) {
      const fresh = Array.from({ length: train.length }, (_, i) => i);
      for (let i = fresh.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [fresh[i], fresh[j]] = [fresh[j], fresh[i]];
      }
      order = fresh;
    }
    optimizer.setLearningRate(lr(step));
    const batch = makeBatch(train, order.splice(0, BATCH), BASE_CONFIG.maxTokens);
    sum += await fineTuneStep(model, optimizer, batch, variables);
    disposeBatch(batch);
    if (step % 50 === 0) {
      console.log(
        `[whisper-base] step ${step}/${STEPS}: loss ${(sum / 50).toFixed(4)}  (${((Date.now() - t0) / 60000).toFixed(1)} min, ${tf.memory().numTensors} tensors)`,
      );
      sum = 0;
    }
    if (step % 500 === 0 || step === STEPS)
      console.log(
        `[whisper-base]   WER on 100 A test clips: ${(await evaluate(whisper, model, testA.slice(0, 100))).wer.toFixed(3)}`,
      );
  }

  const a = await evaluate(whisper, model, testA),
    b = await evaluate(whisper, model, testB);
  console.log(
    `[whisper-base] WER A ${a.wer.toFixed(4)}  B ${b.wer.toFixed(4)} (S/D/I on B: ${b.substitutions}/${b.deletions}/${b.insertions})`,
  );
  if (a.wer > MAX_WER_A && !process.env.WHISPER_BASE_PROBE)
    throw new Error(`WER on accent A is ${a.wer}, above ${MAX_WER_A}; not writing the weights`);

  const fingerprint = tf.tidy(() => {
    const batch = makeBatch(testA, [0], BASE_CONFIG.maxTokens);
    const logits = decodeText(model, batch.input, encodeAudio(model, batch.mels)); // [1, L, V]
    const round = (v: number): number => Number(v.toFixed(5));
    const mel = testA[0].mel.data;
    return {
      input: `the first accent-A test clip, corpus('A', ${TEST_CLIPS}, ${TEST_CORPUS_SEED})[0]: "${testA[0].text}"`,
      audioSum: round(corpus('A', 1, TEST_CORPUS_SEED)[0].audio.reduce((s, x) => s + Math.abs(x), 0)),
      melMean: round(mel.reduce((s, x) => s + x, 0) / mel.length),
      melFrame40: Array.from(mel.slice(40 * 40, 41 * 40), round), // frame 40, all bands
      logits: (logits.arraySync() as number[][][])[0].slice(0, 4).map((row) => row.map(round)), // first 4 positions
    };
  });
  await saveWhisper(model, outDir);
  const params = variables.reduce((n, v) => n + v.size, 0);
  const meta = {
    werA: a.wer,
    werB: b.wer,
    errorsB: { substitutions: b.substitutions, deletions: b.deletions, insertions: b.insertions, words: b.words },
    testClips: TEST_CLIPS,
    testCorpusSeed: TEST_CORPUS_SEED,
    seed: SEED,
    trainClips: TRAIN_CLIPS,
    trainCorpusSeed: TRAIN_CORPUS_SEED,
    steps: STEPS,
    batch: BATCH,
    peakLr: PEAK_LR,
    params,
    config: BASE_CONFIG,
    minutes: Number(((Date.now() - t0) / 60000).toFixed(1)),
    date: new Date().toISOString().slice(0, 10),
    data: 'synthetic speech from templates/workspace/lab/speech.ts (accent A only), 8 kHz, 40-band log-Mel, 256 frames',
    fingerprint,
  };
  writeFileSync(join(outDir, 'meta.json'), JSON.stringify(meta, null, 2) + '\n');
  console.log(`[whisper-base] ${params} params → ${outDir}`);
}
