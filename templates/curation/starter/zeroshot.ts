/**
 * Zero-shot classification: no classifier is trained. Each class becomes a sentence ("a photo of a red circle"),
 * the text tower embeds it, and an image gets the class whose prompt embedding is most similar to its own.
 *
 * Radford et al. 2021, §3.1.2 ("Using CLIP for zero-shot transfer") and §3.1.4 (prompt engineering: the template
 * "A photo of a {label}." helps).
 */
import * as tf from '@tensorflow/tfjs';
import type { Colour, Shape } from '../../lab/shapes';

/** One prompt per class, in the classes' order: "a photo of a {colour} {shape}". */
export function classPrompts(classes: ReadonlyArray<readonly [Colour, Shape]>): string[] {
  return classes.map(([colour, shape]) => `a photo of a ${colour} ${shape}`);
}

/**
 * The predicted class of each image: the argmax over classes of the cosine similarity between the image
 * embedding and each class's prompt embedding. Normalise both yourself: do not assume the inputs have length 1.
 *   imageEmb [N, E], classEmb [K, E] → [N] int32 class indices
 */
export function zeroShotClassify(imageEmb: tf.Tensor2D, classEmb: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    const unit = (x: tf.Tensor2D): tf.Tensor2D => tf.div(x, tf.norm(x, 'euclidean', -1, true)) as tf.Tensor2D;
    const similarity = tf.matMul(unit(imageEmb), unit(classEmb), false, true); // [N, K]
    return tf.argMax(similarity, -1) as tf.Tensor1D; // [N]
  });
}
