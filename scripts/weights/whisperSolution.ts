// Whisper's reference solution as a learner who finished has it, for the weight builder (whisper-base.ts) and the
// tests of the weights it ships (test/unit/speech.test.ts). templates/whisper/solution/ holds only the files the
// learner writes (a file it lacks is the starter's, as Start and "Compare with Reference Solution" read it), so
// neither folder runs alone: solution/decode.ts imports ./model, which only starter/ has. This copies solution/ over
// starter/ in a throwaway workspace, links lab/ and node_modules/ in, and loads the modules from there.
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import type * as Model from '../../templates/whisper/starter/model';
import type * as Wer from '../../templates/whisper/solution/wer';

const REPO = join(__dirname, '..', '..');

/** A log-Mel spectrogram, row-major (features.ts). */
export interface LogMel {
  frames: number;
  mels: number;
  data: Float32Array;
}
/** One featurized utterance (data.ts). */
export interface Example {
  text: string;
  mel: LogMel;
}
/** Teacher-forced training batch (data.ts). */
export interface Batch {
  mels: tf.Tensor3D; // [B, T, M]
  input: tf.Tensor2D; // [B, L] int32
  target: tf.Tensor2D; // [B, L] int32
}

/**
 * What the builder and its tests call. Written out for data.ts, features.ts, decode.ts and finetune.ts because the
 * root type check can import neither version: the starter's are TODO stubs with unused parameters, and the
 * solution's import files that only starter/ has. The content suite type-checks the real files in a solution
 * workspace, and `loadWhisperSolution` checks that each name is exported where `SOURCES` says.
 */
export interface WhisperSolution extends Pick<
  typeof Model,
  | 'BASE_CONFIG'
  | 'createWhisper'
  | 'decodeText'
  | 'disposeWhisper'
  | 'encodeAudio'
  | 'loadWhisper'
  | 'namedVariables'
  | 'saveWhisper'
> {
  featurize(utterances: readonly { text: string; audio: Float32Array }[], frames: number): Example[];
  melBatch(examples: readonly Example[], indices: readonly number[]): tf.Tensor3D; // [B, T, M]
  makeBatch(examples: readonly Example[], indices: readonly number[], maxTokens: number): Batch;
  disposeBatch(batch: Batch): void;
  logMelSpectrogram(audio: Float32Array, frames: number): LogMel;
  transcribe(model: Model.Whisper, mels: tf.Tensor3D): Promise<string[]>;
  trainableVariables(model: Model.Whisper, mode: 'freeze-encoder' | 'full'): tf.Variable[];
  fineTuneStep(model: Model.Whisper, optimizer: tf.Optimizer, batch: Batch, variables: tf.Variable[]): Promise<number>;
  wordErrorRate: typeof Wer.wordErrorRate;
}

/** The exercise file that exports each name. */
const SOURCES: Record<keyof WhisperSolution, string> = {
  BASE_CONFIG: 'model',
  createWhisper: 'model',
  decodeText: 'model',
  disposeWhisper: 'model',
  encodeAudio: 'model',
  loadWhisper: 'model',
  namedVariables: 'model',
  saveWhisper: 'model',
  featurize: 'data',
  melBatch: 'data',
  makeBatch: 'data',
  disposeBatch: 'data',
  logMelSpectrogram: 'features',
  transcribe: 'decode',
  trainableVariables: 'finetune',
  fineTuneStep: 'finetune',
  wordErrorRate: 'wer',
};

/**
 * Assembles templates/whisper's solution workspace (removed when the process exits) and loads it. Its modules share
 * the caller's `@tensorflow/tfjs` (node_modules is linked, so both resolve to the same file), and the model's default
 * weights are templates/workspace/lab/weights/whisper-base, as in a learner's workspace.
 */
export function loadWhisperSolution(): WhisperSolution {
  const ws = mkdtempSync(join(tmpdir(), 'mml-whisper-solution-'));
  process.once('exit', () => rmSync(ws, { recursive: true, force: true }));
  const exercise = join(ws, 'exercises', 'whisper');
  mkdirSync(exercise, { recursive: true });
  cpSync(join(REPO, 'templates', 'whisper', 'starter'), exercise, { recursive: true });
  cpSync(join(REPO, 'templates', 'whisper', 'solution'), exercise, { recursive: true });
  symlinkSync(join(REPO, 'templates', 'workspace', 'lab'), join(ws, 'lab'), 'dir');
  symlinkSync(join(REPO, 'node_modules'), join(ws, 'node_modules'), 'dir');
  const load = createRequire(join(exercise, 'index.ts'));
  const solution: Record<string, unknown> = {};
  for (const [name, file] of Object.entries(SOURCES)) {
    const exports = load(`./${file}`) as Record<string, unknown>;
    if (!(name in exports))
      throw new Error(
        `templates/whisper: ${file}.ts (solution/ over starter/) does not export ${name}; update SOURCES and WhisperSolution in scripts/weights/whisperSolution.ts`,
      );
    solution[name] = exports[name];
  }
  return solution as unknown as WhisperSolution;
}
