// The BatchMatMul gradient, re-registered so that broadcast batch dimensions train. tfjs-core's gradient returns
// each operand's gradient at the broadcast batch shape (b: [5, 6] used against a: [2, 3, 4, 5] gets a
// [2, 3, 5, 6] gradient) and the engine rejects it, on every backend. This one computes the same products and
// sums them over the dimensions the operand was broadcast along, as tfjs-core's own Add gradient does.
// A gradient is global to the tfjs instance, not per backend, so it is written in tfjs ops only (matMul, sum,
// reshape) and stays correct wherever those run; without broadcasting it is the stock gradient exactly.
import type * as tfc from '@tensorflow/tfjs-core';
import type { TfCore } from './context';

/** The tfjs-core ops the gradient is written in; the runtime's namespace always has them. */
export type GradientOps = Pick<typeof tfc, 'registerGradient' | 'matMul' | 'sum' | 'reshape' | 'backend_util'>;

/** True when `tf` is a full tfjs(-core) namespace, not just the kernel API the kernels need. */
export function hasGradientOps(tf: TfCore): tf is TfCore & GradientOps {
  const t = tf as TfCore & Partial<GradientOps>;
  return (
    typeof t.registerGradient === 'function' &&
    typeof t.matMul === 'function' &&
    typeof t.sum === 'function' &&
    typeof t.reshape === 'function'
  );
}

/** Sums a gradient computed at the broadcast shape back down to the operand's own shape. */
function reduceTo(tf: GradientOps, g: tfc.Tensor, shape: number[]): tfc.Tensor {
  if (g.shape.length === shape.length && g.shape.every((d, i) => d === shape[i])) return g;
  const axes = tf.backend_util.getReductionAxes(shape, g.shape);
  return tf.reshape(axes.length > 0 ? tf.sum(g, axes) : g, shape);
}

/** The gradient configs this module registered, to tell them from stock ones in the registry. */
const ours = new WeakSet<object>();

/** True when the BatchMatMul gradient registered in `tf` is this module's (broadcast-aware) one. */
export function hasBroadcastMatMulGradient(tf: TfCore): boolean {
  const config = tf.getGradient('BatchMatMul');
  return config !== undefined && ours.has(config);
}

/** Registers the broadcast-aware BatchMatMul gradient into `tf`'s gradient registry (global to that instance). */
export function registerBatchMatMulGradient(tf: GradientOps): void {
  const config: Parameters<GradientOps['registerGradient']>[0] = {
    kernelName: 'BatchMatMul',
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved, attrs) => {
      const [a, b] = saved;
      const g = dy as tfc.Tensor;
      const ta = Boolean(attrs.transposeA);
      const tb = Boolean(attrs.transposeB);
      // The four cases of tfjs-core's BatchMatMul_grad.ts: dA and dB before any reduction.
      const da = (): tfc.Tensor => {
        if (!ta) return tf.matMul(g, b, false, !tb);
        return tb ? tf.matMul(b, g, true, true) : tf.matMul(b, g, false, true);
      };
      const db = (): tfc.Tensor => {
        if (!tb) return ta ? tf.matMul(a, g, false, false) : tf.matMul(a, g, true, false);
        return ta ? tf.matMul(g, a, true, true) : tf.matMul(g, a, true, false);
      };
      return { a: () => reduceTo(tf, da(), a.shape), b: () => reduceTo(tf, db(), b.shape) };
    },
  };
  ours.add(config);
  tf.registerGradient(config);
}
