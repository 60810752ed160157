/**
 * GATED XATTN-DENSE (Flamingo, Alayrac et al. 2022, §2.2 and Fig. 4): a new layer inserted in front of a frozen LM
 * layer. The words cross-attend to the visual tokens, then pass a feed-forward layer, and each of the two results
 * is scaled by tanh of its own learned gate α before it is added to the residual stream:
 *
 *   def gated_xattn_dense(y, x, alpha_xattn, alpha_dense):   # y: the words, x: the visual tokens
 *     y = y + tanh(alpha_xattn) * attention(q=y, kv=x)
 *     y = y + tanh(alpha_dense) * ffw(y)
 *     y = frozen_lm_layer(y)
 *
 * Both α start at 0. tanh(0) = 0, so at initialisation every new layer adds exactly nothing and the model is the
 * unchanged LM; the gates open as training finds the image useful (Flamingo's Fig. 6 plots them layer by layer).
 */
import * as tf from '@tensorflow/tfjs';
import { layerNorm, norm, type Norm, type Seeds } from '../../lab/lm';
import { createAttention, crossAttend, type Attention, type MediaMask } from './attention';
import { createFeedForward, feedForward, type FeedForward } from './resampler';

export interface GatedXattnDense {
  norm: Norm; // LN of the words before they query the image
  attention: Attention; // queries of width D (the LM's), keys/values of width Dv (the visual tokens')
  attentionGate: tf.Variable; // α_xattn, a scalar, initialised to 0
  ffw: FeedForward;
  ffwGate: tf.Variable; // α_dense, a scalar, initialised to 0
}

/** A gated layer for an LM of width `dModel` reading visual tokens of width `dVision` (provided). Gates start at 0. */
export function createGatedXattnDense(
  seeds: Seeds,
  dModel: number,
  dVision: number,
  mlpRatio: number,
): GatedXattnDense {
  return {
    norm: norm(dModel),
    attention: createAttention(seeds, dModel, dVision),
    attentionGate: tf.variable(tf.scalar(0)),
    ffw: createFeedForward(seeds, dModel, mlpRatio),
    ffwGate: tf.variable(tf.scalar(0)),
  };
}

/**
 * TODO(4): the gated layer. The cross-attention of LN(y) over `visual` under `mask.scores`, times `mask.seesImage`
 * (a token with no image before it gets nothing), times tanh(attentionGate), added to y; then feedForward of the
 * result, times tanh(ffwGate), added to it.  [B, T, D] words, [B, M·R, Dv] visual tokens → [B, T, D]
 */
export function gatedXattnDense(
  g: GatedXattnDense,
  y: tf.Tensor3D,
  visual: tf.Tensor3D,
  mask: MediaMask,
  heads: number,
): tf.Tensor3D {
  return tf.tidy(() => {
    const read = crossAttend(layerNorm(y, g.norm), visual, g.attention, heads, mask.scores); // [B, T, D]
    const attended = tf.mul(read, mask.seesImage); // [B, T, D]: 0 for a token before the first image
    // [B, T, D]: y itself while α_xattn = 0
    const h = tf.add(y, tf.mul(tf.tanh(g.attentionGate), attended)) as tf.Tensor3D;
    // [B, T, D]: h itself while α_dense = 0
    return tf.add(h, tf.mul(tf.tanh(g.ffwGate), feedForward(g.ffw, h))) as tf.Tensor3D;
  });
}
