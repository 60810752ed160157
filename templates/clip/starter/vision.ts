/**
 * The image tower: a small Vision Transformer (ViT).
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
 * TODO(1): cut each image into non-overlapping patch×patch squares and flatten every square into one row, patches
 * in row-major order (left to right, then top to bottom) and each row ordered [y][x][channel].
 *   [B, H, W, C] → [B, (H/patch)·(W/patch), patch·patch·C]
 */
export function patchify(images: tf.Tensor4D, patch: number): tf.Tensor3D {
  throw new Error(
    'TODO(1): implement patchify — reshape to [B, H/P, P, W/P, P, C], transpose, flatten each patch (README §What you implement)',
  );
}

/**
 * TODO(2): turn patches into the transformer's input tokens (ViT Eq. 1): project every patch with
 * `tower.patchEmbed`, put the learned class token `tower.cls` in front, and add the position embeddings `tower.pos`.
 *   [B, N, P·P·C] → [B, 1 + N, D]
 */
export function embedPatches(tower: VisionTower, patches: tf.Tensor3D): tf.Tensor3D {
  throw new Error(
    'TODO(2): implement embedPatches — patchEmbed every patch, prepend the class token, add the position embeddings',
  );
}

/**
 * TODO(4): the whole image encoder. Patchify (TODO 1), embed (TODO 2), run `tower.blocks` with
 * `transformerBlock` (no mask: every patch may attend to every patch), take the class token's output (position 0),
 * apply `tower.lnPost`, and project into the joint space with `projectToJoint` (TODO 3).
 *   [B, H, W, 3] → [B, E], each row of length 1
 */
export function encodeImage(tower: VisionTower, images: tf.Tensor4D): tf.Tensor2D {
  throw new Error(
    'TODO(4): implement encodeImage — patchify, embedPatches, the blocks, the class-token output, lnPost, projectToJoint',
  );
}
