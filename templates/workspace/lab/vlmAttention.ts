/**
 * Where the answer looks (provided, for the run panel). In a VLM that splices image tokens into the language model's
 * sequence (LLaVA, Liu et al. 2023, Fig. 1), the LM's own self-attention is the only way the answer can read the
 * image: this module measures, at the position that predicts the answer's first word, how much of every block's and
 * head's attention lands on the image tokens, and where on the image it lands.
 *
 * A model whose answers ignore the image (the collapse exercise's failure) puts almost no attention mass there;
 * one that reads the image puts it on the patches that hold the object asked about.
 */
import * as tf from '@tensorflow/tfjs';
import { lab } from './report';
import { addPositions, causalMask, layerNorm, selfAttentionWeights, transformerBlock, type LanguageModel } from './lm';

/** The examples to look at: their images, word ids and prompt lengths (a VqaBatch has these). */
export interface AttentionProbe {
  readonly images: tf.Tensor4D; // [B, S, S, 3]
  readonly text: tf.Tensor2D; // [B, T] word ids
  readonly promptLength: readonly number[]; // [B]
}

/** How one VLM lays out its sequence, and how it builds it. */
export interface SequenceLayout {
  /** The position of the first image token. */
  readonly imageStart: number;
  /** Image tokens in the sequence (the patch grid's size: a square grid). */
  readonly imageTokens: number;
  /** Position contextTokens + P predicts the answer's first word when the prompt has P words (VlmReader's). */
  readonly contextTokens: number;
  /** The LM's input [B, L, D] and its attention mask (default causal) for `images` and word ids `text`. */
  sequence(images: tf.Tensor4D, text: tf.Tensor2D): { sequence: tf.Tensor3D; mask?: tf.Tensor };
}

/**
 * Per example, block and head: the attention weights from the position that predicts the answer's first word to
 * every image token.  → [B, blocks, heads, N]
 */
export async function answerAttention(
  lm: LanguageModel,
  layout: SequenceLayout,
  probe: AttentionProbe,
): Promise<tf.Tensor4D> {
  const perBlock = tf.tidy(() => {
    const { sequence, mask } = layout.sequence(probe.images, probe.text);
    const m = mask ?? causalMask(sequence.shape[1]);
    let h = addPositions(lm, sequence); // [B, L, D]
    const weights: tf.Tensor4D[] = [];
    for (const b of lm.blocks) {
      weights.push(selfAttentionWeights(layerNorm(h, b.ln1), b, lm.config.heads, m)); // [B, H, L, L]
      h = transformerBlock(h, b, lm.config.heads, m);
    }
    return tf.stack(weights, 1) as tf.Tensor5D; // [B, blocks, H, L, L]
  });
  const [B, blocks, H] = perBlock.shape;
  const rows = tf.tidy(() =>
    tf.stack(
      probe.promptLength.slice(0, B).map((P, i) => {
        const query = layout.contextTokens + P; // predicts the answer's first word
        // [blocks, H, N]
        return tf.reshape(
          tf.slice(perBlock, [i, 0, 0, query, layout.imageStart], [1, blocks, H, 1, layout.imageTokens]),
          [blocks, H, layout.imageTokens],
        );
      }),
    ),
  ) as tf.Tensor4D; // [B, blocks, H, N]
  perBlock.dispose();
  return rows;
}

/**
 * Logs what answerAttention measures, under `name` at `step`:
 *   `<name>/image_mass`        a scalar: the mean share of attention on the image tokens (all blocks, heads, examples)
 *   `<name>/image_mass`        a matrix: that share per block (rows) and head (columns)
 *   `<name>/example <k>`       the first `shown` examples' images with the attention (mean over blocks) on them
 */
export async function logAnswerAttention(
  name: string,
  lm: LanguageModel,
  layout: SequenceLayout,
  probe: AttentionProbe,
  step: number,
  shown = 4,
): Promise<number> {
  const weights = await answerAttention(lm, layout, probe); // [B, blocks, H, N]
  const [B, blocks, heads, N] = weights.shape;
  const mass = tf.tidy(() => tf.mean(tf.sum(weights, 3), 0)); // [blocks, H]
  const massValues = Array.from(await mass.data());
  const overall = massValues.reduce((a, v) => a + v, 0) / massValues.length;
  lab.scalar(`${name}/image_mass`, overall, step);
  await lab.matrix(`${name}/image_mass`, mass, step, {
    rowLabels: Array.from({ length: blocks }, (_, i) => `block ${i + 1}`),
    colLabels: Array.from({ length: heads }, (_, j) => `head ${j + 1}`),
    range: [0, 1],
  });
  mass.dispose();
  const side = Math.round(Math.sqrt(N));
  for (let i = 0; i < Math.min(shown, B); i++) {
    const [image, map] = tf.tidy(() => [
      tf.squeeze(tf.slice(probe.images, i, 1), [0]), // [S, S, 3]
      tf.reshape(tf.mean(tf.slice(weights, [i, 0, 0, 0], [1, blocks, heads, N]), [0, 1]), [heads, side, side]),
    ]);
    await lab.attention(`${name}/example ${i + 1}`, image, map, step);
    tf.dispose([image, map]);
  }
  weights.dispose();
  return overall;
}
