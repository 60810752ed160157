// Building blocks for the reference models of the training bench and the training tests, written against
// tfjs-core ops only (no tfjs-layers), with parameters drawn from a seeded PRNG so that cpu, wasm and the
// PyTorch twin (bench/pytorch/models.py) all start from a well-defined state.
import * as tf from '@tensorflow/tfjs-core';
import { mulberry32 } from '../../templates/workspace/lab/random';

/** Deterministic PRNG returning floats in [0, 1): the course's mulberry32 (lab/random.ts). */
export const rng = mulberry32;

/** Uniform values in [-scale, scale). */
export function uniform(n: number, next: () => number, scale = 1): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (2 * next() - 1) * scale;
  return out;
}

/** Collects the variables of one model as they are created. */
export class Params {
  readonly list: tf.Variable[] = [];
  constructor(private readonly next: () => number) {}

  /** He-uniform-style init: scale √(6 / fanIn) keeps activations of similar size layer to layer. */
  weight(shape: number[], fanIn: number): tf.Variable {
    return this.add(
      tf.tensor(
        uniform(
          shape.reduce((a, b) => a * b, 1),
          this.next,
          Math.sqrt(6 / fanIn),
        ),
        shape,
      ),
    );
  }

  fill(shape: number[], value: number): tf.Variable {
    return this.add(tf.fill(shape, value));
  }

  private add(t: tf.Tensor): tf.Variable {
    const v = tf.variable(t, true, `p${this.list.length}`);
    t.dispose();
    this.list.push(v);
    return v;
  }

  get count(): number {
    return this.list.reduce((n, v) => n + v.size, 0);
  }
}

/** A dense layer on the last axis: [..., in] → [..., out]. */
export function dense(p: Params, inDim: number, outDim: number): (x: tf.Tensor) => tf.Tensor {
  const w = p.weight([inDim, outDim], inDim);
  const b = p.fill([outDim], 0);
  return (x) => {
    const lead = x.shape.slice(0, -1);
    const y = tf.add(tf.matMul(tf.reshape(x, [-1, inDim]), w), b); // [N, out]
    return tf.reshape(y, [...lead, outDim]);
  };
}

/** A 2-D convolution with bias, NHWC. */
export function conv(
  p: Params,
  k: number,
  cin: number,
  cout: number,
  stride = 1,
  pad: 'same' | 'valid' = 'same',
): (x: tf.Tensor4D) => tf.Tensor4D {
  const w = p.weight([k, k, cin, cout], k * k * cin);
  const b = p.fill([cout], 0);
  return (x) => tf.add(tf.conv2d(x, w as tf.Tensor4D, stride, pad), b);
}

/** A stride-2 transposed convolution that doubles height and width. */
export function upConv(p: Params, k: number, cin: number, cout: number): (x: tf.Tensor4D) => tf.Tensor4D {
  const w = p.weight([k, k, cout, cin], k * k * cin);
  const b = p.fill([cout], 0);
  return (x) => {
    const [n, h, wd] = x.shape;
    return tf.add(tf.conv2dTranspose(x, w as tf.Tensor4D, [n, 2 * h, 2 * wd, cout], 2, 'same'), b);
  };
}

/** Layer normalisation over the last axis. */
export function layerNorm(p: Params, dim: number): (x: tf.Tensor) => tf.Tensor {
  const g = p.fill([dim], 1);
  const b = p.fill([dim], 0);
  return (x) => {
    const mean = tf.mean(x, -1, true);
    const centred = tf.sub(x, mean);
    const variance = tf.mean(tf.square(centred), -1, true);
    return tf.add(tf.mul(tf.mul(centred, tf.rsqrt(tf.add(variance, 1e-5))), g), b);
  };
}

/** x · sigmoid(x) (SiLU), the DDPM UNet's activation. */
export const swish = (x: tf.Tensor): tf.Tensor => tf.mul(x, tf.sigmoid(x));

/** GELU, tanh approximation (as in GPT-2 and PyTorch's approximate='tanh'). */
export function gelu(x: tf.Tensor): tf.Tensor {
  const inner = tf.mul(tf.add(x, tf.mul(tf.mul(tf.mul(x, x), x), 0.044715)), Math.sqrt(2 / Math.PI));
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
}
