/**
 * Decoding PNG frames and drawing them crisp: `createImageBitmap` on the bytes (no data: URLs, no <img> per frame),
 * drawn with smoothing off and an integer scale for small images, so a 28×28 sample shows as sharp 8×8 blocks
 * instead of a blur. A decode is cached per frame object and dropped with it.
 */
import type { ImageFrame } from '../../../src/protocol/panels';

/** CSS pixels a small image is scaled up to (by an integer factor). */
export const TARGET_SIZE = 192;

const decoded = new WeakMap<ImageFrame, Promise<ImageBitmap>>();

export function decodeFrame(frame: ImageFrame): Promise<ImageBitmap> {
  let p = decoded.get(frame);
  if (!p) {
    // Copy into a plain ArrayBuffer-backed array: the Blob constructor rejects views on shared buffers.
    p = createImageBitmap(new Blob([new Uint8Array(frame.png)], { type: 'image/png' }));
    decoded.set(frame, p);
  }
  return p;
}

/** The integer factor that brings the larger side close to TARGET_SIZE without exceeding it (at least 1). */
export function integerScale(width: number, height: number, target = TARGET_SIZE): number {
  const side = Math.max(width, height, 1);
  return Math.max(1, Math.floor(target / side));
}

/** Sizes the canvas to the bitmap at its integer scale and draws it pixelated. */
export function drawPixelated(canvas: HTMLCanvasElement, bitmap: ImageBitmap): void {
  const s = integerScale(bitmap.width, bitmap.height);
  canvas.width = bitmap.width * s;
  canvas.height = bitmap.height * s;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
}
