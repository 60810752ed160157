/**
 * Shapes-world text for the language exercises: the frozen LM's pretraining texts and the visual-instruction
 * (question–answer) data of the VLM exercises, on top of `lab/shapes.ts`.
 *
 *   lmText(rng)        "a large red circle at the top left . what colour is the circle ? red"
 *   describe(scene)    a description that names everything the questions ask about
 *   visualQA(scene)    [{ question: 'what colour is the circle ?', answer: 'red', type: 'colour' }, …]
 *
 * The LM learns from texts where a description comes first and questions about it follow, so it learns to answer
 * from what it has read. A VLM replaces the description with image tokens.
 *
 *   sampleVqaExamples(lm, rng, B, S)   B rendered scenes and their questions and answers as word ids: all of a
 *                                      VqaBatch but the image tensor (lab/vqaBatch.ts makes that)
 */
import * as tf from '@tensorflow/tfjs';
import { EOT_ID, PAD_ID, encodeText, type LanguageModel } from './lm';
import {
  COLOURS,
  NUMBERS,
  PLACES,
  PLURAL,
  SHAPES,
  VOCAB,
  caption,
  pick,
  randInt,
  questions,
  relation,
  renderScene,
  sampleScene,
  type HeldOut,
  type Rng,
  type Scene,
} from './shapes';

/** The LM's words: shapes world's vocabulary plus "." and "?" as words. Ids 0/1/2 are <pad>/<eot>/<unk>. */
export const LM_VOCAB: readonly string[] = [...VOCAB, '.', '?'];

export type QuestionType = 'colour' | 'shape' | 'count' | 'size' | 'position' | 'relation';
export const QUESTION_TYPES: readonly QuestionType[] = ['colour', 'shape', 'count', 'size', 'position', 'relation'];

export interface VisualQA {
  question: string;
  answer: string;
  type: QuestionType;
}

/** The kind of a shapes-world question, from its first words. */
export function questionType(question: string): QuestionType {
  if (question.startsWith('what colour')) return 'colour';
  if (question.startsWith('what shape')) return 'shape';
  if (question.startsWith('how many')) return 'count';
  if (question.startsWith('what size')) return 'size';
  if (question.startsWith('where')) return 'position';
  return 'relation';
}

/** The scene's questions with "?" and their type. */
export function visualQA(scene: Scene): VisualQA[] {
  return questions(scene).map(({ question, answer }) => ({
    question: `${question} ?`,
    answer,
    type: questionType(question),
  }));
}

/** A description naming everything `visualQA` asks about (sizes, places, counts, relations); `rng` varies the order. */
export function describe(scene: Scene, rng?: Rng): string {
  const [a, b] = scene.objects;
  const flip = rng ? rng() < 0.5 : false;
  if (scene.kind === 'pair') {
    const [x, y] = flip ? [b, a] : [a, b];
    return `a ${x.size} ${x.colour} ${x.shape} ${relation(x, y)} a ${y.size} ${y.colour} ${y.shape}`;
  }
  if (scene.kind === 'count') {
    const what = `${NUMBERS[scene.objects.length]} ${a.size} ${a.colour} ${PLURAL[a.shape]}`;
    return flip ? `there are ${what}` : what;
  }
  const where = `at the ${PLACES[a.row][a.col]}`;
  return flip ? `${where} there is a ${a.size} ${a.colour} ${a.shape}` : `a ${a.size} ${a.colour} ${a.shape} ${where}`;
}

/**
 * One pretraining text for the LM: a third are plain captions (varied wording from shapes.ts), the rest a full
 * description followed by one to three of its questions and answers. Scenes hold 1–4 objects and never a
 * held-out colour×shape pair.
 */
export function lmText(rng: Rng): string {
  const scene = sampleScene(rng, { objects: [1, 4] });
  if (rng() < 1 / 3) return caption(scene, rng);
  const qas = visualQA(scene);
  const parts = [describe(scene, rng)];
  for (let n = 1 + randInt(rng, 3); n > 0 && qas.length > 0; n--) {
    const { question, answer } = qas.splice(randInt(rng, qas.length), 1)[0];
    parts.push(`. ${question} ${answer}`);
  }
  return parts.join(' ');
}

/** `count` pretraining texts from `seed` (the LM's validation set uses a seed the build never trains on). */
export function lmTexts(rng: Rng, count: number): string[] {
  return Array.from({ length: count }, () => lmText(rng));
}

/**
 * A scene of 1–4 objects and one question about it, the question type drawn uniformly from QUESTION_TYPES (so
 * relations and positions, which only some scenes offer, are as common as colours). `heldOut` as in sampleScene.
 */
export function sampleVisualQA(rng: Rng, heldOut: HeldOut = 'exclude'): { scene: Scene; qa: VisualQA } {
  const type = pick(rng, QUESTION_TYPES);
  for (;;) {
    const scene = sampleScene(rng, { objects: [1, 4], heldOut });
    const offered = visualQA(scene).filter((q) => q.type === type);
    if (offered.length > 0) return { scene, qa: pick(rng, offered) };
  }
}

/** Every answer word, for reports (colours, shapes, counts, sizes, places, yes/no). */
export const ANSWER_WORDS: readonly string[] = [
  ...COLOURS,
  ...SHAPES,
  ...NUMBERS.slice(1),
  'small',
  'large',
  'yes',
  'no',
  ...PLACES.flat(),
];

// ---------------------------------------------------------------------------------------------------------------
// Visual instructions as tensors: an image, a question about it and the answer.
//
// One example's text, as word ids, is the prompt, then the answer, then <eot>:
//
//   .  what colour is the circle ?  red  <eot>  <pad> …
//   └──────── prompt (7) ────────┘  └ answer (2) ┘
//
// The prompt starts with "." because the frozen LM was pretrained on "description . question ? answer": a VLM's
// image stands where the description stood.

/** B images, each with one question and its answer as word ids. */
export interface VqaBatch {
  images: tf.Tensor4D; // [B, S, S, 3] in [0, 1]
  text: tf.Tensor2D; // [B, T] int32: prompt words, answer words, <eot>, then <pad>
  promptLength: number[]; // [B] words in each prompt
  answerLength: number[]; // [B] answer words + 1 for the closing <eot>
  qa: VisualQA[]; // [B] the questions and answers as text, with their type
  scenes: Scene[];
}

/** Longest text: ". is the purple diamond left of the white cross ?" + "yes" + <eot> = 14 words. */
export const TEXT_LENGTH = 14;

/** A batch before its images become a tensor: the rendered pixels, [B, S, S, 3] in row-major order, in [0, 1]. */
export type VqaExamples = Omit<VqaBatch, 'images'> & { pixels: Float32Array };

/**
 * `B` fresh examples drawn from `rng`, each scene rendered at `imageSize` right after its question is drawn;
 * `heldOut` as in lab/shapes sampleScene (default: no held-out pair).
 */
export function sampleVqaExamples(
  lm: LanguageModel,
  rng: Rng,
  B: number,
  imageSize: number,
  heldOut: HeldOut = 'exclude',
): VqaExamples {
  const pixels = new Float32Array(B * imageSize * imageSize * 3);
  const ids: number[][] = [];
  const promptLength: number[] = [],
    answerLength: number[] = [],
    qa: VisualQA[] = [],
    scenes: Scene[] = [];
  for (let i = 0; i < B; i++) {
    const { scene, qa: item } = sampleVisualQA(rng, heldOut);
    renderScene(scene, imageSize, rng, pixels, i * imageSize * imageSize * 3);
    const prompt = encodeText(lm, `. ${item.question}`);
    const answer = [...encodeText(lm, item.answer), EOT_ID];
    const row = [...prompt, ...answer];
    if (row.length > TEXT_LENGTH)
      throw new Error(`"${item.question} ${item.answer}" needs ${row.length} > ${TEXT_LENGTH} words`);
    ids.push([...row, ...new Array<number>(TEXT_LENGTH - row.length).fill(PAD_ID)]);
    promptLength.push(prompt.length);
    answerLength.push(answer.length);
    qa.push(item);
    scenes.push(scene);
  }
  return { pixels, text: tf.tensor2d(ids, [B, TEXT_LENGTH], 'int32'), promptLength, answerLength, qa, scenes };
}

/** Frees a batch's tensors. */
export function disposeBatch(batch: VqaBatch): void {
  tf.dispose([batch.images, batch.text]);
}
