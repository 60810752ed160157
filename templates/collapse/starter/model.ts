/**
 * A small LLaVA (provided): a frozen vision encoder, the trained bridge and a frozen language model (Liu et al.
 * 2023, §4.1, Fig. 1). The image becomes N tokens in the LM's input sequence, between two marker tokens, in front
 * of the question:
 *
 *   position   0        1            2 … N+1            N+2        N+3 … N+2+T
 *   token      <eot>    <im_start>   image tokens       <im_end>   .  what colour is the circle ?  red  <eot>  <pad> …
 *              (start)  learned      tanh(α)·MLP(Z_v)   learned    word embeddings of `text`
 *
 * The LM was pretrained on "<eot> description . question ? answer <eot>": the image block takes the place of the
 * description, so the bridge's job is to say, in the LM's embedding space, what the description would have said.
 */
import * as tf from '@tensorflow/tfjs';
import { EOT_ID, PAD_ID, causalMask, embed, forwardEmbeddings, type LanguageModel } from '../../lab/lm';
import { numPatches, patchFeatures, type VisionEncoder } from '../../lab/vision';
import { createBridge, imageTokens, type Bridge } from './bridge';
import type { ProjectionKind } from '../../lab/llava/projection';

export interface Vlm {
  encoder: VisionEncoder; // frozen
  lm: LanguageModel; // frozen
  bridge: Bridge; // trained
}

/** Ids for the marker tokens in `sequenceIds`. They are not words: their embeddings live in the bridge. */
export const IM_START_ID = -1;
export const IM_END_ID = -2;

/** Async: ρ, the RMS of the LM's word embeddings, is read back from the tensor with `await`. */
export async function createVlm(
  encoder: VisionEncoder,
  lm: LanguageModel,
  kind: ProjectionKind,
  seed = 7,
): Promise<Vlm> {
  const rms = tf.tidy(() => tf.sqrt(tf.mean(tf.square(lm.tokenEmbedding)))); // []
  const wordScale = (await rms.data())[0]; // ρ
  rms.dispose();
  return { encoder, lm, bridge: createBridge(kind, encoder.config.width, lm.config.width, wordScale, seed) };
}

/** Where the text starts in the spliced sequence: after <eot>, <im_start>, the N image tokens and <im_end>. */
export function textStart(vlm: Vlm): number {
  return numPatches(vlm.encoder.config) + 3;
}

/** The encoder's patch features, outside any gradient: the encoder is frozen.  [B, S, S, 3] → [B, N, Dv] */
export function imageFeatures(vlm: Vlm, images: tf.Tensor4D): tf.Tensor3D {
  return patchFeatures(vlm.encoder, images);
}

/**
 * The LM's input sequence: <eot>, <im_start>, the image tokens, <im_end>, the words.
 *   [B, N, D], [B, T] → [B, N + 3 + T, D]
 */
export function spliceImageTokens(vlm: Vlm, tokens: tf.Tensor3D, text: tf.Tensor2D): tf.Tensor3D {
  return tf.tidy(() => {
    const [B, , D] = tokens.shape;
    const start = embed(vlm.lm, tf.fill([B, 1], EOT_ID, 'int32') as tf.Tensor2D); // [B, 1, D]
    // [B, 1, D]
    const marker = (v: tf.Variable): tf.Tensor3D => tf.tile(tf.reshape(v, [1, 1, D]), [B, 1, 1]) as tf.Tensor3D;
    const words = embed(vlm.lm, text); // [B, T, D]
    return tf.concat([start, marker(vlm.bridge.imStart), tokens, marker(vlm.bridge.imEnd), words], 1) as tf.Tensor3D;
  });
}

/** The id at every position of the spliced sequence, as the attention mask reads them.  [B, T] → [B, N + 3 + T] */
export function sequenceIds(text: tf.Tensor2D, numImageTokens: number): tf.Tensor2D {
  return tf.tidy(() => {
    const B = text.shape[0];
    const column = (id: number): tf.Tensor2D => tf.fill([B, 1], id, 'int32') as tf.Tensor2D;
    const imageSlots = tf.fill([B, numImageTokens], PAD_ID, 'int32'); // the image slots hold no word
    return tf.concat([column(EOT_ID), column(IM_START_ID), imageSlots, column(IM_END_ID), text], 1) as tf.Tensor2D;
  });
}

/**
 * Which key each query may read, as an additive mask [B, 1, L, L]: causal (nothing from the future), and no <pad>
 * key, so that the padding after an answer never leaks into attention.
 */
export function attentionMask(ids: tf.Tensor2D): tf.Tensor4D {
  return tf.tidy(() => {
    const [B, L] = ids.shape;
    const isPad = tf.cast(tf.equal(ids, PAD_ID), 'float32'); // [B, L]
    const padKeys = tf.reshape(tf.mul(isPad, -1e9), [B, 1, 1, L]); // [B, 1, 1, L]
    return tf.add(causalMask(L), padKeys) as tf.Tensor4D; // [B, 1, L, L]
  });
}

/** Next-word logits for every position of the spliced sequence.  [B, N, Dv], [B, T] → [B, N + 3 + T, V] */
export function vlmLogits(vlm: Vlm, features: tf.Tensor3D, text: tf.Tensor2D): tf.Tensor3D {
  return tf.tidy(() => {
    const tokens = imageTokens(vlm.bridge, features); // [B, N, D]
    const sequence = spliceImageTokens(vlm, tokens, text); // [B, L, D]
    const mask = attentionMask(sequenceIds(text, tokens.shape[1])); // [B, 1, L, L]
    return forwardEmbeddings(vlm.lm, sequence, mask); // [B, L, V]
  });
}
