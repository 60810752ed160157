/**
 * Stage 2: vision-to-language generative learning (BLIP-2, Li et al. 2023, §3.3 and Fig. 3). The Q-Former's Q query
 * outputs Z [B, Q, D] — computed from the image alone, no text in the Q-Former — go through one fully-connected
 * layer into the frozen LM's embedding width and are put in front of the words, as soft visual prompts:
 *
 *   position   0        1 … Q              Q+1 … Q+T
 *   token      <eot>    W·Z + b            .  what colour is the circle ?  red  <eot>
 *
 * and the LM loss on the answer trains the Q-Former and W; the LM and the image encoder stay frozen. Whatever the
 * number N of patch features, the LM's context grows by Q tokens. Stage 1 (stage1.ts) has already taught the queries
 * to extract what text is about, so stage 2 starts from useful visual tokens rather than random ones.
 */
import * as tf from '@tensorflow/tfjs';
import { EOT_ID, dense, embed, forwardEmbeddings, linear, Seeds, type LanguageModel, type Linear } from '../../lab/lm';
import type { Bridge, BridgeName } from './bridge';
import { disposeQFormer, qformer, qformerWeights, type QFormer } from './qformer';

export interface QFormerVlm {
  lm: LanguageModel; // frozen
  qformer: QFormer; // trained in stage 1, and again here (its image side)
  projection: Linear; // [D, D_lm]: BLIP-2's one fully-connected layer
}

/** The stage-2 model around a Q-Former (provided): the linear layer is new. */
export function createQFormerVlm(lm: LanguageModel, qf: QFormer, seed = 7): QFormerVlm {
  return { lm, qformer: qf, projection: linear(new Seeds(seed), qf.config.width, lm.config.width) };
}

/**
 * TODO(6): next-word logits. The Q-Former on the image alone (no text: `null`), its Q query outputs through
 * `projection`, put between the <eot> start token's embedding and the words' embeddings, and the frozen LM over
 * that sequence (`forwardEmbeddings`).  [B, N, Dv] features, [B, T] words → [B, 1 + Q + T, V]
 */
export function qformerLogits(vlm: QFormerVlm, features: tf.Tensor3D, text: tf.Tensor2D): tf.Tensor3D {
  return tf.tidy(() => {
    const B = text.shape[0];
    const visual = dense(qformer(vlm.qformer, features, null, 'itm').queries, vlm.projection); // [B, Q, D_lm]
    const start = embed(vlm.lm, tf.fill([B, 1], EOT_ID, 'int32') as tf.Tensor2D); // [B, 1, D_lm]
    return forwardEmbeddings(vlm.lm, tf.concat([start, visual, embed(vlm.lm, text)], 1) as tf.Tensor3D);
  });
}

/**
 * TODO(6): the variables stage 2 trains: the linear layer and the parts of the Q-Former the queries pass through
 * (the queries, each layer's shared self-attention and the queries' feed-forward — `block` —, the cross-attention,
 * the final norm). Not the text side, the ITC projections, the ITM head or τ (nothing reaches them without text),
 * and nothing of the frozen LM or encoder.
 */
export function stage2Variables(vlm: QFormerVlm): tf.Variable[] {
  const queryPath = Object.entries(qformerWeights(vlm.qformer))
    .filter(([name]) => /^(queries|layers\.\d+\.(block|cross)\.|finalNorm\.)/.test(name))
    .map(([, v]) => v as tf.Variable);
  return [...queryPath, vlm.projection.w, vlm.projection.b];
}

/** The Q-Former VLM as a `Bridge` for the comparison (provided). */
export function qformerBridge(vlm: QFormerVlm, name: BridgeName): Bridge {
  return {
    name,
    contextTokens: vlm.qformer.config.queries,
    visualTokens: vlm.qformer.config.queries,
    logits: (features, text) => qformerLogits(vlm, features, text),
    trainableVariables: () => stage2Variables(vlm),
    dispose: () => {
      disposeQFormer(vlm.qformer);
      tf.dispose([vlm.projection.w, vlm.projection.b]);
    },
  };
}
