// The three reference models of the training bench, also trained (small) by test/kernels/training.test.ts.
// Each has a PyTorch twin with the same layers and sizes in bench/pytorch/models.py.
//  - convnet: the classic MNIST CNN (LeCun et al. 1998, in its modern conv-relu-pool form);
//  - unet: a small DDPM noise predictor (Ho et al. 2020): strided conv down, upsampling and conv2dTranspose
//    up, concat skip connections, a sinusoidal time embedding;
//  - vit: a ViT (Dosovitskiy et al. 2021) on 32×32 images whose sequence also carries text-token embeddings.
// Data is synthetic and seeded: the bench measures speed, the tests compare backends.
import * as tf from '@tensorflow/tfjs-core';
import { Params, conv, dense, gelu, layerNorm, rng, swish, uniform, upConv } from './layers';

/** A model ready to train: its variables, a deterministic batch source and its loss. */
export interface TrainableModel {
  name: string;
  params: tf.Variable[];
  paramCount: number;
  /** Fresh tensors for step `step` (the caller disposes them). */
  batch(step: number): tf.Tensor[];
  loss(inputs: tf.Tensor[]): tf.Scalar;
  dispose(): void;
}

export interface ConvNetConfig {
  batch: number;
  c1: number;
  c2: number;
  hidden: number;
}
export interface UNetConfig {
  batch: number;
  ch: number;
  temb: number;
  size: number;
}
export interface ViTConfig {
  batch: number;
  dim: number;
  depth: number;
  heads: number;
  patch: number;
  image: number;
  vocab: number;
  textLen: number;
  classes: number;
}

/** Sizes used by the bench (and mirrored by the PyTorch twin). */
export const benchConfigs = {
  convnet: { batch: 64, c1: 32, c2: 64, hidden: 128 } satisfies ConvNetConfig,
  unet: { batch: 32, ch: 32, temb: 32, size: 28 } satisfies UNetConfig,
  vit: {
    batch: 32,
    dim: 64,
    depth: 2,
    heads: 4,
    patch: 4,
    image: 32,
    vocab: 100,
    textLen: 16,
    classes: 10,
  } satisfies ViTConfig,
};

function oneHot(labels: number[], classes: number): tf.Tensor2D {
  return tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), classes), 'float32') as tf.Tensor2D);
}

function finish(name: string, p: Params, batch: TrainableModel['batch'], loss: TrainableModel['loss']): TrainableModel {
  return { name, params: p.list, paramCount: p.count, batch, loss, dispose: () => p.list.forEach((v) => v.dispose()) };
}

/** conv3×3(c1) → pool → conv3×3(c2) → pool → dense(hidden) → dense(10), on 28×28×1. */
export function convNet(cfg: ConvNetConfig, seed = 1): TrainableModel {
  const p = new Params(rng(seed));
  const c1 = conv(p, 3, 1, cfg.c1, 1, 'valid');
  const c2 = conv(p, 3, cfg.c1, cfg.c2, 1, 'valid');
  const flat = 5 * 5 * cfg.c2;
  const d1 = dense(p, flat, cfg.hidden);
  const d2 = dense(p, cfg.hidden, 10);
  const batch = (step: number): tf.Tensor[] => {
    const next = rng(seed * 1000 + step);
    const x = tf.tensor4d(
      uniform(cfg.batch * 28 * 28, next).map((v) => (v + 1) / 2),
      [cfg.batch, 28, 28, 1],
    );
    return [
      x,
      oneHot(
        Array.from({ length: cfg.batch }, () => Math.floor(next() * 10)),
        10,
      ),
    ];
  };
  const loss = ([x, y]: tf.Tensor[]): tf.Scalar => {
    let h = tf.maxPool(tf.relu(c1(x as tf.Tensor4D)), 2, 2, 'valid'); // [B, 13, 13, c1]
    h = tf.maxPool(tf.relu(c2(h)), 2, 2, 'valid'); // [B, 5, 5, c2]
    const logits = d2(tf.relu(d1(tf.reshape(h, [-1, flat])))); // [B, 10]
    return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
  };
  return finish('convnet', p, batch, loss);
}

/** Sinusoidal embedding of integer timesteps, [B] → [B, dim] (computed on the host: it has no parameters). */
function timeEmbedding(ts: number[], dim: number): Float32Array {
  const out = new Float32Array(ts.length * dim);
  const half = dim / 2;
  ts.forEach((t, b) => {
    for (let i = 0; i < half; i++) {
      const f = t * Math.exp((-Math.log(10000) * i) / half);
      out[b * dim + i] = Math.sin(f);
      out[b * dim + half + i] = Math.cos(f);
    }
  });
  return out;
}

/** A two-level UNet predicting the noise of x_t (DDPM ε-prediction, MSE loss). */
export function unet(cfg: UNetConfig, seed = 2): TrainableModel {
  const p = new Params(rng(seed));
  const c = cfg.ch;
  const t1 = dense(p, cfg.temb, 2 * c);
  const t2 = dense(p, 2 * c, 2 * c);
  const in1 = conv(p, 3, 1, c);
  const in2 = conv(p, 3, c, c);
  const down = conv(p, 3, c, 2 * c, 2);
  const mid1 = conv(p, 3, 2 * c, 2 * c);
  const bottom = conv(p, 3, 2 * c, 2 * c);
  const upMerge = conv(p, 3, 4 * c, 2 * c);
  const up = upConv(p, 3, 2 * c, c);
  const outMerge = conv(p, 3, 2 * c, c);
  const head = conv(p, 1, c, 1);
  const s = cfg.size;
  const batch = (step: number): tf.Tensor[] => {
    const next = rng(seed * 1000 + step);
    const ts = Array.from({ length: cfg.batch }, () => Math.floor(next() * 1000));
    const xt = tf.tensor4d(uniform(cfg.batch * s * s, next), [cfg.batch, s, s, 1]);
    const eps = tf.tensor4d(uniform(cfg.batch * s * s, next), [cfg.batch, s, s, 1]);
    return [xt, tf.tensor2d(timeEmbedding(ts, cfg.temb), [cfg.batch, cfg.temb]), eps];
  };
  const loss = ([xt, temb, eps]: tf.Tensor[]): tf.Scalar => {
    const t = tf.reshape(t2(swish(t1(temb))), [-1, 1, 1, 2 * c]); // [B, 1, 1, 2c]
    const e1 = swish(in2(swish(in1(xt as tf.Tensor4D)) as tf.Tensor4D)) as tf.Tensor4D; // [B, s, s, c]
    const e2 = swish(mid1(tf.add(swish(down(e1)), t) as tf.Tensor4D)) as tf.Tensor4D; // [B, s/2, s/2, 2c]
    const m = swish(bottom(tf.maxPool(e2, 2, 2, 'valid'))) as tf.Tensor4D; // [B, s/4, s/4, 2c]
    const u1 = tf.image.resizeNearestNeighbor(m, [s / 2, s / 2]); // [B, s/2, s/2, 2c]
    const d1 = swish(upMerge(tf.concat([u1, e2], 3))) as tf.Tensor4D; // [B, s/2, s/2, 2c]
    const u2 = swish(up(d1)) as tf.Tensor4D; // [B, s, s, c]
    const out = head(swish(outMerge(tf.concat([u2, e1], 3))) as tf.Tensor4D); // [B, s, s, 1]
    return tf.losses.meanSquaredError(eps, out) as tf.Scalar;
  };
  return finish('unet', p, batch, loss);
}

/** Pre-norm ViT encoder over image patches followed by text tokens; classifies the mean token. */
export function vit(cfg: ViTConfig, seed = 3): TrainableModel {
  const p = new Params(rng(seed));
  const { dim: D, heads: H, patch: P, image: I } = cfg;
  const grid = I / P;
  const T = grid * grid + cfg.textLen;
  const dh = D / H;
  const patchEmbed = dense(p, P * P * 3, D);
  const tokens = p.weight([cfg.vocab, D], D);
  const pos = p.weight([T, D], D);
  const blocks = Array.from({ length: cfg.depth }, () => ({
    ln1: layerNorm(p, D),
    q: dense(p, D, D),
    k: dense(p, D, D),
    v: dense(p, D, D),
    o: dense(p, D, D),
    ln2: layerNorm(p, D),
    fc1: dense(p, D, 4 * D),
    fc2: dense(p, 4 * D, D),
  }));
  const lnOut = layerNorm(p, D);
  const cls = dense(p, D, cfg.classes);
  const B = cfg.batch;
  const heads = (x: tf.Tensor): tf.Tensor => tf.transpose(tf.reshape(x, [B, T, H, dh]), [0, 2, 1, 3]); // [B, H, T, dh]
  const batch = (step: number): tf.Tensor[] => {
    const next = rng(seed * 1000 + step);
    const img = tf.tensor4d(uniform(B * I * I * 3, next), [B, I, I, 3]);
    const text = tf.tensor2d(
      Array.from({ length: B * cfg.textLen }, () => Math.floor(next() * cfg.vocab)),
      [B, cfg.textLen],
      'int32',
    );
    return [
      img,
      text,
      oneHot(
        Array.from({ length: B }, () => Math.floor(next() * cfg.classes)),
        cfg.classes,
      ),
    ];
  };
  const loss = ([img, text, y]: tf.Tensor[]): tf.Scalar => {
    const patches = tf.reshape(tf.transpose(tf.reshape(img, [B, grid, P, grid, P, 3]), [0, 1, 3, 2, 4, 5]), [
      B,
      grid * grid,
      P * P * 3,
    ]);
    let x = tf.concat([patchEmbed(patches), tf.gather(tokens, text)], 1); // [B, T, D]
    x = tf.add(x, pos);
    for (const blk of blocks) {
      const h = blk.ln1(x);
      // [B, H, T, T]
      const att = tf.softmax(tf.mul(tf.matMul(heads(blk.q(h)), heads(blk.k(h)), false, true), 1 / Math.sqrt(dh)));
      const mixed = tf.reshape(tf.transpose(tf.matMul(att, heads(blk.v(h))), [0, 2, 1, 3]), [B, T, D]);
      x = tf.add(x, blk.o(mixed));
      x = tf.add(x, blk.fc2(gelu(blk.fc1(blk.ln2(x)))));
    }
    const logits = cls(lnOut(tf.mean(x, 1))); // [B, classes]
    return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
  };
  return finish('vit', p, batch, loss);
}
