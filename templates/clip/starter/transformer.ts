/**
 * The transformer pieces both towers share (provided): linear layers, layer norm, multi-head self-attention and a
 * pre-norm residual block, written out in plain tfjs so you can see every matrix product.
 *
 * Vaswani et al. 2017, "Attention Is All You Need", §3.2 (scaled dot-product attention, multi-head attention);
 * the pre-norm block is the one CLIP's towers use (Radford et al. 2021, §2.4; Dosovitskiy et al. 2020, Eq. 2–3).
 */
import * as tf from '@tensorflow/tfjs';

export interface Linear {
  w: tf.Variable;
  b: tf.Variable;
}
export interface Norm {
  gain: tf.Variable;
  bias: tf.Variable;
}
export interface Block {
  ln1: Norm;
  qkv: Linear;
  out: Linear;
  ln2: Norm;
  fc1: Linear;
  fc2: Linear;
}

/** Seeds for weight initialisation, so a model built with the same seed starts from the same weights. */
export class Seeds {
  constructor(private next: number) {}
  take(): number {
    return this.next++;
  }
}

/** A weight matrix [dIn, dOut] drawn from N(0, 1/dIn), so activations keep their scale. */
export function weight(seeds: Seeds, dIn: number, dOut: number): tf.Variable {
  return tf.variable(tf.randomNormal([dIn, dOut], 0, 1 / Math.sqrt(dIn), 'float32', seeds.take()));
}

export function linear(seeds: Seeds, dIn: number, dOut: number): Linear {
  return { w: weight(seeds, dIn, dOut), b: tf.variable(tf.zeros([dOut])) };
}

export function norm(d: number): Norm {
  return { gain: tf.variable(tf.ones([d])), bias: tf.variable(tf.zeros([d])) };
}

export function block(seeds: Seeds, d: number, mlpRatio: number): Block {
  return {
    ln1: norm(d),
    qkv: linear(seeds, d, 3 * d),
    out: linear(seeds, d, d),
    ln2: norm(d),
    fc1: linear(seeds, d, mlpRatio * d),
    fc2: linear(seeds, mlpRatio * d, d),
  };
}

/** x·W + b over the last axis, for any leading shape.  [..., dIn] → [..., dOut] */
export function dense(x: tf.Tensor, p: Linear): tf.Tensor {
  const dIn = x.shape[x.rank - 1];
  const flat = tf.reshape(x, [-1, dIn]); // [N, dIn]
  const y = tf.add(tf.matMul(flat, p.w), p.b); // [N, dOut]
  return tf.reshape(y, [...x.shape.slice(0, -1), p.w.shape[1] as number]);
}

/** Layer norm over the last axis.  [..., D] → [..., D] */
export function layerNorm(x: tf.Tensor, p: Norm): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), p.gain), p.bias);
}

/** GELU, in the sigmoid form CLIP's code uses ("QuickGELU"): x·σ(1.702x). */
export function gelu(x: tf.Tensor): tf.Tensor {
  return tf.mul(x, tf.sigmoid(tf.mul(x, 1.702)));
}

/**
 * Multi-head self-attention. `mask` is added to the attention scores: 0 where a query may look at a key,
 * −1e9 where it may not (broadcast to [B, heads, T, T]).  [B, T, D] → [B, T, D]
 */
export function selfAttention(x: tf.Tensor3D, p: Block, heads: number, mask?: tf.Tensor): tf.Tensor3D {
  const [B, T, D] = x.shape;
  const dh = D / heads;
  const toHeads = (t: tf.Tensor): tf.Tensor4D => tf.transpose(tf.reshape(t, [B, T, heads, dh]), [0, 2, 1, 3]); // [B, H, T, dh]
  const [q, k, v] = tf.split(dense(x, p.qkv), 3, -1).map(toHeads); // 3 × [B, H, T, dh]
  let scores = tf.div(tf.matMul(q, k, false, true), Math.sqrt(dh)); // [B, H, T, T]
  if (mask) scores = tf.add(scores, mask);
  const attended = tf.matMul(tf.softmax(scores, -1), v); // [B, H, T, dh]
  const merged = tf.reshape(tf.transpose(attended, [0, 2, 1, 3]), [B, T, D]); // [B, T, D]
  return dense(merged, p.out) as tf.Tensor3D;
}

/** One pre-norm transformer block: x + attention(LN(x)), then x + MLP(LN(x)).  [B, T, D] → [B, T, D] */
export function transformerBlock(x: tf.Tensor3D, p: Block, heads: number, mask?: tf.Tensor): tf.Tensor3D {
  const h = tf.add(x, selfAttention(layerNorm(x, p.ln1) as tf.Tensor3D, p, heads, mask)) as tf.Tensor3D; // [B, T, D]
  const mlp = dense(gelu(dense(layerNorm(h, p.ln2), p.fc1)), p.fc2); // [B, T, mlpRatio·D] → [B, T, D]
  return tf.add(h, mlp) as tf.Tensor3D;
}
