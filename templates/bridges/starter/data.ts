/**
 * Visual instructions from shapes world (provided, as in exercise 3): an image, a question about it and the
 * answer, as tensors. Both bridges train on exactly these batches: `vqaBatch` is lab/vqaBatch.ts, and lab/vqa.ts
 * draws the questions and lines the words up:
 *
 *   .  what colour is the circle ?  red  <eot>  <pad> …
 *   └──────── prompt (7) ────────┘  └ answer (2) ┘
 *
 * The prompt starts with "." because the frozen LM was pretrained on "description . question ? answer". LLaVA puts
 * its image tokens where the description stood; Flamingo leaves the description out of the sequence altogether and
 * lets the words look at the image through cross-attention.
 */
export { TEXT_LENGTH, disposeBatch, type VqaBatch } from '../../lab/vqa';
export { vqaBatch } from '../../lab/vqaBatch';
