/**
 * The ε-prediction network of the diffusion exercises: a small UNet (Ronneberger et al. 2015) as DDPM uses it
 * (Ho et al. 2020, §4 and Appendix B: a PixelCNN++-style UNet with residual blocks and the timestep embedding added
 * in every block), shrunk for 16×16 digits (or 4×4 latents) and a CPU. PROVIDED: read it, then (stretch) rewrite
 * `resBlock`.
 *
 *   x_t [B, S, S, C] ──conv──► h0 [S×S, c] ──res──► s1 [S×S, c] ────────────────────────────┐ (skip)
 *                                          │ stride-2 conv                                    │
 *                                          ▼                                                  │
 *                              s2 [S/2×S/2, 2c] ──res──► ──────────────────────────┐ (skip)  │
 *                                          │ stride-2 conv                         │          │
 *                                          ▼                                       │          │
 *                             mid [S/4×S/4, 2c] ──res──► upsample ► concat ► res ► upsample ► concat ► res ► conv ► ε̂
 *
 * Pixels: S = 16, C = 1 (levels 16, 8, 4). Latents (exercise 7): S = 4, C = 4 (levels 4, 2, 1).
 * The timestep t enters every residual block: sinusoidal embedding → 2-layer MLP → [B, D], projected to the
 * block's channels and added to its feature map. A class-conditional UNet (exercise 4) adds a learned label
 * embedding to that vector. No normalisation layers: at this size the network trains stably without them (and
 * GroupNorm would cost more time than it buys on a CPU).
 * The output conv starts at zero, so the untrained model predicts ε̂ = 0 and the loss starts at E[ε²] = 1. Each
 * block's second conv starts at zero too, as in the paper's code (init_scale = 0): an untrained block is its skip
 * path, so activations do not grow block by block without normalisation (measured: exercise 2's README).
 *
 * The time embedding is passed in (exercise 2 has you write it; later exercises pass lab/diffusion/timeEmbedding).
 */
import * as tf from '@tensorflow/tfjs';

/** Anything that predicts the noise in x_t: (x_t [B, H, W, C], t [B] int32) → ε̂ [B, H, W, C]. */
export type EpsModel = (xt: tf.Tensor4D, t: tf.Tensor1D) => tf.Tensor4D;
/** A class-conditional noise predictor: labels [B] int32, where the last row of the label table means "no class". */
export type CondEpsModel = (xt: tf.Tensor4D, t: tf.Tensor1D, labels: tf.Tensor1D) => tf.Tensor4D;
/** Integer timesteps t [B] → [B, dim]. */
export type TimeEmbedding = (t: tf.Tensor1D, dim: number) => tf.Tensor2D;
/** temb [B, D] + the rows of `table` [rows, D] picked by labels [B] → [B, D]. */
export type LabelEmbedding = (temb: tf.Tensor2D, table: tf.Tensor2D, labels: tf.Tensor1D) => tf.Tensor2D;

export interface UNetConfig {
  /** Channels at full resolution S×S; S/2 and S/4 use twice as many. */
  channels: number;
  /** Width of the sinusoidal embedding and of the time MLP. */
  timeDim: number;
  /** Channels of x_t and of ε̂ (default 1: pixels; exercise 7's latents have 4). */
  inChannels?: number;
  seed: number;
  timeEmbedding: TimeEmbedding;
  /** Class conditioning: a learned table of `rows` embeddings, combined with the time embedding by `embed`. */
  labels?: { rows: number; embed: LabelEmbedding };
}

export interface Conv {
  w: tf.Variable<tf.Rank.R4>; // [k, k, cin, cout]
  b: tf.Variable<tf.Rank.R1>; // [cout]
}
export interface Dense {
  w: tf.Variable<tf.Rank.R2>; // [cin, cout]
  b: tf.Variable<tf.Rank.R1>; // [cout]
}
export interface ResBlock {
  conv1: Conv;
  time: Dense;
  conv2: Conv;
  /** A 1×1 conv on the skip path when the block changes the number of channels. */
  skip?: Conv;
}
export interface UNetParams {
  time1: Dense;
  time2: Dense;
  in: Conv;
  down1: ResBlock;
  down1to2: Conv;
  down2: ResBlock;
  down2to3: Conv;
  mid: ResBlock;
  up2: ResBlock;
  up1: ResBlock;
  out: Conv;
  /** [rows, D]: one learned embedding per class (conditional UNets only). */
  labels?: tf.Variable<tf.Rank.R2>;
}

export interface UNet {
  config: UNetConfig;
  /** Every trainable tensor (what the optimiser updates and the EMA copies); `variables(params)` lists them. */
  params: UNetParams;
  /**
   * ε̂ for x_t at timesteps t (and classes `labels`), using `params` (default: the trained ones; pass EMA's to sample).
   */
  apply(xt: tf.Tensor4D, t: tf.Tensor1D, options?: { labels?: tf.Tensor1D; params?: UNetParams }): tf.Tensor4D;
}

/** Builds the UNet's parameters (He-normal, seeded; biases, each block's second conv and the output conv at zero). */
function createParams(cfg: UNetConfig): UNetParams {
  let seed = cfg.seed;
  const he = <R extends tf.Rank>(shape: tf.ShapeMap[R], fanIn: number): tf.Variable<R> =>
    tf.tidy(() => tf.variable(tf.randomNormal<R>(shape, 0, Math.sqrt(2 / fanIn), 'float32', seed++)));
  const zeros = <R extends tf.Rank>(shape: tf.ShapeMap[R]): tf.Variable<R> =>
    tf.tidy(() => tf.variable(tf.zeros<R>(shape)));
  // unnamed variables: tfjs names must be unique per process, and tests build several UNets
  const conv = (k: number, cin: number, cout: number, zero = false): Conv => ({
    w: zero ? zeros<tf.Rank.R4>([k, k, cin, cout]) : he<tf.Rank.R4>([k, k, cin, cout], k * k * cin),
    b: zeros<tf.Rank.R1>([cout]),
  });
  const dense = (cin: number, cout: number): Dense => ({
    w: he<tf.Rank.R2>([cin, cout], cin),
    b: zeros<tf.Rank.R1>([cout]),
  });
  const block = (cin: number, cout: number): ResBlock => ({
    conv1: conv(3, cin, cout),
    time: dense(cfg.timeDim, cout),
    conv2: conv(3, cout, cout, true), // zero: each block starts as its skip path (DDPM's init_scale = 0)
    ...(cin !== cout ? { skip: conv(1, cin, cout) } : {}),
  });
  const c = cfg.channels;
  const C = cfg.inChannels ?? 1;
  // Object literals are built in order, so the seeds go to the layers in the order written here.
  const params: UNetParams = {
    time1: dense(cfg.timeDim, cfg.timeDim),
    time2: dense(cfg.timeDim, cfg.timeDim),
    in: conv(3, C, c),
    down1: block(c, c),
    down1to2: conv(3, c, 2 * c),
    down2: block(2 * c, 2 * c),
    down2to3: conv(3, 2 * c, 2 * c),
    mid: block(2 * c, 2 * c),
    up2: block(4 * c, 2 * c),
    up1: block(3 * c, c),
    out: conv(3, c, C, true),
  };
  if (cfg.labels) params.labels = he<tf.Rank.R2>([cfg.labels.rows, cfg.timeDim], 1);
  return params;
}

const swish = <T extends tf.Tensor>(x: T): T => tf.mul(x, tf.sigmoid(x));
const conv2d = (x: tf.Tensor4D, p: Conv, stride = 1): tf.Tensor4D => tf.add(tf.conv2d(x, p.w, stride, 'same'), p.b);
const dense = (x: tf.Tensor2D, p: Dense): tf.Tensor2D => tf.add(tf.matMul(x, p.w), p.b);

/** A residual block: x + conv2(swish(conv1(swish(x)) + time projection)), with a 1×1 conv on x when channels change. */
function resBlock(x: tf.Tensor4D, temb: tf.Tensor2D, p: ResBlock): tf.Tensor4D {
  const h = conv2d(swish(x), p.conv1); // [B, H, W, cout]
  const time = tf.reshape(dense(temb, p.time), [-1, 1, 1, h.shape[3]]); // [B, 1, 1, cout], broadcast over H, W
  const out = conv2d(swish(tf.add(h, time)), p.conv2); // [B, H, W, cout]
  return tf.add(p.skip ? conv2d(x, p.skip) : x, out);
}

/** Builds a UNet (its parameters and its forward function). */
export function createUNet(cfg: UNetConfig): UNet {
  const params = createParams(cfg);
  const apply: UNet['apply'] = (xt, t, options = {}) =>
    tf.tidy(() => {
      const p = options.params ?? params;
      const [, H, W] = xt.shape;
      if (H % 4 !== 0 || W % 4 !== 0)
        throw new Error(
          `the UNet halves its input twice, so H and W must be divisible by 4; got [${xt.shape.join(', ')}]`,
        );
      const time = dense(swish(dense(cfg.timeEmbedding(t, cfg.timeDim), p.time1)), p.time2); // [B, D]
      const temb = swish(conditioned(cfg, p, time, options.labels)); // [B, D]
      const h0 = conv2d(xt, p.in); // [B, S, S, c]
      const s1 = resBlock(h0, temb, p.down1); // [B, S, S, c]
      const s2 = resBlock(conv2d(s1, p.down1to2, 2), temb, p.down2); // [B, S/2, S/2, 2c]
      const mid = resBlock(conv2d(s2, p.down2to3, 2), temb, p.mid); // [B, S/4, S/4, 2c]
      const u2 = tf.image.resizeNearestNeighbor(mid, [H / 2, W / 2]); // [B, S/2, S/2, 2c]
      const d2 = resBlock(tf.concat([u2, s2], 3), temb, p.up2); // [B, S/2, S/2, 2c]
      const u1 = tf.image.resizeNearestNeighbor(d2, [H, W]); // [B, S, S, 2c]
      const d1 = resBlock(tf.concat([u1, s1], 3), temb, p.up1); // [B, S, S, c]
      return conv2d(swish(d1), p.out); // [B, S, S, C]  ε̂
    });
  return { config: cfg, params, apply };
}

/** The time embedding, plus the label embedding when the UNet is class-conditional. */
function conditioned(cfg: UNetConfig, p: UNetParams, time: tf.Tensor2D, labels?: tf.Tensor1D): tf.Tensor2D {
  if (!cfg.labels || !p.labels) {
    if (labels) throw new Error('labels were passed to a UNet built without `labels` in its config');
    return time;
  }
  if (!labels) throw new Error('this UNet is class-conditional: pass `labels` (the null label for "no class")');
  return cfg.labels.embed(time, p.labels, labels);
}

/** Every variable in a parameter tree, in a fixed order (the order the tree was built in). */
export function variables(tree: object): tf.Variable[] {
  return Object.values(tree).flatMap((v: unknown) =>
    v instanceof tf.Variable ? [v] : v && typeof v === 'object' ? variables(v) : [],
  );
}

/** A tree of the same shape with each variable replaced by f(variable). */
export function mapVariables<T extends object>(tree: T, f: (v: tf.Variable) => tf.Variable): T {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(tree))
    out[key] = v instanceof tf.Variable ? f(v) : v && typeof v === 'object' ? mapVariables(v as object, f) : v;
  return out as T;
}

/** Number of scalars in a parameter tree. */
export function countParams(tree: object): number {
  return variables(tree).reduce((n, v) => n + v.size, 0);
}
