/**
 * The Multimodal Lab helper library: `lab` for reporting from training scripts, and assertions for tests.
 * It lives in your workspace, so you can read (and change) every line of it.
 */
export { lab, Lab, NonFiniteError, safeName, type LabEvent, type RunnerHook, type ConfigName } from './report';
export { encodePng, crc32 } from './png';
export { toPixels, type Pixels, type ImageOptions } from './images';
export { encodeWav } from './wav';
export {
  INSIGHT_LIMITS,
  readValues,
  type EmbeddingOptions,
  type MatrixOptions,
  type TableCellInput,
  type Values,
} from './insights';
export {
  expectShape,
  expectTensorClose,
  expectNoTensorLeak,
  summarizeTensor,
  TensorAssertionError,
  type TensorSummary,
  type Tolerance,
} from './testing';
