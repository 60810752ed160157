/**
 * Asking the VLM a yes/no question (provided). The prompt is ". <question>" as the VLM was trained on (the image
 * tokens stand where the LM's pretraining texts had a description, so the words start with "."), and the answer
 * is read at the position that predicts the first answer word: "yes" when the LM scores "yes" above "no" there.
 * POPE parses the generated text instead; a greedy answer that is neither word counts here as whichever of the two
 * scores higher, and `offForm` says how often that happened.
 *
 *   sequence   <eot>  img₁ … img_N   .  is the red circle above the blue star ?   →   yes | no
 *   position   0      1 … N          N+1 …                          N+P          (predicts the answer)
 */
import * as tf from '@tensorflow/tfjs';
import { PAD_ID, encodeText } from '../../lab/lm';
import { shippedVlmLogits, type Vlm } from '../../lab/llava/shipped';
import { numPatches } from '../../lab/vision';
import { TEXT_LENGTH } from '../../lab/vqa';

export interface YesNo {
  saidYes: boolean[]; // [B]
  offForm: number; // answers whose top word overall was neither "yes" nor "no"
}

/** Asks question i about image i.  images [B, S, S, 3], B questions → B answers */
export async function answerYesNo(vlm: Vlm, images: tf.Tensor4D, questions: readonly string[]): Promise<YesNo> {
  const N = numPatches(vlm.encoder.config);
  const [yes, no] = [encodeText(vlm.lm, 'yes')[0], encodeText(vlm.lm, 'no')[0]];
  const prompts = questions.map((q) => encodeText(vlm.lm, `. ${q}`));
  const rows = prompts.map((p) => [...p, ...new Array<number>(TEXT_LENGTH - p.length).fill(PAD_ID)]);
  const scores = tf.tidy(() => {
    const text = tf.tensor2d(rows, [rows.length, TEXT_LENGTH], 'int32'); // [B, T]
    const logits = shippedVlmLogits(vlm, images, text); // [B, 1 + N + T, V]
    const at = tf.tensor2d(
      prompts.map((p, b) => [b, N + p.length]),
      [prompts.length, 2],
      'int32',
    ); // the position that predicts the first answer word, per row
    const answer = tf.gatherND(logits, at) as tf.Tensor2D; // [B, V]
    return tf.concat([tf.gather(answer, [yes, no], 1), tf.expandDims(tf.cast(tf.argMax(answer, 1), 'float32'), 1)], 1);
  });
  const table = (await scores.array()) as number[][]; // [B, 3]: yes logit, no logit, top word
  scores.dispose();
  return {
    saidYes: table.map(([y, n]) => y > n),
    offForm: table.filter(([, , top]) => top !== yes && top !== no).length,
  };
}
