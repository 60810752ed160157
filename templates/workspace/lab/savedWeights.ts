/**
 * Saving and loading the shipped frozen parts (`lab/weights/<name>/`: model.json and weights.bin). Pure tfjs in
 * Node has no file:// handler: weights are encoded with tf.io.encodeWeights, written through
 * tf.io.withSaveHandler with fs, and read back through tf.io.fromMemory. A model names its weights by their path
 * in its nested structure ("blocks.0.qkv.w"): `flatten` gives the names, `unflatten` rebuilds the structure.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';

export type NamedTensors = Record<string, tf.Tensor>;

/** How to load shipped weights: as trainable tf.Variables (the default, as a checkpoint would give) or frozen ones. */
export interface LoadOptions {
  trainable?: boolean;
}

/** A weights folder's `meta.json` (how the weights were built and how well they did), as the caller's type. */
export function readMeta<T>(dir: string): T {
  return JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8')) as T;
}

/** Flattens nested records/arrays of tensors into "a.b.0.c" names. */
export function flatten(tree: unknown, prefix = ''): NamedTensors {
  if (tree instanceof tf.Tensor) return { [prefix]: tree };
  const out: NamedTensors = {};
  if (Array.isArray(tree))
    tree.forEach((v, i) => Object.assign(out, flatten(v, prefix ? `${prefix}.${i}` : String(i))));
  else if (tree && typeof tree === 'object') {
    for (const [k, v] of Object.entries(tree)) Object.assign(out, flatten(v, prefix ? `${prefix}.${k}` : k));
  }
  return out;
}

/** Writes model.json (config + weights manifest) and weights.bin to `dir`. */
export async function saveWeights(dir: string, weights: NamedTensors, config: object): Promise<number> {
  fs.mkdirSync(dir, { recursive: true });
  const { data, specs } = await tf.io.encodeWeights(weights);
  const handler = tf.io.withSaveHandler(async (artifacts) => {
    const bin = Buffer.from(artifacts.weightData as ArrayBuffer);
    fs.writeFileSync(path.join(dir, 'weights.bin'), bin);
    const modelJson = {
      format: 'multimodal-lab-functional',
      generatedBy: `TensorFlow.js v${tf.version.tfjs}`,
      modelTopology: artifacts.modelTopology,
      weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
    };
    fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(modelJson));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: bin.length } };
  });
  await handler.save!({ modelTopology: config, weightSpecs: specs, weightData: data });
  return data.byteLength;
}

/** Reads a folder written by `saveWeights`: the config and the weights as tf.Variables (trainable unless told). */
export async function loadWeights(
  dir: string,
  trainable = true,
): Promise<{ config: unknown; weights: Record<string, tf.Variable> }> {
  const modelJson = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8')) as tf.io.ModelJSON;
  const bin = fs.readFileSync(path.join(dir, 'weights.bin'));
  const artifacts = await tf.io.fromMemory({
    modelTopology: modelJson.modelTopology,
    weightSpecs: modelJson.weightsManifest.flatMap((g) => g.weights),
    weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
  }).load!();
  const tensors = tf.io.decodeWeights(artifacts.weightData as ArrayBuffer, artifacts.weightSpecs ?? []);
  const weights: Record<string, tf.Variable> = {};
  for (const [name, t] of Object.entries(tensors)) {
    weights[name] = tf.variable(t, trainable);
    t.dispose();
  }
  return { config: artifacts.modelTopology, weights };
}

/** Marks a weight in a template for `unflatten`. */
export const LEAF = 'weight';

/**
 * Rebuilds the nested structure of `template` (LEAF where a weight goes) from named weights (the inverse of `flatten`).
 */
export function unflatten<T>(template: T, weights: Record<string, tf.Variable>, prefix = ''): T {
  if (template === LEAF) {
    const w = weights[prefix];
    if (!w) throw new Error(`missing weight "${prefix}" in the shipped file`);
    return w as unknown as T;
  }
  if (Array.isArray(template))
    return template.map((v, i) => unflatten(v, weights, prefix ? `${prefix}.${i}` : String(i))) as unknown as T;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(template as object))
    out[k] = unflatten(v, weights, prefix ? `${prefix}.${k}` : k);
  return out as T;
}

/**
 * Reads a folder written by `saveWeights` into the nested structure that `template(config)` describes (LEAF where a
 * weight goes): the config as `C`, the weights (trainable unless told) as `T`.
 */
export async function loadTree<C, T>(
  dir: string,
  trainable: boolean,
  template: (config: C) => unknown,
): Promise<{ config: C; tree: T }> {
  const { config, weights } = await loadWeights(dir, trainable);
  const c = config as C;
  return { config: c, tree: unflatten(template(c), weights) as T };
}
