/**
 * The Q-Former (BLIP-2, Li et al. 2023, §3.1 and Fig. 2): a small transformer between a frozen image encoder and a
 * frozen LM. Q learned query vectors (32 in BLIP-2, 8 here) and the text tokens share the same self-attention
 * layers; only the queries have cross-attention to the frozen encoder's patch features, inserted "every other
 * transformer block" (§3.1); queries and text each have their own feed-forward layer. Whatever the number N of patch
 * features, the image comes out as Q query vectors: a fixed-size bottleneck.
 *
 *   layer i:   x = [queries; words]                                       [B, Q + T, D]
 *              x ← x + SelfAttention(LN(x); mask of the objective)        shared by queries and words
 *              queries ← queries + CrossAttention(LN(queries), Z_v)       only if i % crossEvery == 0
 *              queries ← queries + FFN_q(queries),  words ← words + FFN_t(words)
 *
 * BLIP-2 initialises the Q-Former from BERT-base (188M parameters with the queries); this one is 2 layers of width
 * 64, trained from scratch in stage 1. The blocks are pre-norm (lab/transformer.ts), where BERT is post-norm.
 */
import * as tf from '@tensorflow/tfjs';
import {
  Seeds,
  createBlock,
  dense,
  flatten,
  layerNorm,
  linear,
  mergeHeads,
  mlp,
  norm,
  scaledDotProductAttention,
  selfAttention,
  splitHeads,
  type Block,
  type Linear,
  type Mlp,
  type NamedTensors,
  type Norm,
} from '../../lab/lm';
import { attentionMask, paddingMask, type Objective } from './masks';

export interface QFormerConfig {
  queries: number; // Q, the image's fixed number of output tokens
  width: number; // D
  depth: number;
  heads: number;
  mlpRatio: number;
  crossEvery: number; // cross-attention in the layers i with i % crossEvery == 0 (BLIP-2: 2)
  vocabSize: number; // the text side reads the LM's words
  maxText: number;
  embedDim: number; // E, the ITC space
}

/** Cross-attention from the queries (width D) to the image features (width Dv), with its own layer norm. */
export interface CrossAttention {
  norm: Norm;
  q: Linear; // [D, D]
  k: Linear; // [Dv, D]
  v: Linear; // [Dv, D]
  out: Linear; // [D, D]
}

export interface QFormerLayer {
  block: Block; // the shared self-attention (ln1, qkv, out) and the queries' feed-forward (ln2, fc1, fc2)
  cross: CrossAttention | null; // queries → image features; null in the layers without it
  textMlp: Mlp; // the words' own feed-forward
}

export interface QFormer {
  config: QFormerConfig;
  queries: tf.Variable; // [Q, D] the learned queries
  tokenEmbedding: tf.Variable; // [V, D] the text side's word embeddings
  positionEmbedding: tf.Variable; // [maxText, D] the text side's positions (the queries have none)
  layers: QFormerLayer[];
  finalNorm: Norm;
  itcImage: Linear; // [D, E] query outputs → the ITC space
  itcText: Linear; // [D, E] the [CLS] output → the ITC space
  itmHead: Linear; // [D, 2] a query output → (no match, match) logits
  temperature: tf.Variable; // ITC temperature τ, 0.07 at the start as in BLIP-2
}

/** Whether layer `i` has cross-attention to the image (provided): every `crossEvery`-th layer, from layer 0. */
export const hasCrossAttention = (config: QFormerConfig, i: number): boolean => i % config.crossEvery === 0;

/** A Q-Former reading image features of width `dVision` (provided). */
export function createQFormer(config: QFormerConfig, dVision: number, seed: number): QFormer {
  const seeds = new Seeds(seed);
  const D = config.width;
  const cross = (): CrossAttention => ({
    norm: norm(D),
    q: linear(seeds, D, D),
    k: linear(seeds, dVision, D),
    v: linear(seeds, dVision, D),
    out: linear(seeds, D, D),
  });
  return {
    config,
    queries: tf.variable(tf.randomNormal([config.queries, D], 0, 1, 'float32', seeds.take())),
    tokenEmbedding: tf.variable(tf.randomNormal([config.vocabSize, D], 0, 0.1, 'float32', seeds.take())),
    positionEmbedding: tf.variable(tf.randomNormal([config.maxText, D], 0, 0.02, 'float32', seeds.take())),
    layers: Array.from({ length: config.depth }, (_, i) => ({
      block: createBlock(seeds, D, config.mlpRatio, config.depth),
      cross: hasCrossAttention(config, i) ? cross() : null,
      textMlp: {
        ln2: norm(D),
        fc1: linear(seeds, D, config.mlpRatio * D),
        fc2: linear(seeds, config.mlpRatio * D, D, 1 / Math.sqrt(2 * config.depth)), // as createBlock's fc2
      },
    })),
    finalNorm: norm(D),
    itcImage: linear(seeds, D, config.embedDim),
    itcText: linear(seeds, D, config.embedDim),
    itmHead: linear(seeds, D, 2),
    temperature: tf.variable(tf.scalar(0.07)),
  };
}

/**
 * Multi-head cross-attention (provided): queries from `x`, keys and values from `context`, through lab's attention.
 * [B, Tq, D], [B, Tk, Dv] → [B, Tq, D]
 */
export function crossAttend(x: tf.Tensor3D, context: tf.Tensor3D, p: CrossAttention, heads: number): tf.Tensor3D {
  return tf.tidy(() => {
    const q = splitHeads(dense(x, p.q), heads); // [B, H, Tq, dh]
    const k = splitHeads(dense(context, p.k), heads); // [B, H, Tk, dh]
    const v = splitHeads(dense(context, p.v), heads); // [B, H, Tk, dh]
    return dense(mergeHeads(scaledDotProductAttention(q, k, v)), p.out); // [B, Tq, D]
  });
}

/** The text side's input (provided): word embeddings plus positions.  [B, T] → [B, T, D] */
export function textEmbeddings(qf: QFormer, text: tf.Tensor2D): tf.Tensor3D {
  return tf.tidy(() => {
    const T = text.shape[1];
    const positions = tf.slice(qf.positionEmbedding, [0, 0], [T, qf.config.width]); // [T, D]
    return tf.add(tf.gather(qf.tokenEmbedding, text), positions) as tf.Tensor3D;
  });
}

/** The Q-Former's outputs: one vector per query, and one per word when text was given. */
export interface QFormerOutput {
  queries: tf.Tensor3D; // [B, Q, D]
  text?: tf.Tensor3D; // [B, T, D]
}

/**
 * TODO(2): the Q-Former's forward pass. The queries (the same for every image) and, when `text` is given, its
 * embeddings form one sequence; each layer applies the shared self-attention under attentionMask(objective) plus
 * paddingMask(text), then, in the layers that have it, the queries' cross-attention to `features`, then each part's
 * own feed-forward (`mlp(…, block)` for the queries, `mlp(…, textMlp)` for the words), every step residual; the final
 * norm ends it.  [B, N, Dv] features, [B, T] words or null → queries [B, Q, D] (and text [B, T, D])
 */
export function qformer(
  qf: QFormer,
  features: tf.Tensor3D,
  text: tf.Tensor2D | null,
  objective: Objective,
): QFormerOutput {
  throw new Error(
    "TODO(2): [tiled queries; textEmbeddings] under attentionMask + paddingMask; per layer the shared self-attention, the queries' cross-attention where layer.cross exists, each part's feed-forward; then finalNorm → { queries [B, Q, D], text [B, T, D] }",
  );
}

/**
 * Every weight by name ("queries", "layers.0.block.qkv.w", "layers.0.cross.k.w", "layers.1.textMlp.fc1.w",
 * "itmHead.w", …) (provided). A layer without cross-attention has no "cross" names.
 */
export function qformerWeights(qf: QFormer): NamedTensors {
  return flatten({
    queries: qf.queries,
    tokenEmbedding: qf.tokenEmbedding,
    positionEmbedding: qf.positionEmbedding,
    layers: qf.layers, // a layer's null `cross` has no names
    finalNorm: qf.finalNorm,
    itcImage: qf.itcImage,
    itcText: qf.itcText,
    itmHead: qf.itmHead,
    temperature: qf.temperature,
  });
}

export function disposeQFormer(qf: QFormer): void {
  tf.dispose(Object.values(qformerWeights(qf)));
}
