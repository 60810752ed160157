/**
 * A small Whisper-style speech recogniser (provided): log-Mel frames → convolutional stem → transformer encoder;
 * an autoregressive transformer decoder that reads the text so far and cross-attends to the audio.
 *
 * Radford et al. 2022, "Robust Speech Recognition via Large-Scale Weak Supervision", §2.2 and Figure 1. Whisper's
 * stem is two 1-D convolutions (width 3, GELU), the second with stride 2; here both have stride 2, so 256 frames
 * (10 ms each) become 64 encoder positions (40 ms each). As in Whisper, the encoder adds sinusoidal position
 * embeddings, the decoder learned ones, and the output layer reuses the token embedding (tied weights).
 *
 * The shipped base model (lab/weights/whisper-base) was trained with this exact code on accent A only; see
 * meta.json there for how, and its WER on both accents.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ALPHABET, VOCAB_SIZE } from './tokenizer';
import {
  causalMask,
  decoderBlock,
  encoderBlock,
  gelu,
  layerNorm,
  norm,
  runDecoderBlock,
  runEncoderBlock,
  Seeds,
  type DecoderBlock,
  type EncoderBlock,
  type Norm,
} from './transformer';

export interface WhisperConfig {
  mels: number; // M: log-Mel bands per frame
  frames: number; // T: frames per clip (clips are padded to this, as Whisper pads to 30 s)
  width: number; // D
  heads: number;
  encoderDepth: number;
  decoderDepth: number;
  mlpRatio: number;
  vocabSize: number; // V
  maxTokens: number; // L: decoder positions (SOT + characters + EOT, padded)
}

export const BASE_CONFIG: WhisperConfig = {
  mels: 40,
  frames: 256,
  width: 64,
  heads: 4,
  encoderDepth: 2,
  decoderDepth: 2,
  mlpRatio: 4,
  vocabSize: VOCAB_SIZE,
  maxTokens: 32,
};

export interface Conv {
  w: tf.Variable;
  b: tf.Variable;
} // w: [3, Cin, Cout]
export interface Whisper {
  config: WhisperConfig;
  encoder: { conv1: Conv; conv2: Conv; blocks: EncoderBlock[]; lnPost: Norm };
  decoder: { tokenEmbed: tf.Variable; pos: tf.Variable; blocks: DecoderBlock[]; lnFinal: Norm };
}

const conv = (seeds: Seeds, cIn: number, cOut: number): Conv => ({
  w: tf.variable(tf.randomNormal([3, cIn, cOut], 0, 1 / Math.sqrt(3 * cIn), 'float32', seeds.take())),
  b: tf.variable(tf.zeros([cOut])),
});

/** A freshly initialised model (the same `seed` gives the same weights). */
export function createWhisper(config: WhisperConfig = BASE_CONFIG, seed = 1): Whisper {
  const seeds = new Seeds(seed),
    d = config.width;
  return {
    config,
    encoder: {
      conv1: conv(seeds, config.mels, d),
      conv2: conv(seeds, d, d),
      blocks: Array.from({ length: config.encoderDepth }, () => encoderBlock(seeds, d, config.mlpRatio)),
      lnPost: norm(d),
    },
    decoder: {
      tokenEmbed: tf.variable(tf.randomNormal([config.vocabSize, d], 0, 0.02, 'float32', seeds.take())),
      pos: tf.variable(tf.randomNormal([config.maxTokens, d], 0, 0.02, 'float32', seeds.take())),
      blocks: Array.from({ length: config.decoderDepth }, () => decoderBlock(seeds, d, config.mlpRatio)),
      lnFinal: norm(d),
    },
  };
}

/** Sinusoidal position embeddings (Vaswani et al. 2017, §3.5), as Whisper's encoder uses.  [S, D] */
export function sinusoids(length: number, d: number): tf.Tensor2D {
  const half = d / 2,
    table = new Float32Array(length * d);
  for (let p = 0; p < length; p++) {
    for (let i = 0; i < half; i++) {
      const angle = p / 10000 ** (i / (half - 1));
      table[p * d + i] = Math.sin(angle);
      table[p * d + half + i] = Math.cos(angle);
    }
  }
  return tf.tensor2d(table, [length, d]);
}

/** The audio encoder: log-Mel frames → one vector per 40 ms.  [B, T, M] → [B, T/4, D] */
export function encodeAudio(model: Whisper, mels: tf.Tensor3D): tf.Tensor3D {
  return tf.tidy(() => {
    const { conv1, conv2, blocks, lnPost } = model.encoder;
    let x = gelu(tf.add<tf.Tensor3D>(tf.conv1d(mels, conv1.w as tf.Tensor3D, 2, 'same'), conv1.b)); // [B, T/2, D]
    x = gelu(tf.add<tf.Tensor3D>(tf.conv1d(x, conv2.w as tf.Tensor3D, 2, 'same'), conv2.b)); // [B, T/4, D]
    x = tf.add(x, sinusoids(x.shape[1], x.shape[2])) as tf.Tensor3D; // + positions
    for (const block of blocks) x = runEncoderBlock(x, block, model.config.heads); // [B, S, D]
    return layerNorm(x, lnPost);
  });
}

/**
 * The text decoder: next-token logits at every position, given the tokens so far and the encoded audio.
 * tokens [B, L] (int32, starting with SOT), audio [B, S, D] → logits [B, L, V]
 */
export function decodeText(model: Whisper, tokens: tf.Tensor2D, audio: tf.Tensor3D): tf.Tensor3D {
  return tf.tidy(() => {
    const { tokenEmbed, pos, blocks, lnFinal } = model.decoder;
    const L = tokens.shape[1];
    let x = tf.add(tf.gather(tokenEmbed, tokens), tf.slice(pos, [0, 0], [L, -1])) as tf.Tensor3D; // [B, L, D]
    const mask = causalMask(L); // [1, 1, L, L]
    for (const block of blocks) x = runDecoderBlock(x, audio, block, model.config.heads, mask); // [B, L, D]
    const h = layerNorm(x, lnFinal); // [B, L, D]
    const [B, , D] = x.shape;
    const logits = tf.matMul(tf.reshape(h, [B * L, D]), tokenEmbed, false, true); // tied output layer: [B·L, V]
    return tf.reshape(logits, [B, L, model.config.vocabSize]) as tf.Tensor3D;
  });
}

/** Every variable of the model by its path, e.g. "encoder.blocks.0.attn.q.w". */
export function namedVariables(model: Whisper): Record<string, tf.Variable> {
  const out: Record<string, tf.Variable> = {};
  const walk = (o: unknown, name: string): void => {
    if (o instanceof tf.Variable) out[name] = o;
    else if (o && typeof o === 'object') for (const [k, v] of Object.entries(o)) walk(v, name ? `${name}.${k}` : k);
  };
  walk(model.encoder, 'encoder');
  walk(model.decoder, 'decoder');
  return out;
}

/** The encoder's variables (the conv stem, its blocks, its final norm). */
export const encoderVariables = (model: Whisper): tf.Variable[] =>
  Object.entries(namedVariables(model))
    .filter(([n]) => n.startsWith('encoder.'))
    .map(([, v]) => v);

/** The decoder's variables (embeddings, blocks with their cross-attention, final norm). */
export const decoderVariables = (model: Whisper): tf.Variable[] =>
  Object.entries(namedVariables(model))
    .filter(([n]) => n.startsWith('decoder.'))
    .map(([, v]) => v);

export function disposeWhisper(model: Whisper): void {
  for (const v of Object.values(namedVariables(model))) v.dispose();
}

export const BASE_WEIGHTS = path.join(__dirname, '..', '..', 'lab', 'weights', 'whisper-base');

/** Writes model.json (config + weight manifest) and weights.bin to `dir`, through tf.io's save handler. */
export async function saveWhisper(model: Whisper, dir: string): Promise<void> {
  const named = Object.entries(namedVariables(model)).map(([name, tensor]) => ({ name, tensor }));
  const { data, specs } = await tf.io.encodeWeights(named);
  fs.mkdirSync(dir, { recursive: true });
  const handler = tf.io.withSaveHandler(async (artifacts) => {
    const weights = Buffer.from(artifacts.weightData as ArrayBuffer);
    fs.writeFileSync(path.join(dir, 'weights.bin'), weights);
    fs.writeFileSync(
      path.join(dir, 'model.json'),
      JSON.stringify({
        format: 'whisper-lite',
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
      }),
    );
    return {
      modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: weights.length },
    };
  });
  await handler.save!({
    modelTopology: { config: model.config, alphabet: ALPHABET },
    weightSpecs: specs,
    weightData: data,
  });
}

/** Loads a model saved by saveWhisper (by default the shipped base model), via tf.io.fromMemory. */
export async function loadWhisper(dir = BASE_WEIGHTS): Promise<Whisper> {
  const json = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8')) as tf.io.ModelJSON;
  const bin = fs.readFileSync(path.join(dir, 'weights.bin'));
  const handler = tf.io.fromMemory({
    modelTopology: json.modelTopology,
    weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
    weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
  });
  const artifacts = await handler.load!();
  const topology = artifacts.modelTopology as { config: WhisperConfig; alphabet: string };
  if (topology.alphabet !== ALPHABET)
    throw new Error(
      `${dir}: the weights were trained with the alphabet "${topology.alphabet}", but tokenizer.ts has "${ALPHABET}"`,
    );
  const model = createWhisper(topology.config);
  const loaded = tf.io.decodeWeights(artifacts.weightData!, artifacts.weightSpecs!);
  for (const [name, variable] of Object.entries(namedVariables(model))) {
    const t = loaded[name];
    if (!t) throw new Error(`${dir}: no weights for ${name}`);
    variable.assign(t);
    t.dispose();
  }
  return model;
}
