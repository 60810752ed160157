/**
 * The transformer pieces the encoder and decoder share (provided): linear layers, layer norm, multi-head
 * attention (self or cross) and the two kinds of pre-norm residual block, in plain tfjs so every matrix product
 * is visible.
 *
 * Vaswani et al. 2017, "Attention Is All You Need", §3.2–3.3; Whisper uses exactly this encoder–decoder with
 * pre-activation residual blocks (Radford et al. 2022, §2.2 and Figure 1).
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
export interface Attention {
  q: Linear;
  kv: Linear;
  out: Linear;
}
/** Encoder block: self-attention, then an MLP. */
export interface EncoderBlock {
  ln1: Norm;
  attn: Attention;
  ln2: Norm;
  fc1: Linear;
  fc2: Linear;
}
/** Decoder block: causal self-attention, cross-attention over the audio, then an MLP. */
export interface DecoderBlock extends EncoderBlock {
  lnCross: Norm;
  cross: Attention;
}

/** Seeds for weight initialisation, so a model built with the same seed starts from the same weights. */
export class Seeds {
  constructor(private next: number) {}
  take(): number {
    return this.next++;
  }
}

export function linear(seeds: Seeds, dIn: number, dOut: number): Linear {
  const w = tf.randomNormal([dIn, dOut], 0, 1 / Math.sqrt(dIn), 'float32', seeds.take()); // N(0, 1/dIn)
  return { w: tf.variable(w), b: tf.variable(tf.zeros([dOut])) };
}

export function norm(d: number): Norm {
  return { gain: tf.variable(tf.ones([d])), bias: tf.variable(tf.zeros([d])) };
}

const attention = (seeds: Seeds, d: number): Attention => ({
  q: linear(seeds, d, d),
  kv: linear(seeds, d, 2 * d),
  out: linear(seeds, d, d),
});

export function encoderBlock(seeds: Seeds, d: number, mlpRatio: number): EncoderBlock {
  return {
    ln1: norm(d),
    attn: attention(seeds, d),
    ln2: norm(d),
    fc1: linear(seeds, d, mlpRatio * d),
    fc2: linear(seeds, mlpRatio * d, d),
  };
}

export function decoderBlock(seeds: Seeds, d: number, mlpRatio: number): DecoderBlock {
  return { ...encoderBlock(seeds, d, mlpRatio), lnCross: norm(d), cross: attention(seeds, d) };
}

/** x·W + b over the last axis, for any leading shape.  [..., dIn] → [..., dOut] */
export function dense(x: tf.Tensor, p: Linear): tf.Tensor {
  const dIn = x.shape[x.rank - 1];
  const y = tf.add(tf.matMul(tf.reshape(x, [-1, dIn]), p.w), p.b); // [N, dOut]
  return tf.reshape(y, [...x.shape.slice(0, -1), p.w.shape[1] as number]);
}

/** Layer norm over the last axis.  [..., D] → [..., D] */
export function layerNorm(x: tf.Tensor, p: Norm): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), p.gain), p.bias);
}

/** GELU in its sigmoid form, x·σ(1.702x) (Hendrycks & Gimpel 2016): cheap, and within 0.02 of the exact one. */
export function gelu(x: tf.Tensor): tf.Tensor {
  return tf.mul(x, tf.sigmoid(tf.mul(x, 1.702)));
}

/**
 * Multi-head attention: queries from `x` [B, T, D], keys and values from `context` [B, S, D] (`context` = `x` for
 * self-attention). `mask` is added to the scores: 0 where a query may look, −1e9 where it may not.  → [B, T, D]
 */
export function attend(
  x: tf.Tensor3D,
  context: tf.Tensor3D,
  p: Attention,
  heads: number,
  mask?: tf.Tensor,
): tf.Tensor3D {
  const [B, T, D] = x.shape;
  const dh = D / heads;
  const split = (t: tf.Tensor): tf.Tensor4D =>
    tf.transpose(tf.reshape(t, [B, t.shape[1] as number, heads, dh]), [0, 2, 1, 3]); // [B, len, D] → [B, H, len, dh]
  const q = split(dense(x, p.q)); // [B, H, T, dh]
  const [k, v] = tf.split(dense(context, p.kv), 2, -1).map(split); // 2 × [B, H, S, dh]
  let scores = tf.div(tf.matMul(q, k, false, true), Math.sqrt(dh)); // [B, H, T, S]
  if (mask) scores = tf.add(scores, mask);
  const mixed = tf.matMul(tf.softmax(scores, -1), v); // [B, H, T, dh]
  return dense(tf.reshape(tf.transpose(mixed, [0, 2, 1, 3]), [B, T, D]), p.out) as tf.Tensor3D;
}

const mlp = (x: tf.Tensor, p: EncoderBlock): tf.Tensor => dense(gelu(dense(layerNorm(x, p.ln2), p.fc1)), p.fc2); // [B, T, D]

/** x + SelfAttention(LN(x)), then + MLP(LN(·)).  [B, S, D] → [B, S, D] */
export function runEncoderBlock(x: tf.Tensor3D, p: EncoderBlock, heads: number): tf.Tensor3D {
  const ln = layerNorm(x, p.ln1) as tf.Tensor3D;
  const h = tf.add(x, attend(ln, ln, p.attn, heads)) as tf.Tensor3D;
  return tf.add(h, mlp(h, p)) as tf.Tensor3D;
}

/** Causal self-attention over the text so far, then cross-attention to the audio, then the MLP.  [B, T, D] → [B, T, D] */
export function runDecoderBlock(
  x: tf.Tensor3D,
  audio: tf.Tensor3D,
  p: DecoderBlock,
  heads: number,
  causal: tf.Tensor,
): tf.Tensor3D {
  const ln = layerNorm(x, p.ln1) as tf.Tensor3D;
  let h = tf.add(x, attend(ln, ln, p.attn, heads, causal)) as tf.Tensor3D;
  h = tf.add(h, attend(layerNorm(h, p.lnCross) as tf.Tensor3D, audio, p.cross, heads)) as tf.Tensor3D; // text queries, audio keys
  return tf.add(h, mlp(h, p)) as tf.Tensor3D;
}

/** The causal mask for T positions: 0 on and below the diagonal, −1e9 above (no peeking at later tokens).  [T, T] */
export function causalMask(T: number): tf.Tensor2D {
  return tf.tidy(() => tf.mul(tf.sub(1, tf.linalg.bandPart(tf.ones([T, T]), -1, 0)), -1e9) as tf.Tensor2D);
}
