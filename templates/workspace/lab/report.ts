/**
 * The `lab` reporting API: what a training script tells the run panel.
 *
 *   lab.scalar('loss', loss, step)           a number per step (curves)
 *   await lab.images('samples', batch, step) an image or a batch laid out as a grid (PNG)
 *   lab.text('caption', text, step)          text per step (captions, transcripts)
 *   lab.summary({ accuracy: 0.93 })          the final numbers milestones check (last write wins)
 *   lab.shouldStop()                         true once the learner pressed Stop (or Ctrl+C in a terminal)
 *   lab.checkpoint(step, dir => model.save(`file://${dir}`))
 *   lab.config({ cpu, gpu, smoke })          the configuration the run was started with (a whole `steps` in it
 *                                            tells the run panel how long the run is, for its ETA); the JSON
 *                                            object in MULTIMODAL_LAB_OVERRIDES, e.g. {"seed":1}, changes fields
 *   lab.resumeFrom()                         the checkpoint directory to resume from, if any
 *
 * Looking inside the model: each call is awaited; values are tensors or plain arrays (an array of rows for a matrix);
 * shapes, limits and what each checks are in insights.ts:
 *   await lab.matrix('sim', logits, step, { rowLabels, colLabels, range })   a heatmap [R, C] (similarity, confusion)
 *   await lab.attention('cls', image, weights, step)  attention [h, w] or [heads, h, w] over one image [H, W, C]
 *   await lab.embedding('space', vectors, step, { labels, groups })  points [N, D], a label and a group each
 *   await lab.audio('clip', samples, 16000, step)    mono samples in [-1, 1] at a sample rate, stored as a WAV
 *   await lab.histogram('weights/fc1', w, step)      the distribution of any tensor (30 buckets from min to max)
 *   await lab.table('transcripts', rows, step)       rows of { column: cell }; a cell is text, a number,
 *                                                     { image: tensor } or { audio: samples, sampleRate }
 *
 * A training entry (`exercises/<id>/train.ts`) ends with `lab.run(main)`, where `main` is an async function that
 * trains. That one line works both when the extension runs the script and from a terminal
 * (`npx tsx exercises/<id>/train.ts`).
 *
 * Tensor values are read asynchronously (`await t.data()`), never with `t.dataSync()`: on a GPU backend in Node
 * (webgpu) a synchronous read throws, while `await` works on every backend. That is why `lab.images` returns a
 * promise to await (as do the calls that look inside the model), and why `lab.scalar` takes a number you read
 * yourself: `lab.scalar('loss', (await loss.data())[0], step)`.
 *
 * Everything lands in the run directory, one file per kind (the format the run panel reads; names and paths are the
 * run store's, lab/runtime/runStore.ts):
 *   meta.json, scalars.jsonl, images.jsonl + images/<name>/<step>.png, text.jsonl, summary.json, checkpoints/<step>/,
 *   matrices.jsonl, attention.jsonl + attention/<name>/<step>.png, embeddings.jsonl, audio.jsonl +
 *   audio/<name>/<step>.wav, histograms.jsonl, tables.jsonl + tables/<name>/<step>/r<row>-c<column>.png|.wav
 * Each JSONL record is appended as one whole line, so a run killed mid-write loses at most its last line, and carries
 * `seq`, its number in the run (the run panel joins a replay from disk with the live stream by it).
 * Under the extension the run directory comes from MULTIMODAL_LAB_RUN_DIR; from a terminal a new
 * `.multimodal-lab/runs/<exercise>/<timestamp>-terminal/` is made.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { encodePng } from './png';
import { toPixels, type ImageOptions } from './images';
import {
  INSIGHT_FILE_OF,
  attentionBody,
  audioBody,
  embeddingBody,
  histogramBody,
  matrixBody,
  tableBody,
  type EmbeddingOptions,
  type InsightEvent,
  type MatrixOptions,
  type MediaFile,
  type TableCellInput,
  type Values,
} from './insights';
import { createTerminalRun, finishTerminalRun, type TerminalRun } from './terminalRun';
import { answerTsxForCtrlC } from './ctrlC';
import { ensureBackend, selectionFailure } from './runtime/index';
import {
  RUN_FILES,
  appendRecords,
  runFile,
  updateMeta,
  writeJsonAtomic,
  type RecordFile,
  type StoredMeta,
} from './runtime/runStore';

// These shapes mirror `LabEvent` in the extension's src/protocol/runner.ts. This library lives in your workspace
// and cannot import the extension's code, so keep the two in step when either changes.
// `seq` is the record's number in the run folder (lab/runtime/runStore.ts, appendRecords): the run panel joins what it
// replays from disk with what streams in by it.
export type LabEvent =
  | { type: 'scalar'; seq: number; step: number; name: string; value: number }
  | { type: 'image'; seq: number; step: number; name: string; file: string; width: number; height: number }
  | { type: 'text'; seq: number; step: number; name: string; text: string }
  | { type: 'summary'; values: Record<string, number | string | boolean> }
  | { type: 'checkpoint'; step: number; dir: string }
  | { type: 'plan'; totalSteps: number }
  | InsightEvent;

/** What the extension's runner installs as `globalThis.__multimodalLab` before it loads a training script. */
export interface RunnerHook {
  emit(event: LabEvent): void;
  shouldStop(): boolean;
  run(main: () => Promise<void>): Promise<void>;
}

export type ConfigName = 'cpu' | 'gpu' | 'smoke';

/** The last finite value of each metric, with its step (what the run panel shows of a diverged run). */
export type LastFinite = Record<string, { step: number; value: number }>;

/**
 * A watched metric (`loss` by default) became NaN or ±Infinity: training has diverged. `value` is the exact
 * non-finite number (NaN, Infinity or -Infinity); `lastFinite` holds every metric's last finite value before it.
 */
export class NonFiniteError extends Error {
  constructor(
    readonly metric: string,
    readonly step: number,
    readonly value: number,
    readonly lastFinite: LastFinite = {},
  ) {
    const before = lastFinite[metric];
    super(
      `${metric} became ${value} at step ${step}: training diverged. Usual causes: a learning rate that is too ` +
        'high (try 10× lower), log(0) or division by zero (add an epsilon, use tf.logSoftmax instead of log(softmax)), ' +
        'or inputs that are not normalised. ' +
        (before
          ? `The ${metric} chart shows its values up to step ${before.step} (last finite value ${Number(before.value.toPrecision(4))}).`
          : `It was not finite at its first logged step, so there is no ${metric} curve before it: check the first step (inputs, initial weights, the loss formula).`),
    );
    this.name = 'NonFiniteError';
  }
}

function hook(): RunnerHook | undefined {
  return (globalThis as { __multimodalLab?: RunnerHook }).__multimodalLab;
}

/** File-system safe form of a metric name, used for image folders ("samples/train" → "samples_train"). */
export function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9_.-]/g, '_');
}

export class Lab {
  private dirCache?: string;
  private terminal?: TerminalRun;
  private readonly watched = new Set(['loss']);
  /** Each metric's last finite value, handed to a NonFiniteError so a diverged run says what came before. */
  private readonly lastFinite: LastFinite = {};
  private stopRequested = false;

  /** `env` and `runner` are parameters so tests can make a Lab of their own; scripts use the `lab` below. */
  constructor(
    private readonly env: NodeJS.ProcessEnv = process.env,
    private readonly runner: () => RunnerHook | undefined = hook,
  ) {}

  /** The run directory every file goes to (made on first use). */
  dir(): string {
    if (this.dirCache === undefined) {
      const given = this.env.MULTIMODAL_LAB_RUN_DIR;
      if (given) {
        this.dirCache = given;
      } else {
        this.terminal = createTerminalRun(this.configName());
        this.dirCache = this.terminal.dir;
      }
      fs.mkdirSync(this.dirCache, { recursive: true });
    }
    return this.dirCache;
  }

  /** Also treat `names` like `loss`: a NaN or infinite value stops the run with a NonFiniteError. */
  watchFinite(...names: string[]): void {
    for (const n of names) this.watched.add(n);
  }

  /** Records one number at `step`, e.g. `lab.scalar('loss', (await loss.data())[0], step)`. */
  scalar(name: string, value: number, step: number): void {
    checkStep('scalar', name, step);
    if (typeof value !== 'number') {
      throw new TypeError(
        `lab.scalar('${name}'): value must be a number, got ${typeof value}. For a tensor, read it first: (await t.data())[0] (not t.dataSync(), which fails on a GPU backend).`,
      );
    }
    if (Number.isFinite(value)) this.lastFinite[name] = { step, value };
    else if (this.watched.has(name)) throw new NonFiniteError(name, step, value, { ...this.lastFinite });
    const { seq } = this.append('scalars', { step, name, value, time: Date.now() });
    this.emit({ type: 'scalar', seq, step, name, value });
  }

  /**
   * Records an image [H, W, C] or a batch [N, H, W, C] as a PNG grid (ranges: see images.ts). Await it before you
   * dispose `images`: it reads the tensor asynchronously.
   */
  async images(name: string, images: tf.Tensor, step: number, options?: ImageOptions): Promise<void> {
    checkStep('images', name, step);
    const px = await toPixels(images, options);
    const file = `${RUN_FILES.imagesDir}/${safeName(name)}/${step}.png`; // relative to the run directory
    fs.mkdirSync(path.join(runFile(this.dir(), 'imagesDir'), safeName(name)), { recursive: true });
    fs.writeFileSync(path.join(this.dir(), file), encodePng(px.width, px.height, px.channels, px.data));
    const { seq } = this.append('images', { step, name, file, width: px.width, height: px.height, time: Date.now() });
    this.emit({ type: 'image', seq, step, name, file, width: px.width, height: px.height });
  }

  /** Records text at `step`, e.g. a generated caption. */
  text(name: string, text: string, step: number): void {
    checkStep('text', name, step);
    const { seq } = this.append('text', { step, name, text: String(text), time: Date.now() });
    this.emit({ type: 'text', seq, step, name, text: String(text) });
  }

  /** Records a heatmap [R, C], e.g. the batch's image–text similarities: `await lab.matrix('sim', logits, step)`. */
  async matrix(name: string, values: Values, step: number, options?: MatrixOptions): Promise<void> {
    checkStep('matrix', name, step);
    this.record({ type: 'matrix', step, name, ...(await matrixBody(name, values, options)) });
  }

  /** Records attention weights [h, w] or [heads, h, w] over one image [H, W, C] (stored as a PNG). */
  async attention(
    name: string,
    image: tf.Tensor,
    weights: Values,
    step: number,
    options?: ImageOptions,
  ): Promise<void> {
    checkStep('attention', name, step);
    const file = `${RUN_FILES.attentionDir}/${safeName(name)}/${step}.png`;
    const { body, media } = await attentionBody(name, image, weights, file, options);
    this.record({ type: 'attention', step, name, ...body }, [media]);
  }

  /** Records N points [N, D] of an embedding space, with a label and a group per point if given. */
  async embedding(name: string, vectors: Values, step: number, options?: EmbeddingOptions): Promise<void> {
    checkStep('embedding', name, step);
    this.record({ type: 'embedding', step, name, ...(await embeddingBody(name, vectors, options)) });
  }

  /** Records a mono sound (samples in [-1, 1], clipped) at `sampleRate` Hz as a 16-bit WAV. */
  async audio(name: string, samples: Values, sampleRate: number, step: number): Promise<void> {
    checkStep('audio', name, step);
    const file = `${RUN_FILES.audioDir}/${safeName(name)}/${step}.wav`;
    const { body, media } = await audioBody(`lab.audio('${name}')`, samples, sampleRate, file);
    this.record({ type: 'audio', step, name, ...body }, [media]);
  }

  /** Records the distribution of `values` (any shape) at `step` as histogram buckets, e.g. a layer's weights. */
  async histogram(name: string, values: Values, step: number): Promise<void> {
    checkStep('histogram', name, step);
    this.record({ type: 'histogram', step, name, ...(await histogramBody(name, values)) });
  }

  /** Records a table: one object per row, `{ column: cell }`; cells are text, numbers, images or sounds. */
  async table(
    name: string,
    rows: ReadonlyArray<Readonly<Record<string, TableCellInput>>>,
    step: number,
  ): Promise<void> {
    checkStep('table', name, step);
    const { body, media } = await tableBody(name, rows, `${RUN_FILES.tablesDir}/${safeName(name)}/${step}`);
    this.record({ type: 'table', step, name, ...body }, media);
  }

  /** The run's final numbers (merged with earlier calls); milestones read these. */
  summary(values: Record<string, number | string | boolean>): void {
    const file = runFile(this.dir(), 'summary');
    let merged: Record<string, number | string | boolean> = {};
    try {
      merged = JSON.parse(fs.readFileSync(file, 'utf8')) as typeof merged;
    } catch {
      /* first summary */
    }
    merged = { ...merged, ...values };
    // Write then rename, so a reader never sees half a summary.
    writeJsonAtomic(file, merged);
    this.emit({ type: 'summary', values: merged });
  }

  /** True once a stop was requested. Check it every step, save a checkpoint, and return from `main`. */
  shouldStop(): boolean {
    const runner = this.runner();
    if (runner) return runner.shouldStop();
    this.listenForCtrlC();
    return this.stopRequested;
  }

  /** From a terminal: the first Ctrl+C asks for a stop after this step, a second one quits at once. */
  private listenForCtrlC(): void {
    // A script with its own SIGINT handler keeps it; once ours has fired, the second-press handler takes over.
    if (this.stopRequested || process.listenerCount('SIGINT') > 0) return;
    process.once('SIGINT', () => {
      this.stopRequested = true;
      console.error('\n[lab] Stopping after this step (press Ctrl+C again to quit at once).');
      process.once('SIGINT', () => {
        this.end(
          'killed',
          'A second Ctrl+C quit at once, without waiting for the script to finish its loop. What was logged until then is kept.',
        );
        process.exit(130);
      });
    });
  }

  /** Saves a checkpoint into `checkpoints/<step>/` with your `save(dir)`, and records it. Returns the directory. */
  async checkpoint(step: number, save: (dir: string) => Promise<unknown>): Promise<string> {
    checkStep('checkpoint', 'checkpoint', step);
    const dir = path.join(runFile(this.dir(), 'checkpoints'), String(step));
    fs.mkdirSync(dir, { recursive: true });
    await save(dir);
    if (this.terminal) this.terminal.latestCheckpoint = dir;
    this.emit({ type: 'checkpoint', step, dir });
    return dir;
  }

  /** The checkpoint directory to resume from when the learner chose "Resume", else undefined. */
  resumeFrom(): string | undefined {
    return this.env.MULTIMODAL_LAB_RESUME_FROM || undefined;
  }

  /** Which configuration this run uses: the runner sets it (cpu, gpu or smoke); from a terminal it is cpu. */
  configName(): ConfigName {
    const c = this.env.MULTIMODAL_LAB_CONFIG;
    return c === 'gpu' || c === 'smoke' ? c : 'cpu';
  }

  /**
   * Picks the configuration for this run, e.g. `const cfg = lab.config({ cpu: {...}, gpu: {...}, smoke: {...} })`.
   * MULTIMODAL_LAB_OVERRIDES, a JSON object such as `{"seed":1,"steps":500}`, changes fields of it (see
   * applyOverrides); the changes are printed and recorded in meta.json (`overrides`).
   */
  config<T>(configs: { cpu: T; gpu: T; smoke: T }): T {
    const name = this.configName();
    const overrides = parseOverrides(this.env.MULTIMODAL_LAB_OVERRIDES);
    const chosen = applyOverrides(configs[name], overrides, name);
    if (Object.keys(overrides).length > 0) {
      console.log(`config overrides: ${describeOverrides(overrides)}`);
      updateMeta<StoredMeta & { overrides?: Readonly<Record<string, unknown>> }>(this.dir(), { overrides });
    }
    // A whole `steps` in the chosen config is the run's length: the run panel turns it into an ETA.
    const steps = (chosen as { steps?: unknown } | null)?.steps;
    if (typeof steps === 'number' && Number.isInteger(steps) && steps > 0)
      this.emit({ type: 'plan', totalSteps: steps });
    return chosen;
  }

  /** Runs your training `main`: under the extension the runner awaits it; from a terminal it also ends the run. */
  run(main: () => Promise<void>): Promise<void> {
    const runner = this.runner();
    if (runner) return runner.run(main);
    this.dir();
    // Ctrl+C counts from the start (not only from the first shouldStop), also under `npx tsx` (see ctrlC.ts).
    this.listenForCtrlC();
    // The same backend ladder, training kernels and wasm threads as the extension's runner (lab/runtime).
    return Promise.all([ensureBackend(), answerTsxForCtrlC()])
      .then(
        () =>
          main().then(
            () => {
              this.end(this.stopRequested ? 'stopped' : 'finished');
            },
            (err: unknown) => {
              this.end(
                err instanceof NonFiniteError ? 'nan' : 'crashed',
                err instanceof Error ? err.message : String(err),
              );
              console.error(err instanceof NonFiniteError ? `\n${err.message}` : err);
              process.exitCode = 1;
            },
          ),
        (err: unknown) => {
          this.end('crashed', selectionFailure(err));
          console.error(selectionFailure(err));
          process.exitCode = 1;
        },
        // wasm's pthread workers keep Node alive after main returns: a finished run ends its process.
      )
      .finally(() => {
        setImmediate(() => process.exit());
      });
  }

  private end(status: 'finished' | 'stopped' | 'nan' | 'crashed' | 'killed', reason?: string): void {
    if (this.terminal) finishTerminalRun(this.terminal, status, reason);
  }

  /** Appends one record (one whole line, numbered with the run's next `seq`) and returns it as written. */
  private append<R extends object>(file: RecordFile, record: R): R & { seq: number } {
    return appendRecords(this.dir(), file, [record])[0];
  }

  /**
   * Writes a record's files, then appends the record to its kind's file and hands the event to the runner. The files
   * come first, so a reader never meets a line that names a file not yet written.
   */
  private record(event: DistributiveOmit<InsightEvent, 'seq'>, media: readonly MediaFile[] = []): void {
    for (const m of media) {
      const file = path.join(this.dir(), m.file);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, m.bytes);
    }
    const { type, ...line } = event;
    const { seq } = this.append(INSIGHT_FILE_OF[type], { ...line, time: Date.now() });
    this.emit({ ...event, seq } as InsightEvent);
  }

  private emit(event: LabEvent): void {
    this.runner()?.emit(event);
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A JSON value a configuration field can take. */
export type OverrideValue = string | number | boolean | null | OverrideValue[] | { [key: string]: OverrideValue };

/**
 * MULTIMODAL_LAB_OVERRIDES as an object: `{}` when unset or empty. Throws, naming the variable, for text that is not
 * JSON or not a JSON object.
 */
export function parseOverrides(text: string | undefined): Record<string, OverrideValue> {
  if (text === undefined || text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(
      `MULTIMODAL_LAB_OVERRIDES is not valid JSON (${err instanceof Error ? err.message : String(err)}): ${text}. ` +
        'Give a JSON object, e.g. {"seed":1}.',
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error(`MULTIMODAL_LAB_OVERRIDES must be a JSON object such as {"seed":1}, got: ${text}`);
  return value as Record<string, OverrideValue>;
}

/**
 * `config` with `overrides` merged over it (shallowly: a field is replaced whole). Every key must be a field of
 * `config` and every value of the same type (`typeof`) as the field's; otherwise throws, naming the key and the
 * fields there are. `config` itself is left as it is.
 */
export function applyOverrides<T>(config: T, overrides: Record<string, OverrideValue>, configName = 'chosen'): T {
  const keys = Object.keys(overrides);
  if (keys.length === 0) return config;
  if (typeof config !== 'object' || config === null || Array.isArray(config))
    throw new Error(`MULTIMODAL_LAB_OVERRIDES: the ${configName} configuration is not an object, so it has no fields.`);
  const fields = config as Record<string, unknown>;
  const allowed = Object.keys(fields).join(', ');
  for (const key of keys) {
    if (!Object.prototype.hasOwnProperty.call(fields, key))
      throw new Error(
        `MULTIMODAL_LAB_OVERRIDES: "${key}" is not a field of the ${configName} configuration. Allowed keys: ${allowed}.`,
      );
    const want = typeOf(fields[key]),
      got = typeOf(overrides[key]);
    if (want !== got)
      throw new Error(
        `MULTIMODAL_LAB_OVERRIDES: "${key}" must be a ${want} (as in the ${configName} configuration), got a ${got}: ` +
          `${JSON.stringify(overrides[key])}. Allowed keys: ${allowed}.`,
      );
  }
  return { ...fields, ...overrides } as T;
}

/** `typeof`, with null and arrays told apart from objects. */
function typeOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

/** `seed=1, steps=500`: the overrides as one line says them. */
export function describeOverrides(overrides: Record<string, OverrideValue>): string {
  return Object.entries(overrides)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(', ');
}

function checkStep(what: string, name: string, step: number): void {
  if (typeof name !== 'string' || name.length === 0)
    throw new TypeError(`lab.${what}: the name must be a non-empty string.`);
  if (!Number.isInteger(step) || step < 0) {
    throw new TypeError(
      `lab.${what}('${name}'): step must be a whole number ≥ 0, got ${step}. Pass your loop counter.`,
    );
  }
}

/** The one `lab` a training script uses. */
export const lab = new Lab();
