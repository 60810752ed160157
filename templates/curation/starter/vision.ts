/**
 * The image tower: a small Vision Transformer (ViT) (provided: exercise 1's, with its answers).
 *
 * Dosovitskiy et al. 2020, "An Image is Worth 16x16 Words", §3.1, Eq. 1–4: cut the image into P×P patches,
 * flatten each, project it linearly to D, prepend a learned class token, add learned position embeddings, run
 * transformer blocks, and read the image's summary from the class token's output. CLIP (Radford et al. 2021,
 * §2.4) then applies a layer norm and the projection into the joint space.
 */
import * as tf from '@tensorflow/tfjs';
import { projectToJoint, type VisionTower } from './model';
import { dense, layerNorm, transformerBlock } from './transformer';

/**
 * Cut each image into non-overlapping patch×patch squares and flatten every square into one row, patches
 * in row-major order (left to right, then top to bottom) and each row ordered [y][x][channel].
 *   [B, H, W, C] → [B, (H/patch)·(W/patch), patch·patch·C]
 */
export function patchify(images: tf.Tensor4D, patch: number): tf.Tensor3D {
  return tf.tidy(() => {
    const [B, H, W, C] = images.shape;
    const gh = H / patch,
      gw = W / patch;
    const grid = tf.reshape(images, [B, gh, patch, gw, patch, C]); // [B, gh, py, gw, px, C]
    const patches = tf.transpose(grid, [0, 1, 3, 2, 4, 5]); // [B, gh, gw, py, px, C]
    return tf.reshape(patches, [B, gh * gw, patch * patch * C]) as tf.Tensor3D; // [B, N, P·P·C]
  });
}

/**
 * Turn patches into the transformer's input tokens (ViT Eq. 1): project every patch with
 * `tower.patchEmbed`, put the learned class token `tower.cls` in front, and add the position embeddings `tower.pos`.
 *   [B, N, P·P·C] → [B, 1 + N, D]
 */
export function embedPatches(tower: VisionTower, patches: tf.Tensor3D): tf.Tensor3D {
  return tf.tidy(() => {
    const B = patches.shape[0];
    const tokens = dense(patches, tower.patchEmbed); // [B, N, D]
    const cls = tf.tile(tower.cls, [B, 1, 1]); // [B, 1, D]
    const withCls = tf.concat([cls, tokens], 1); // [B, 1 + N, D]
    return tf.add(withCls, tower.pos) as tf.Tensor3D; // [B, 1 + N, D] (pos broadcasts over B)
  });
}

/**
 * The whole image encoder. Patchify, embed, run `tower.blocks` with
 * `transformerBlock` (no mask: every patch may attend to every patch), take the class token's output (position 0),
 * apply `tower.lnPost`, and project into the joint space with `projectToJoint`.
 *   [B, H, W, 3] → [B, E], each row of length 1
 */
export function encodeImage(tower: VisionTower, images: tf.Tensor4D): tf.Tensor2D {
  return tf.tidy(() => {
    let x = embedPatches(tower, patchify(images, tower.patch)); // [B, 1 + N, D]
    for (const b of tower.blocks) x = transformerBlock(x, b, tower.heads);
    const [B, , D] = x.shape;
    const pooled = tf.reshape<tf.Rank.R2>(tf.slice(x, [0, 0, 0], [B, 1, D]), [B, D]); // [B, D]: the class token
    return projectToJoint(layerNorm(pooled, tower.lnPost), tower.proj as tf.Tensor2D); // [B, E]
  });
}
