/**
 * Turns an image tensor, or a batch of them, into 8-bit pixels for a PNG.
 *
 *   [H, W]         one grayscale image
 *   [H, W, C]      one image with C = 1 (gray), 3 (RGB) or 4 (RGBA) channels
 *   [N, H, W, C]   a batch, laid out as a grid of ⌈√N⌉ columns with a 1-pixel black gap
 *
 * Value ranges:
 *   int32          0–255 (clipped)
 *   float          [0, 1]; if any value is negative the tensor is read as [-1, 1] (the range diffusion models and
 *                  tanh outputs use). Pass `range` to say it explicitly. Values outside the range are clipped.
 */
import type * as tf from '@tensorflow/tfjs';

export interface Pixels {
  width: number;
  height: number;
  channels: 1 | 3 | 4;
  data: Uint8Array;
}

export interface ImageOptions {
  /** The value range of a float tensor: [0, 1] or [-1, 1]. Default: [-1, 1] if any value is negative, else [0, 1]. */
  range?: readonly [number, number];
}

/**
 * Converts `images` to an 8-bit grid of pixels (see the module comment for shapes and ranges). Async because it
 * reads the tensor with `await images.data()`: a GPU backend in Node can only read asynchronously.
 */
export async function toPixels(images: tf.Tensor, options: ImageOptions = {}): Promise<Pixels> {
  const shape = images.shape;
  let n: number, h: number, w: number, c: number;
  if (shape.length === 2) [n, h, w, c] = [1, shape[0], shape[1], 1];
  else if (shape.length === 3) [n, h, w, c] = [1, shape[0], shape[1], shape[2]];
  else if (shape.length === 4) [n, h, w, c] = shape as [number, number, number, number];
  else
    throw new Error(
      `lab.images: expected an image [H, W, C] or a batch [N, H, W, C], got shape [${shape.join(', ')}].`,
    );
  if (c !== 1 && c !== 3 && c !== 4) {
    throw new Error(
      `lab.images: an image needs 1, 3 or 4 channels (last axis), got ${c} in shape [${shape.join(', ')}]. ` +
        'If your tensor is [N, C, H, W], transpose it to [N, H, W, C] first.',
    );
  }
  const values = await images.data();
  const isInt = images.dtype === 'int32' || images.dtype === 'bool';
  let lo = 0,
    hi = 255;
  if (!isInt) {
    let min = Infinity;
    for (let i = 0; i < values.length; i++) if (values[i] < min) min = values[i];
    [lo, hi] = options.range ?? (min < 0 ? [-1, 1] : [0, 1]);
  }
  const scale = 255 / (hi - lo);

  const cols = Math.ceil(Math.sqrt(n));
  const rows = Math.ceil(n / cols);
  const gap = n > 1 ? 1 : 0;
  const width = cols * w + (cols - 1) * gap;
  const height = rows * h + (rows - 1) * gap;
  const data = new Uint8Array(width * height * c); // the gaps stay black (0)
  for (let i = 0; i < n; i++) {
    const x0 = (i % cols) * (w + gap);
    const y0 = Math.floor(i / cols) * (h + gap);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        for (let k = 0; k < c; k++) {
          const v = values[((i * h + y) * w + x) * c + k];
          const byte = Math.round((Number(v) - lo) * scale);
          data[((y0 + y) * width + x0 + x) * c + k] = byte < 0 ? 0 : byte > 255 ? 255 : byte;
        }
      }
    }
  }
  return { width, height, channels: c, data };
}
