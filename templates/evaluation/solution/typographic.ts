/**
 * A typographic attack (Goh et al. 2021, "Multimodal Neurons in Artificial Neural Networks", Distill: the apple
 * labelled "iPod"): CLIP learned to read text in images (Radford et al. 2021), so a word written on an image can
 * outvote what the image shows. Here we write a class name onto a shapes-world image with a tiny
 * bitmap font, at the image's own resolution, and ask the zero-shot classifier again.
 *
 * The font is 3×5 pixels a letter, one pixel between letters (a scaled glyph is a block of scale×scale pixels per
 * font pixel). "red" at scale 1 is 11 pixels wide:
 *
 *   ##. ### ##.
 *   #.# #.. #.#
 *   ##. ##. #.#
 *   #.# #.. #.#
 *   #.# ### ##.
 */
import { renderScene, type Rng, type Scene } from '../../lab/shapes';

/** Lower-case letters, 5 rows of 3 columns ('#' ink, '.' paper). */
export const FONT: Readonly<Record<string, readonly string[]>> = {
  a: ['.#.', '#.#', '###', '#.#', '#.#'],
  b: ['##.', '#.#', '##.', '#.#', '##.'],
  c: ['.##', '#..', '#..', '#..', '.##'],
  d: ['##.', '#.#', '#.#', '#.#', '##.'],
  e: ['###', '#..', '##.', '#..', '###'],
  f: ['###', '#..', '##.', '#..', '#..'],
  g: ['.##', '#..', '#.#', '#.#', '.##'],
  h: ['#.#', '#.#', '###', '#.#', '#.#'],
  i: ['###', '.#.', '.#.', '.#.', '###'],
  j: ['..#', '..#', '..#', '#.#', '.#.'],
  k: ['#.#', '#.#', '##.', '#.#', '#.#'],
  l: ['#..', '#..', '#..', '#..', '###'],
  m: ['#.#', '###', '###', '#.#', '#.#'],
  n: ['##.', '#.#', '#.#', '#.#', '#.#'],
  o: ['.#.', '#.#', '#.#', '#.#', '.#.'],
  p: ['##.', '#.#', '##.', '#..', '#..'],
  q: ['.#.', '#.#', '#.#', '##.', '.##'],
  r: ['##.', '#.#', '##.', '#.#', '#.#'],
  s: ['.##', '#..', '.#.', '..#', '##.'],
  t: ['###', '.#.', '.#.', '.#.', '.#.'],
  u: ['#.#', '#.#', '#.#', '#.#', '###'],
  v: ['#.#', '#.#', '#.#', '#.#', '.#.'],
  w: ['#.#', '#.#', '###', '###', '#.#'],
  x: ['#.#', '#.#', '.#.', '#.#', '#.#'],
  y: ['#.#', '#.#', '.#.', '.#.', '.#.'],
  z: ['###', '..#', '.#.', '#..', '###'],
};
export const GLYPH = { width: 3, height: 5, gap: 1 };

/** Pixels a line of `text` takes across: letters and spaces alike advance width + gap, less the last gap. */
export const textWidth = (text: string, scale = 1): number =>
  Math.max(0, text.length * (GLYPH.width + GLYPH.gap) - GLYPH.gap) * scale;

/**
 * TODO(4): write `text` into `image` (row-major [size, size, 3] floats, starting at `offset`) with its top-left
 * corner at column `x`, row `y`: letter i starts at column x + i·(width + gap)·scale; every '#' of its glyph at
 * (row r, column c) paints the scale×scale block from (x_i + c·scale, y + r·scale) with `rgb`. A space advances
 * and paints nothing; pixels that fall outside the image are skipped (no error); every other pixel is left as it
 * was. A character the font lacks is an error that names it.
 */
export function drawText(
  image: Float32Array,
  size: number,
  text: string,
  x: number,
  y: number,
  rgb: readonly [number, number, number],
  scale = 1,
  offset = 0,
): void {
  [...text].forEach((ch, i) => {
    if (ch === ' ') return;
    const glyph = FONT[ch];
    if (!glyph) throw new Error(`drawText: the font has no glyph for "${ch}" (lower-case a–z and spaces only)`);
    const left = x + i * (GLYPH.width + GLYPH.gap) * scale;
    glyph.forEach((line, r) =>
      [...line].forEach((ink, c) => {
        if (ink !== '#') return;
        for (let dy = 0; dy < scale; dy++)
          for (let dx = 0; dx < scale; dx++) {
            const px = left + c * scale + dx,
              py = y + r * scale + dy;
            if (px < 0 || py < 0 || px >= size || py >= size) continue;
            image.set(rgb, offset + (py * size + px) * 3);
          }
      }),
    );
  });
}

/** The ink: a mid grey, the colour of no shapes-world class, so that the ink alone does not name a colour. */
export const INK: readonly [number, number, number] = [0.62, 0.62, 0.62];

/**
 * Where a one-object scene's label goes (provided): two lines (colour, then shape) in the left of the top rows
 * when the object sits in the bottom row, else of the bottom rows, so that the label never covers the object.
 */
export function labelPlace(scene: Scene, size: number): { x: number; y: number } {
  const lines = 2 * GLYPH.height + 1;
  return { x: 1, y: scene.objects[0].row === 2 ? 1 : size - lines - 1 };
}

/**
 * Renders `scenes` at `size` into one [B, size, size, 3] array (provided), each with `labels[i]` ("blue star",
 * drawn as two lines: "blue" above "star") written in INK at labelPlace, or none where `labels` is undefined.
 */
export function renderLabelled(
  scenes: readonly Scene[],
  size: number,
  rng: Rng,
  labels?: readonly string[],
): Float32Array {
  const px = size * size * 3;
  const out = new Float32Array(scenes.length * px);
  scenes.forEach((scene, i) => {
    renderScene(scene, size, rng, out, i * px);
    if (!labels) return;
    const { x, y } = labelPlace(scene, size);
    labels[i].split(' ').forEach((line, k) => {
      drawText(out, size, line, x, y + k * (GLYPH.height + 1), INK, 1, i * px);
    });
  });
  return out;
}

/** The control label (provided): the same letter count and layout as `label`, spelling nothing ("blue" → "qjkz"). */
export function nonsense(label: string): string {
  const filler = 'qjkzvx';
  let i = 0;
  return label.replace(/[a-z]/g, () => filler[i++ % filler.length]);
}
