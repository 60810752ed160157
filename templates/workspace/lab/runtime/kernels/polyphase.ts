// Strided Conv2DBackpropInput (and so conv2dTranspose) without wasted work. Zero-inserting dy turns a stride-s
// transposed conv into a stride-1 conv, but s² − 1 of every s² multiply-adds then hit inserted zeros (3/4 of
// the work at stride 2). Instead, split dx into its s×s phases: the rows y with (y + padTop) mod s = r only
// receive the taps fy ≡ r (mod s), so each phase is a small stride-1 convolution of dy with a sub-filter, and
// together they do exactly the useful work. Each phase runs on XNNPACK; a JS loop interleaves the results.
import { Scratch, type KernelFunc, type NamedAttrMap, type TensorInfo } from './context';

/** One axis of one phase: which taps it uses and where its outputs land. */
interface AxisPhase {
  /** Taps of the sub-filter (⌈(f − r) / s⌉, may be 0). */
  taps: number;
  /** First and count of phase output indices j; dx index is j·s + r − pad. */
  j0: number;
  count: number;
  /** Padding of dy before/after for the stride-1 convolution. */
  before: number;
  after: number;
}

function axisPhase(r: number, s: number, f: number, pad: number, inSize: number, dySize: number): AxisPhase {
  const taps = r < f ? Math.ceil((f - r) / s) : 0;
  const j0 = Math.ceil((pad - r) / s);
  const j1 = Math.floor((inSize - 1 + pad - r) / s);
  const count = Math.max(0, j1 - j0 + 1);
  const before = taps - 1 - j0;
  const after = count + taps - 1 - dySize - before;
  return { taps, j0, count, before, after };
}

/** True when every phase can be expressed with non-negative padding (always, unless padding ≥ filter). */
export function polyphaseApplies(
  s: [number, number],
  f: [number, number],
  pad: [number, number],
  inSize: [number, number],
  dySize: [number, number],
): boolean {
  for (let a = 0; a < 2; a++) {
    for (let r = 0; r < s[a]; r++) {
      const p = axisPhase(r, s[a], f[a], pad[a], inSize[a], dySize[a]);
      if (p.taps > 0 && p.count > 0 && (p.before < 0 || p.after < 0)) return false;
    }
  }
  return true;
}

/**
 * dx of a strided convolution as s_h·s_w stride-1 XNNPACK convolutions.
 * `dy` [B, OH, OW, CO], `filter` [FH, FW, CI, CO], result [B, H, W, CI] (owned by `s`).
 */
export function polyphaseBackpropInput(
  s: Scratch,
  conv2d: KernelFunc,
  dy: TensorInfo,
  filter: TensorInfo,
  inputShape: number[],
  stride: [number, number],
  padTopLeft: [number, number],
): TensorInfo {
  const [B, H, W, CI] = inputShape;
  const [, OH, OW, CO] = dy.shape;
  const [FH, FW] = filter.shape;
  const dx = s.make(inputShape);
  (s.backend.typedArrayFromHeap(dx) as Float32Array).fill(0);
  for (let ry = 0; ry < stride[0]; ry++) {
    const py = axisPhase(ry, stride[0], FH, padTopLeft[0], H, OH);
    if (py.taps === 0 || py.count === 0) continue;
    for (let rx = 0; rx < stride[1]; rx++) {
      const px = axisPhase(rx, stride[1], FW, padTopLeft[1], W, OW);
      if (px.taps === 0 || px.count === 0) continue;
      // Sub-filter G[kh, kw, co, ci] = W[ry + (taps−1−kh)·s, rx + (taps−1−kw)·s, ci, co]: flipped, in/out swapped.
      const g = s.make([py.taps, px.taps, CO, CI]);
      const w = s.backend.typedArrayFromHeap(filter) as Float32Array;
      const gv = s.backend.typedArrayFromHeap(g) as Float32Array;
      for (let kh = 0; kh < py.taps; kh++) {
        const fy = ry + (py.taps - 1 - kh) * stride[0];
        for (let kw = 0; kw < px.taps; kw++) {
          const fx = rx + (px.taps - 1 - kw) * stride[1];
          const src = (fy * FW + fx) * CI * CO;
          const dst = (kh * px.taps + kw) * CO * CI;
          for (let ci = 0; ci < CI; ci++) {
            for (let co = 0; co < CO; co++) gv[dst + co * CI + ci] = w[src + ci * CO + co];
          }
        }
      }
      const phase = s.call(conv2d, { x: dy, filter: g }, {
        strides: [1, 1],
        dilations: [1, 1],
        pad: [
          [0, 0],
          [py.before, py.after],
          [px.before, px.after],
          [0, 0],
        ],
        dataFormat: 'NHWC',
        dimRoundingMode: undefined,
      } as unknown as NamedAttrMap); // [B, py.count, px.count, CI]
      const pv = s.backend.typedArrayFromHeap(phase) as Float32Array;
      const out = s.backend.typedArrayFromHeap(dx) as Float32Array;
      for (let b = 0; b < B; b++) {
        for (let j = 0; j < py.count; j++) {
          const y = (py.j0 + j) * stride[0] + ry - padTopLeft[0];
          for (let i = 0; i < px.count; i++) {
            const x = (px.j0 + i) * stride[1] + rx - padTopLeft[1];
            out.set(
              pv.subarray(((b * py.count + j) * px.count + i) * CI, ((b * py.count + j) * px.count + i + 1) * CI),
              ((b * H + y) * W + x) * CI,
            );
          }
        }
      }
      s.free(phase);
      s.free(g);
    }
  }
  return dx;
}
