/**
 * The transformer pieces both towers share (provided): linear layers, layer norm, multi-head self-attention and a
 * pre-norm residual block. They are written out in plain tfjs in `lab/transformer.ts` (read it: you can see every
 * matrix product there), the same pieces the frozen models in lab/ are built from; this file hands them to your
 * towers, with CLIP's initialisation of a block.
 *
 * Vaswani et al. 2017, "Attention Is All You Need", §3.2 (scaled dot-product attention, multi-head attention);
 * the pre-norm block is the one CLIP's towers use (Radford et al. 2021, §2.4; Dosovitskiy et al. 2020, Eq. 2–3).
 */
import { createBlock, type Block, type Seeds } from '../../lab/transformer';

export {
  Seeds,
  causalMask,
  dense,
  gelu,
  layerNorm,
  linear,
  norm,
  selfAttention,
  transformerBlock,
  weight,
  type Block,
  type Linear,
  type Norm,
} from '../../lab/transformer';

/** One block of width `d`, every layer drawn from N(0, 1/dIn) (no depth-scaled initialisation, as in CLIP). */
export function block(seeds: Seeds, d: number, mlpRatio: number): Block {
  return createBlock(seeds, d, mlpRatio);
}
