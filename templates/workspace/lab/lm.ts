/**
 * The frozen language model: a tiny decoder-only transformer (GPT-style, Radford et al. 2019) with a word-level
 * tokenizer, pretrained once by the extension's `scripts/weights/shapes-lm.ts` on shapes-world text — captions,
 * and captions followed by questions and answers ("a large red circle at the top left . what colour is the circle ?
 * red"). It is shipped in `lab/weights/shapes-lm/` (validation perplexity and sample generations in meta.json).
 *
 *   const lm = loadLanguageModel();                  // weights as tf.Variables; you decide which ones train
 *   const ids = encodeText(lm, 'a red circle .');      // word ids
 *   const x = embed(lm, tf.tensor2d([ids], undefined, 'int32'));   // [1, T, D] token embeddings
 *   const logits = forwardEmbeddings(lm, x);           // [1, T, V] next-word logits (positions added inside)
 *
 * `embed` and `forwardEmbeddings` are split so a VLM can put its own vectors (projected image patches) into the
 * input sequence between the word embeddings; `block`, `finalNorm` and `head` are exported for bridges that
 * work between the blocks (Flamingo's cross-attention).
 *
 * The transformer pieces (dense, layerNorm, selfAttention, transformerBlock, …) are `lab/transformer.ts`'s, shared
 * with `lab/vision.ts`; this file re-exports them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { LEAF, flatten, loadTree, readMeta, type LoadOptions, type NamedTensors } from './savedWeights';
import {
  Seeds,
  causalMask,
  createBlock,
  layerNorm,
  norm,
  transformerBlock,
  type Block,
  type Norm,
} from './transformer';

export const LM_WEIGHTS_DIR = path.join(__dirname, 'weights', 'shapes-lm');

export interface LmConfig {
  vocabSize: number;
  maxLength: number;
  width: number;
  depth: number;
  heads: number;
  mlpRatio: number;
}

export interface LanguageModel {
  config: LmConfig;
  /** Word of each id; 0 = <pad>, 1 = <eot> (also the start of every text), 2 = <unk>. */
  vocab: string[];
  tokenEmbedding: tf.Variable; // [V, D]; also the output head (tied weights, as in GPT-2)
  positionEmbedding: tf.Variable; // [maxLength, D]
  blocks: Block[];
  finalNorm: Norm;
}

export const PAD_ID = 0;
export const EOT_ID = 1;
export const UNK_ID = 2;

// ---------------------------------------------------------------------------------------------------------------
// Transformer pieces: lab/transformer.ts, re-exported here for the code that imports them from lab/lm.

export * from './transformer';

// ---------------------------------------------------------------------------------------------------------------
// The language model

export function createLanguageModel(config: LmConfig, vocab: string[], seed: number): LanguageModel {
  if (vocab.length !== config.vocabSize)
    throw new Error(`vocab has ${vocab.length} words, config.vocabSize is ${config.vocabSize}`);
  const seeds = new Seeds(seed);
  const D = config.width;
  return {
    config,
    vocab,
    tokenEmbedding: tf.variable(tf.randomNormal([config.vocabSize, D], 0, 0.1, 'float32', seeds.take())),
    positionEmbedding: tf.variable(tf.randomNormal([config.maxLength, D], 0, 0.02, 'float32', seeds.take())),
    blocks: Array.from({ length: config.depth }, () => createBlock(seeds, D, config.mlpRatio, config.depth)),
    finalNorm: norm(D),
  };
}

/** Token embeddings of word ids (no positions yet).  [B, T] int32 → [B, T, D] */
export function embed(lm: LanguageModel, ids: tf.Tensor2D): tf.Tensor3D {
  return tf.gather(lm.tokenEmbedding, ids) as tf.Tensor3D;
}

/** Adds the learned position embeddings 0…T−1.  [B, T, D] → [B, T, D] */
export function addPositions(lm: LanguageModel, x: tf.Tensor3D): tf.Tensor3D {
  const T = x.shape[1];
  if (T > lm.config.maxLength)
    throw new Error(`the LM reads at most ${lm.config.maxLength} positions; got a sequence of ${T}`);
  return tf.add(x, tf.slice(lm.positionEmbedding, [0, 0], [T, lm.config.width])) as tf.Tensor3D;
}

/** Transformer block `i` of the LM.  [B, T, D] → [B, T, D] */
export function block(lm: LanguageModel, i: number, x: tf.Tensor3D, mask: tf.Tensor): tf.Tensor3D {
  return transformerBlock(x, lm.blocks[i], lm.config.heads, mask);
}

/** The final layer norm.  [B, T, D] → [B, T, D] */
export function finalNorm(lm: LanguageModel, h: tf.Tensor3D): tf.Tensor3D {
  return layerNorm(h, lm.finalNorm);
}

/** Next-word logits from normalised hidden states, through the tied embedding matrix.  [B, T, D] → [B, T, V] */
export function head(lm: LanguageModel, h: tf.Tensor3D): tf.Tensor3D {
  const [B, T, D] = h.shape;
  return tf.reshape(tf.matMul(tf.reshape(h, [B * T, D]), lm.tokenEmbedding, false, true), [
    B,
    T,
    lm.config.vocabSize,
  ]) as tf.Tensor3D;
}

/**
 * Runs the LM on input embeddings (word embeddings, or any vectors of width D you splice in): adds positions,
 * applies the blocks under `mask` (default causal), the final norm and the head.  [B, T, D] → [B, T, V]
 */
export function forwardEmbeddings(lm: LanguageModel, x: tf.Tensor3D, mask?: tf.Tensor): tf.Tensor3D {
  return tf.tidy(() => {
    const m = mask ?? causalMask(x.shape[1]);
    let h = addPositions(lm, x);
    for (let i = 0; i < lm.blocks.length; i++) h = block(lm, i, h, m);
    return head(lm, finalNorm(lm, h));
  });
}

/** Next-word logits for word ids.  [B, T] → [B, T, V] */
export function forward(lm: LanguageModel, ids: tf.Tensor2D): tf.Tensor3D {
  return tf.tidy(() => forwardEmbeddings(lm, embed(lm, ids)));
}

// ---------------------------------------------------------------------------------------------------------------
// Tokenizer: lower-cased words, with "." and "?" as words of their own

/** Word ids of `text` (no <eot> added). Unknown words become <unk>. */
export function encodeText(lm: { vocab: string[] }, text: string): number[] {
  const index = new Map(lm.vocab.map((w, i) => [w, i]));
  return text
    .toLowerCase()
    .replace(/([.?])/g, ' $1 ')
    .split(/\s+/)
    .filter((w) => w.length > 0)
    .map((w) => index.get(w) ?? UNK_ID);
}

/** Text of word ids, stopping at the first <eot> unless `all`. */
export function decodeText(lm: { vocab: string[] }, ids: ArrayLike<number>, all = false): string {
  const words: string[] = [];
  for (let i = 0; i < ids.length; i++) {
    if (ids[i] === EOT_ID && !all) break;
    if (ids[i] !== PAD_ID) words.push(lm.vocab[ids[i]] ?? '<unk>');
  }
  return words.join(' ');
}

/**
 * Continues `prompt` (after the leading <eot>) for up to `maxWords`, greedily (temperature 0) or by sampling
 * with a seeded `random` in [0, 1). Stops at <eot>. Async: each word's scores are read with `await t.data()`.
 */
export async function generate(
  lm: LanguageModel,
  prompt: string,
  maxWords: number,
  temperature = 0,
  random: () => number = Math.random,
): Promise<string> {
  const ids = [EOT_ID, ...encodeText(lm, prompt)];
  const generated: number[] = [];
  for (let n = 0; n < maxWords && ids.length < lm.config.maxLength; n++) {
    const scores = tf.tidy(() => {
      const logits = forward(lm, tf.tensor2d([ids], [1, ids.length], 'int32')); // [1, T, V]
      const last = tf.reshape(tf.slice(logits, [0, ids.length - 1, 0], [1, 1, lm.config.vocabSize]), [
        lm.config.vocabSize,
      ]); // [V]
      return temperature > 0 ? tf.softmax(tf.div(last, temperature)) : last;
    });
    const probs = await scores.data(); // tf.tidy cannot await: read after it, then dispose
    scores.dispose();
    let next = 0;
    if (temperature > 0) {
      let u = random();
      while (next < probs.length - 1 && u >= probs[next]) u -= probs[next++];
    } else {
      for (let k = 1; k < probs.length; k++) if (probs[k] > probs[next]) next = k;
    }
    if (next === EOT_ID) break;
    ids.push(next);
    generated.push(next);
  }
  return decodeText(lm, generated);
}

/**
 * Per-word perplexity exp(mean −log p(word | previous words)) over `texts`, each read as <eot> text <eot> and
 * scored on every word after the first <eot> (the closing <eot> included). Async: it reads with `await t.data()`.
 */
export async function perplexity(lm: LanguageModel, texts: string[], batch = 64): Promise<number> {
  let nll = 0,
    count = 0;
  for (let s = 0; s < texts.length; s += batch) {
    const rows = texts.slice(s, s + batch).map((t) => [EOT_ID, ...encodeText(lm, t), EOT_ID]);
    const T = Math.max(...rows.map((r) => r.length));
    const ids = rows.map((r) => [...r, ...new Array<number>(T - r.length).fill(PAD_ID)]);
    const sumsTensor = tf.tidy(() => {
      const x = tf.tensor2d(ids, [rows.length, T], 'int32');
      const input = tf.slice(x, [0, 0], [rows.length, T - 1]);
      const target = tf.slice(x, [0, 1], [rows.length, T - 1]);
      const logp = tf.logSoftmax(forward(lm, input as tf.Tensor2D)); // [B, T−1, V]
      const picked = tf.sum(tf.mul(logp, tf.oneHot(target, lm.config.vocabSize)), -1); // [B, T−1]
      const real = tf.cast(tf.notEqual(target, PAD_ID), 'float32');
      return tf.stack([tf.sum(tf.mul(picked, real)), tf.sum(real)]); // [2]: log-likelihood and word count
    });
    const sums = await sumsTensor.data();
    sumsTensor.dispose();
    nll -= sums[0];
    count += sums[1];
  }
  return Math.exp(nll / count);
}

// ---------------------------------------------------------------------------------------------------------------
// Saving and loading: lab/savedWeights.ts, re-exported here for the code that imports it from lab/lm.

export { LEAF, flatten, loadWeights, saveWeights, unflatten, type NamedTensors } from './savedWeights';

/** The LM's weights by name ("tokenEmbedding", "blocks.0.qkv.w", …). */
export function lmWeights(lm: LanguageModel): NamedTensors {
  return flatten({
    tokenEmbedding: lm.tokenEmbedding,
    positionEmbedding: lm.positionEmbedding,
    blocks: lm.blocks,
    finalNorm: lm.finalNorm,
  });
}

/** Where a linear layer's weights go, for `unflatten`. */
export const LINEAR_TEMPLATE = { w: LEAF, b: LEAF };
/** Where a layer norm's weights go, for `unflatten`. */
export const NORM_TEMPLATE = { gain: LEAF, bias: LEAF };

/** Where the weights of `depth` blocks go, for `unflatten`: the layout `createBlock` gives a `Block`. */
export function blockTemplates(depth: number): Record<keyof Block, object>[] {
  const lin = LINEAR_TEMPLATE,
    nrm = NORM_TEMPLATE;
  return Array.from({ length: depth }, () => ({ ln1: nrm, qkv: lin, out: lin, ln2: nrm, fc1: lin, fc2: lin }));
}

export interface LmMeta {
  seed: number;
  date: string;
  params: number;
  bytes: number;
  steps: number;
  validationPerplexity: number;
  validation: { texts: number; seed: number };
  samples: { greedy: string[]; sampled: string[] };
  fingerprint: { input: string; logits: number[] };
}

export const lmMeta = (dir = LM_WEIGHTS_DIR): LmMeta => readMeta<LmMeta>(dir);

/**
 * Loads the shipped LM. Its weights come back as ordinary (trainable) tf.Variables, as a checkpoint would:
 * freezing it is your choice of which variables the optimizer updates.
 */
export async function loadLanguageModel(dir = LM_WEIGHTS_DIR, opts: LoadOptions = {}): Promise<LanguageModel> {
  const vocab = JSON.parse(fs.readFileSync(path.join(dir, 'vocab.json'), 'utf8')) as string[];
  const { config, tree } = await loadTree<LmConfig, Omit<LanguageModel, 'config' | 'vocab'>>(
    dir,
    opts.trainable ?? true,
    (c) => ({
      tokenEmbedding: LEAF,
      positionEmbedding: LEAF,
      finalNorm: NORM_TEMPLATE,
      blocks: blockTemplates(c.depth),
    }),
  );
  return { config, vocab, ...tree };
}

/** Frees every weight of the LM. */
export function disposeLanguageModel(lm: LanguageModel): void {
  tf.dispose(Object.values(lmWeights(lm)));
}
