/**
 * How far the answers depend on the image: the diagnostic you write first.
 *
 * `accuracy_shuffled` (evaluate.ts) says how much the question alone gets right; it cannot tell a model that
 * ignores the image from one that uses it and is wrong. The image dependence asks the model directly: give it the
 * same question with another example's image, and see whether its answer changes.
 *
 *   image dependence = (1/B) Σ_b 1[answer_b(own image) ≠ answer_b(another image)]
 *
 * A model that answers from the text prior alone scores 0; one that reads the image scores about the chance that
 * two random scenes have different answers to the question (high for colour and shape, lower for yes/no).
 */

/**
 * TODO(1): the fraction of questions whose predicted answer (a string of words) changes when the image is
 * swapped: `withImage[b]` is the answer with example b's own image, `withOtherImage[b]` with another example's.
 * Throw an Error when the two lists differ in length; an empty list has dependence 0.
 */
export function imageDependence(withImage: string[], withOtherImage: string[]): number {
  if (withImage.length !== withOtherImage.length) {
    throw new Error(
      `imageDependence: ${withImage.length} answers with the own images but ${withOtherImage.length} with the others`,
    );
  }
  if (withImage.length === 0) return 0;
  const changed = withImage.filter((a, b) => a !== withOtherImage[b]).length;
  return changed / withImage.length;
}
