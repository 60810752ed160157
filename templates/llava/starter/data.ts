/**
 * Visual instructions from shapes world (provided): an image, a question about it and the answer, as tensors.
 *
 * LLaVA (Liu et al. 2023, §3) turned captions and boxes into instruction data with a text-only GPT-4. Shapes world
 * knows its scenes exactly, so the questions and answers come straight from the generator: `vqaBatch` is
 * lab/vqaBatch.ts, and lab/vqa.ts draws the questions and lines the words up:
 *
 *   .  what colour is the circle ?  red  <eot>  <pad> …
 *   └──────── prompt (7) ────────┘  └ answer (2) ┘
 *
 * The prompt starts with "." because the frozen LM was pretrained on "description . question ? answer": the image
 * tokens will stand where the description stood.
 */
export { TEXT_LENGTH, disposeBatch, type VqaBatch } from '../../lab/vqa';
export { vqaBatch } from '../../lab/vqaBatch';
