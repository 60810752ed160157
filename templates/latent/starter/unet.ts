/**
 * PROVIDED (exercise 2's UNet, copied so this folder stands alone, with one change: the number of input and
 * output channels is a parameter, so the same network runs on 16×16×1 pixels and on 4×4×4 latents).
 * The ε-prediction network: a small UNet (Ronneberger et al. 2015) as DDPM uses it (Ho et al. 2020, §4 and
 * Appendix B: a PixelCNN++-style UNet with residual blocks and the timestep embedding added in every block).
 * Latent diffusion (Rombach et al. 2022, §3.3) keeps exactly this network and only changes what it sees.
 *
 *   x_t [B, S, S, C] ──conv──► h0 [S×S, c] ──res──► s1 [S×S, c] ────────────────────────────┐ (skip)
 *                                          │ stride-2 conv                                    │
 *                                          ▼                                                  │
 *                              s2 [S/2×S/2, 2c] ──res──► ──────────────────────────┐ (skip)  │
 *                                          │ stride-2 conv                         │          │
 *                                          ▼                                       │          │
 *                             mid [S/4×S/4, 2c] ──res──► upsample ► concat ► res ► upsample ► concat ► res ► conv ► ε̂
 *
 * Pixels: S = 16, C = 1 (levels 16, 8, 4). Latents: S = 4, C = 4 (levels 4, 2, 1). S must be divisible by 4.
 * The timestep t enters every residual block: sinusoidal embedding → 2-layer MLP → [B, D], projected to the
 * block's channels and added to its feature map. No normalisation layers: at this size the network trains
 * stably without them (and GroupNorm would cost more time than it buys on a CPU).
 * The output conv starts at zero, so the untrained model predicts ε̂ = 0 and the loss starts at E[ε²] = 1.
 */
import * as tf from '@tensorflow/tfjs';
import { timeEmbedding } from './timeEmbedding';

/** Anything that predicts the noise in x_t: (x_t [B, H, W, C], t [B] int32) → ε̂ [B, H, W, C]. */
export type EpsModel = (xt: tf.Tensor4D, t: tf.Tensor1D) => tf.Tensor4D;

export interface UNetConfig {
  /** Channels at full resolution S×S; S/2 and S/4 use twice as many. */
  channels: number;
  /** Channels of x_t and of ε̂: 1 for pixels, the latent channels (4) for latents. */
  inChannels: number;
  /** Width of the sinusoidal embedding and of the time MLP. */
  timeDim: number;
  seed: number;
}

export type Weights = Record<string, tf.Variable>;

export interface UNet {
  /** Every trainable tensor, by name (what the optimiser updates and the EMA copies). */
  weights: Weights;
  /** ε̂ for x_t at timesteps t, using `weights` (default: the trained ones; pass EMA weights to sample). */
  apply(xt: tf.Tensor4D, t: tf.Tensor1D, weights?: Weights): tf.Tensor4D;
}

const swish = (x: tf.Tensor): tf.Tensor => tf.mul(x, tf.sigmoid(x));

/** Builds the UNet's weights (He-normal, seeded) and its forward function. */
export function createUNet(cfg: UNetConfig): UNet {
  const weights: Weights = {};
  let seed = cfg.seed;
  const param = (name: string, shape: number[], fanIn: number, zero = false): void => {
    weights[name] = tf.tidy(() =>
      tf.variable(zero ? tf.zeros(shape) : tf.randomNormal(shape, 0, Math.sqrt(2 / fanIn), 'float32', seed++), true),
    ); // unnamed: tfjs names must be unique per process, and tests build several UNets
  };
  const conv = (name: string, k: number, cin: number, cout: number, zero = false): void => {
    param(`${name}.w`, [k, k, cin, cout], k * k * cin, zero);
    param(`${name}.b`, [cout], 1, true);
  };
  const dense = (name: string, cin: number, cout: number): void => {
    param(`${name}.w`, [cin, cout], cin);
    param(`${name}.b`, [cout], 1, true);
  };
  const block = (name: string, cin: number, cout: number): void => {
    conv(`${name}.conv1`, 3, cin, cout);
    dense(`${name}.time`, cfg.timeDim, cout);
    conv(`${name}.conv2`, 3, cout, cout);
    if (cin !== cout) conv(`${name}.skip`, 1, cin, cout);
  };
  const c = cfg.channels;
  dense('time1', cfg.timeDim, cfg.timeDim);
  dense('time2', cfg.timeDim, cfg.timeDim);
  conv('in', 3, cfg.inChannels, c);
  block('down1', c, c);
  conv('down1to2', 3, c, 2 * c);
  block('down2', 2 * c, 2 * c);
  conv('down2to3', 3, 2 * c, 2 * c);
  block('mid', 2 * c, 2 * c);
  block('up2', 4 * c, 2 * c);
  block('up1', 3 * c, c);
  conv('out', 3, c, cfg.inChannels, true);

  const apply = (xt: tf.Tensor4D, t: tf.Tensor1D, w: Weights = weights): tf.Tensor4D =>
    tf.tidy(() => {
      const convF = (name: string, x: tf.Tensor4D, stride = 1): tf.Tensor4D =>
        tf.add(tf.conv2d(x, w[`${name}.w`] as tf.Tensor4D, stride, 'same'), w[`${name}.b`]) as tf.Tensor4D;
      const denseF = (name: string, x: tf.Tensor2D): tf.Tensor2D =>
        tf.add(tf.matMul(x, w[`${name}.w`] as tf.Tensor2D), w[`${name}.b`]) as tf.Tensor2D;
      const resBlock = (name: string, x: tf.Tensor4D, temb: tf.Tensor2D): tf.Tensor4D => {
        let h = convF(`${name}.conv1`, swish(x) as tf.Tensor4D); // [B, H, W, cout]
        const cout = h.shape[3];
        h = tf.add(h, tf.reshape(denseF(`${name}.time`, temb), [-1, 1, 1, cout])); // + time, broadcast over H, W
        h = convF(`${name}.conv2`, swish(h) as tf.Tensor4D); // [B, H, W, cout]
        const skip = w[`${name}.skip.w`] ? convF(`${name}.skip`, x) : x; // 1×1 conv when channels change
        return tf.add(skip, h) as tf.Tensor4D;
      };
      const temb = swish(
        denseF('time2', swish(denseF('time1', timeEmbedding(t, cfg.timeDim))) as tf.Tensor2D),
      ) as tf.Tensor2D; // [B, D]
      const h0 = convF('in', xt); // [B, S, S, c]
      const s1 = resBlock('down1', h0, temb); // [B, S, S, c]
      const s2 = resBlock('down2', convF('down1to2', s1, 2), temb); // [B, S/2, S/2, 2c]
      const mid = resBlock('mid', convF('down2to3', s2, 2), temb); // [B, S/4, S/4, 2c]
      const [, H, W] = xt.shape;
      if (H % 4 !== 0 || W % 4 !== 0)
        throw new Error(
          `the UNet halves its input twice, so H and W must be divisible by 4; got [${xt.shape.join(', ')}]`,
        );
      const u2 = tf.image.resizeNearestNeighbor(mid, [H / 2, W / 2]); // [B, S/2, S/2, 2c]
      const d2 = resBlock('up2', tf.concat([u2, s2], 3), temb); // [B, S/2, S/2, 2c]
      const u1 = tf.image.resizeNearestNeighbor(d2, [H, W]); // [B, S, S, 2c]
      const d1 = resBlock('up1', tf.concat([u1, s1], 3), temb); // [B, S, S, c]
      return convF('out', swish(d1) as tf.Tensor4D); // [B, S, S, C]  ε̂
    });
  return { weights, apply };
}

/** Number of scalars in the weights. */
export function countParams(weights: Weights): number {
  return Object.values(weights).reduce((n, v) => n + v.size, 0);
}
