/**
 * The transformer pieces every model here is built from, written out in plain tfjs so every matrix product is
 * visible: linear layers, layer norm, GELU, the causal mask, multi-head attention and the pre-norm residual block.
 * The frozen language model (`lab/lm.ts`) and vision encoder (`lab/vision.ts`) are made of them, and so are the
 * towers of exercise 1 (CLIP) and the encoder–decoder of the Whisper exercise.
 *
 * Vaswani et al. 2017, "Attention Is All You Need", §3.2 (scaled dot-product and multi-head attention); the pre-norm
 * block is the one GPT-2, ViT and CLIP use (Radford et al. 2019; Dosovitskiy et al. 2020, Eq. 2–3; Radford et al.
 * 2021, §2.4).
 */
import * as tf from '@tensorflow/tfjs';

/** A linear layer x·w + b: w [dIn, dOut], b [dOut]. */
export interface Linear {
  w: tf.Variable;
  b: tf.Variable;
}
/** A layer norm's learned scale and shift, each [D]. */
export interface Norm {
  gain: tf.Variable;
  bias: tf.Variable;
}
/** The MLP half of a pre-norm block: its layer norm and its two linear layers (D → mlpRatio·D → D). */
export interface Mlp {
  ln2: Norm;
  fc1: Linear;
  fc2: Linear;
}
/** A pre-norm block whose self-attention reads queries, keys and values from one fused projection `qkv` [D, 3D]. */
export interface Block extends Mlp {
  ln1: Norm;
  qkv: Linear;
  out: Linear;
}

// ---------------------------------------------------------------------------------------------------------------
// Parameters

/** Seeds for weight initialisation, so a model built with the same seed starts from the same weights. */
export class Seeds {
  constructor(private next: number) {}
  take(): number {
    return this.next++;
  }
}

/** A weight matrix [dIn, dOut] drawn from N(0, (scale/√dIn)²): with scale 1, activations keep their scale. */
export function weight(seeds: Seeds, dIn: number, dOut: number, scale = 1): tf.Variable {
  return tf.variable(tf.randomNormal([dIn, dOut], 0, scale / Math.sqrt(dIn), 'float32', seeds.take()));
}

/** A linear layer dIn → dOut: `weight`'s initialisation, zero bias. */
export function linear(seeds: Seeds, dIn: number, dOut: number, scale = 1): Linear {
  return { w: weight(seeds, dIn, dOut, scale), b: tf.variable(tf.zeros([dOut])) };
}

/** A layer norm that starts as the identity: gain 1, bias 0. */
export function norm(d: number): Norm {
  return { gain: tf.variable(tf.ones([d])), bias: tf.variable(tf.zeros([d])) };
}

/**
 * A pre-norm block of width `d`. Given the model's `depth`, the two layers that write into the residual stream
 * (`out`, `fc2`) start 1/√(2·depth) smaller, GPT-2's scaled initialisation; without it every layer starts N(0, 1/dIn).
 */
export function createBlock(seeds: Seeds, d: number, mlpRatio: number, depth?: number): Block {
  const residual = depth === undefined ? 1 : 1 / Math.sqrt(2 * depth);
  return {
    ln1: norm(d),
    qkv: linear(seeds, d, 3 * d),
    out: linear(seeds, d, d, residual),
    ln2: norm(d),
    fc1: linear(seeds, d, mlpRatio * d),
    fc2: linear(seeds, mlpRatio * d, d, residual),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Layers

// The layers keep their input's rank in the type (a Tensor3D in, a Tensor3D out), so code built on them needs no
// casts.

/** x·W + b over the last axis, for any leading shape.  [..., dIn] → [..., dOut] */
export function dense<R extends tf.Rank>(x: tf.Tensor<R>, p: { w: tf.Tensor; b: tf.Tensor }): tf.Tensor<R> {
  const dIn = x.shape[x.rank - 1];
  const y = tf.add(tf.matMul(tf.reshape(x, [-1, dIn]), p.w), p.b); // [N, dOut]
  const shape = [...x.shape.slice(0, -1), p.w.shape[1] as number];
  return tf.reshape<tf.Rank>(y, shape) as tf.Tensor<R>; // the same rank: only the last axis changed
}

/** Layer norm over the last axis.  [..., D] → [..., D] */
export function layerNorm<R extends tf.Rank>(x: tf.Tensor<R>, p: Norm): tf.Tensor<R> {
  const { mean, variance } = tf.moments(x, -1, true);
  const normalised = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5)));
  return tf.add<tf.Tensor<R>>(tf.mul(normalised, p.gain), p.bias);
}

/**
 * GELU in its sigmoid form x·σ(1.702x) (Hendrycks & Gimpel 2016; CLIP's code calls it "QuickGELU"): cheap, and
 * within 0.02 of the exact one.
 */
export function gelu<R extends tf.Rank>(x: tf.Tensor<R>): tf.Tensor<R> {
  return tf.mul<tf.Tensor<R>>(x, tf.sigmoid(tf.mul(x, 1.702)));
}

// ---------------------------------------------------------------------------------------------------------------
// Attention

/**
 * The additive causal mask for T positions: 0 where position i may attend to position j ≤ i, −1e9 for the future
 * (after the softmax its weight is exactly 0). Shaped to be added to the scores [B, H, T, T].  → [1, 1, T, T]
 */
export function causalMask(T: number): tf.Tensor4D {
  return tf.tidy(() => {
    const lower = tf.linalg.bandPart(tf.ones([T, T]), -1, 0); // 1 on and below the diagonal
    return tf.reshape(tf.mul(tf.sub(1, lower), -1e9), [1, 1, T, T]) as tf.Tensor4D;
  });
}

/** Splits the width into `heads` heads of D/heads each.  [B, T, D] → [B, H, T, D/H] */
export function splitHeads(x: tf.Tensor, heads: number): tf.Tensor4D {
  const [B, T, D] = x.shape as [number, number, number];
  return tf.transpose(tf.reshape(x, [B, T, heads, D / heads]), [0, 2, 1, 3]);
}

/** Concatenates the heads again.  [B, H, T, dh] → [B, T, H·dh] */
export function mergeHeads(x: tf.Tensor4D): tf.Tensor3D {
  const [B, H, T, dh] = x.shape;
  return tf.reshape(tf.transpose(x, [0, 2, 1, 3]), [B, T, H * dh]);
}

/**
 * Scaled dot-product attention in every head at once, softmax(QKᵀ/√dh + mask)·V, where `mask` (broadcast to the
 * scores) is 0 where a query may look at a key and −1e9 where it may not.  q [B, H, T, dh], k and v [B, H, S, dh] →
 * [B, H, T, dh]
 */
export function scaledDotProductAttention(
  q: tf.Tensor4D,
  k: tf.Tensor4D,
  v: tf.Tensor4D,
  mask?: tf.Tensor,
): tf.Tensor4D {
  return tf.matMul(attentionProbabilities(q, k, mask), v); // [B, H, T, dh]: each query's weighted mean of the values
}

/**
 * The attention weights softmax(QKᵀ/√dh + mask): each query's row sums to 1.
 *   q [B, H, T, dh], k [B, H, S, dh] → [B, H, T, S]
 */
export function attentionProbabilities(q: tf.Tensor4D, k: tf.Tensor4D, mask?: tf.Tensor): tf.Tensor4D {
  let scores = tf.div(tf.matMul(q, k, false, true), Math.sqrt(q.shape[3])); // [B, H, T, S]
  if (mask) scores = tf.add(scores, mask);
  return tf.softmax(scores, -1) as tf.Tensor4D;
}

/**
 * Where each position looks in a block's self-attention: the weights `selfAttention` averages the values with, for
 * the block's normed input `x` (pass `layerNorm(x, p.ln1)`, as transformerBlock does). For pictures (lab.attention),
 * not for training.  [B, T, D] → [B, H, T, T]
 */
export function selfAttentionWeights(x: tf.Tensor3D, p: Block, heads: number, mask?: tf.Tensor): tf.Tensor4D {
  return tf.tidy(() => {
    const [q, k] = tf.split(dense(x, p.qkv), 3, -1).map((t) => splitHeads(t, heads)); // 2 × [B, H, T, dh]
    return attentionProbabilities(q, k, mask);
  });
}

/** Multi-head self-attention through the block's fused `qkv` and its `out`.  [B, T, D] → [B, T, D] */
export function selfAttention(x: tf.Tensor3D, p: Block, heads: number, mask?: tf.Tensor): tf.Tensor3D {
  const [q, k, v] = tf.split(dense(x, p.qkv), 3, -1).map((t) => splitHeads(t, heads)); // 3 × [B, H, T, dh]
  return dense(mergeHeads(scaledDotProductAttention(q, k, v, mask)), p.out);
}

// ---------------------------------------------------------------------------------------------------------------
// The block

/** The block's MLP on its own layer norm: fc2(GELU(fc1(LN(x)))).  [B, T, D] → [B, T, mlpRatio·D] → [B, T, D] */
export function mlp<R extends tf.Rank>(x: tf.Tensor<R>, p: Mlp): tf.Tensor<R> {
  return dense(gelu(dense(layerNorm(x, p.ln2), p.fc1)), p.fc2);
}

/** One pre-norm block: x + attention(LN(x)), then x + MLP(LN(x)).  [B, T, D] → [B, T, D] */
export function transformerBlock(x: tf.Tensor3D, p: Block, heads: number, mask?: tf.Tensor): tf.Tensor3D {
  const h = tf.add<tf.Tensor3D>(x, selfAttention(layerNorm(x, p.ln1), p, heads, mask)); // [B, T, D]
  return tf.add<tf.Tensor3D>(h, mlp(h, p));
}
