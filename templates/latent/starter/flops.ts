/**
 * Counting the cost of one denoising step analytically — the argument of Rombach et al. 2022, §3 and §4.1 (Fig. 6–7):
 * a UNet's work grows with the number of spatial positions it convolves over, so running it on an f = 4 latent
 * (4×4 instead of 16×16: f² = 16× fewer positions) makes every step far cheaper, whatever the step computes.
 *
 * Convention (the usual one): a multiply-add is 2 FLOPs; count the convolutions and the dense (matMul) layers,
 * and ignore biases, activations, additions, concatenations and upsampling (they cost O(positions · channels),
 * a small fraction of the convs' O(positions · k² · C_in · C_out)). A 'same' convolution with stride s on an
 * S×S input has (S/s)×(S/s) output positions.
 */

/** The shape of the UNet in lab/diffusion/unet.ts that a count is for. */
export interface UNetShape {
  /** Side S of x_t (16 for pixels, 4 for latents). */
  size: number;
  /** Channels of x_t (1 for pixels, 4 for latents). */
  inChannels: number;
  /** UNetConfig.channels: c at S×S, 2c at S/2 and S/4. */
  channels: number;
  /** UNetConfig.timeDim: D. */
  timeDim: number;
}

/** FLOPs of a k×k convolution with `outSize`×`outSize` output positions: 2 · outSize² · k² · C_in · C_out. */
export function convFlops(outSize: number, k: number, cin: number, cout: number): number {
  return 2 * outSize * outSize * k * k * cin * cout;
}

/** FLOPs of a dense layer for one input vector: 2 · D_in · D_out. */
export function denseFlops(din: number, dout: number): number {
  return 2 * din * dout;
}

/**
 * FLOPs of one forward pass of the UNet in lab/diffusion/unet.ts for ONE image (one denoising step of the sampler, per
 * sample): the time MLP, every conv (including the stride-2 downsampling convs and the 1×1 skips of the up
 * blocks) and every block's time projection, at the resolution where it runs.
 */
export function unetFlops(shape: UNetShape): number {
  // TODO(2): walk createUNet in lab/diffusion/unet.ts layer by layer: time1, time2; 'in'; the blocks down1 (S),
  //          down2 (S/2), mid (S/4), up2 (S/2, input 4c), up1 (S, input 3c) — each is conv1, its time dense, conv2
  //          and, when the channels change, a 1×1 skip conv; the stride-2 convs down1to2 and down2to3 (output S/2
  //          and S/4); 'out'. Sum convFlops(…) and denseFlops(…) over them.
  throw new Error(
    'TODO(2): implement unetFlops — sum convFlops and denseFlops over every layer of lab/diffusion/unet.ts at its resolution (README §Counting FLOPs)',
  );
}

/** FLOPs of one training step on a batch: forward plus backward, with the backward pass ≈ 2× the forward. */
export function trainingStepFlops(shape: UNetShape, batch: number): number {
  return 3 * batch * unetFlops(shape);
}
