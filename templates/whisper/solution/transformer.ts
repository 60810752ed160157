/**
 * The transformer the encoder and decoder share (provided): attention (self or cross) and the two kinds of pre-norm
 * residual block. Linear layers, layer norm, GELU, the causal mask and the head split come from `lab/transformer.ts`,
 * in plain tfjs so every matrix product is visible; the frozen models in lab/ are built from the same pieces.
 *
 * Vaswani et al. 2017, "Attention Is All You Need", §3.2–3.3; Whisper uses exactly this encoder–decoder with
 * pre-activation residual blocks (Radford et al. 2022, §2.2 and Figure 1).
 */
import * as tf from '@tensorflow/tfjs';
import {
  dense,
  layerNorm,
  linear,
  mergeHeads,
  mlp,
  norm,
  scaledDotProductAttention,
  splitHeads,
  type Linear,
  type Mlp,
  type Norm,
  type Seeds,
} from '../../lab/transformer';

export { Seeds, causalMask, dense, gelu, layerNorm, linear, norm, type Linear, type Norm } from '../../lab/transformer';

/** Whisper's attention weights: queries from one sequence, keys and values (one fused projection) from another. */
export interface Attention {
  q: Linear;
  kv: Linear;
  out: Linear;
}
/** Encoder block: self-attention, then an MLP. */
export interface EncoderBlock extends Mlp {
  ln1: Norm;
  attn: Attention;
}
/** Decoder block: causal self-attention, cross-attention over the audio, then an MLP. */
export interface DecoderBlock extends EncoderBlock {
  lnCross: Norm;
  cross: Attention;
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

/**
 * Multi-head attention: queries from `x` [B, T, D], keys and values from `source` [B, S, D] (`source` = `x` for
 * self-attention). `mask` is added to the scores: 0 where a query may look, −1e9 where it may not.  → [B, T, D]
 */
export function attend(
  x: tf.Tensor3D,
  source: tf.Tensor3D,
  p: Attention,
  heads: number,
  mask?: tf.Tensor,
): tf.Tensor3D {
  const q = splitHeads(dense(x, p.q), heads); // [B, H, T, dh]
  const [k, v] = tf.split(dense(source, p.kv), 2, -1).map((t) => splitHeads(t, heads)); // 2 × [B, H, S, dh]
  return dense(mergeHeads(scaledDotProductAttention(q, k, v, mask)), p.out); // [B, T, D]
}

/** x + SelfAttention(LN(x)), then + MLP(LN(·)).  [B, S, D] → [B, S, D] */
export function runEncoderBlock(x: tf.Tensor3D, p: EncoderBlock, heads: number): tf.Tensor3D {
  const ln = layerNorm(x, p.ln1);
  const h = tf.add(x, attend(ln, ln, p.attn, heads)) as tf.Tensor3D;
  return tf.add(h, mlp(h, p)) as tf.Tensor3D;
}

/**
 * Causal self-attention over the text so far, then cross-attention to the audio, then the MLP. [B, T, D] → [B, T, D]
 */
export function runDecoderBlock(
  x: tf.Tensor3D,
  audio: tf.Tensor3D,
  p: DecoderBlock,
  heads: number,
  causal: tf.Tensor,
): tf.Tensor3D {
  const ln = layerNorm(x, p.ln1);
  let h = tf.add(x, attend(ln, ln, p.attn, heads, causal)) as tf.Tensor3D;
  // text queries, audio keys
  h = tf.add(h, attend(layerNorm(h, p.lnCross), audio, p.cross, heads)) as tf.Tensor3D;
  return tf.add(h, mlp(h, p)) as tf.Tensor3D;
}
