/**
 * The bridge between the frozen vision encoder and the frozen LM (provided): everything this set-up trains.
 *
 *   image tokens   H_v = tanh(α) · ρ · norm(MLP(Z_v))   [B, N, D]   LLaVA-1.5's projection, behind a gate
 *   markers        <im_start> H_v <im_end>              two learned embeddings around the image block
 *
 * norm() standardises each token (mean 0, RMS 1, no learned gain) and ρ is the RMS of the LM's word embeddings,
 * so an image token is exactly as loud as a word when the gate is fully open: the projection chooses the
 * direction of each token, the gate alone how loud the image is.
 * The markers are LLaVA v1's `mm_use_im_start_end` tokens (Liu et al. 2023): new embeddings that tell the LM where
 * the image starts and ends. The gate is Flamingo's tanh gating (Alayrac et al. 2022, §2.2): α starts at 0, so at
 * step 0 the image tokens are zero and the frozen LM starts from what it knows; training opens the gate as far as
 * the image turns out to be useful.
 */
import * as tf from '@tensorflow/tfjs';
import { createProjection, project, type Projection, type ProjectionKind } from '../../lab/llava/projection';

export interface Bridge {
  projection: Projection; // [Dv, D] (and [D, D]) weights
  imStart: tf.Variable; // [D] the <im_start> embedding
  imEnd: tf.Variable; // [D] the <im_end> embedding
  gate: tf.Variable; // [] α: the image tokens are scaled by tanh(α)
  scale: number; // ρ, the RMS of the LM's word embeddings (a constant)
}

/** `wordScale` is ρ: the RMS of the LM's word embeddings. */
export function createBridge(
  kind: ProjectionKind,
  dVision: number,
  dModel: number,
  wordScale: number,
  seed = 7,
): Bridge {
  return {
    scale: wordScale,
    projection: createProjection(kind, dVision, dModel, seed),
    imStart: tf.variable(tf.randomNormal([dModel], 0, 0.1, 'float32', seed + 100)),
    imEnd: tf.variable(tf.randomNormal([dModel], 0, 0.1, 'float32', seed + 101)),
    gate: tf.variable(tf.scalar(0)), // tanh(0) = 0: closed at the start
  };
}

/** How far the gate is open, tanh(α), in [−1, 1] (read asynchronously, as every backend allows). */
export async function gateOpening(bridge: Bridge): Promise<number> {
  return Math.tanh((await bridge.gate.data())[0]);
}

/** The gated image tokens.  [B, N, Dv] → [B, N, D] */
export function imageTokens(bridge: Bridge, features: tf.Tensor3D): tf.Tensor3D {
  return tf.tidy(() => {
    const h = project(bridge.projection, features); // [B, N, D]
    const { mean, variance } = tf.moments(h, -1, true); // [B, N, 1] each
    const normed = tf.div(tf.sub(h, mean), tf.sqrt(tf.add(variance, 1e-5))); // [B, N, D]: every token mean 0, RMS 1
    return tf.mul(tf.mul(tf.tanh(bridge.gate), bridge.scale), normed) as tf.Tensor3D; // [B, N, D]
  });
}

/** Every weight of the bridge, for the optimizers and for disposal. */
export function bridgeVariables(bridge: Bridge): tf.Variable[] {
  return Object.values(bridge).filter((v): v is tf.Variable => v instanceof tf.Variable);
}

export function disposeBridge(bridge: Bridge): void {
  tf.dispose(bridgeVariables(bridge));
}
