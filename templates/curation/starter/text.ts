/**
 * The text tower: a transformer over word tokens (provided: exercise 1's, with its answer).
 *
 * Radford et al. 2021, §2.4: "The text encoder is a Transformer … masked self-attention was used in the text
 * encoder … the activations of the highest layer of the transformer at the [EOS] token are treated as the feature
 * representation of the text which is layer normalized and then linearly projected into the multi-modal embedding
 * space." Our tokens are whole words from the shapes-world vocabulary (lab/shapes.ts): <eot> ends every caption
 * and <pad> fills the rest.
 */
import * as tf from '@tensorflow/tfjs';
import { EOT } from '../../lab/shapes';
import { projectToJoint, type TextTower } from './model';
import { causalMask, layerNorm, transformerBlock } from './transformer';

/**
 * The whole text encoder. Look up the token embeddings (`tower.tokenEmbed`, e.g. with tf.gather), add
 * the position embeddings `tower.pos`, run `tower.blocks` with `transformerBlock` under `causalMask(L)`, take each
 * caption's output at its <eot> token (EOT from lab/shapes), apply `tower.lnFinal`, and project into the joint
 * space with `projectToJoint`.
 *   tokens [B, L] int32 → [B, E], each row of length 1
 */
export function encodeText(tower: TextTower, tokens: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const [, L] = tokens.shape;
    // [B, L, D]
    let x = tf.add(tf.gather(tower.tokenEmbed, tokens), tf.slice(tower.pos, [0, 0], [L, -1])) as tf.Tensor3D;
    const mask = causalMask(L);
    for (const b of tower.blocks) x = transformerBlock(x, b, tower.heads, mask);
    const atEot = tf.expandDims(tf.cast(tf.equal(tokens, EOT), 'float32'), -1); // [B, L, 1]: 1 at <eot>
    const pooled = tf.sum(tf.mul(x, atEot), 1) as tf.Tensor2D; // [B, D]
    return projectToJoint(layerNorm(pooled, tower.lnFinal), tower.proj as tf.Tensor2D); // [B, E]
  });
}
