// The run panel's host (src/extension/runPanels.ts) with a stand-in for the `vscode` module: what it posts to the
// webview for a live run, put through the same serialisation VS Code applies to webview messages.
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import Module from 'node:module';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { RunPanels as RunPanelsClass } from '../../src/extension/runPanels';
import type { ExtensionToRunPanel } from '../../src/protocol/panels';
import type { RunDivergence } from '../../src/protocol/runFiles';
import type { RunnerToExtension } from '../../src/protocol/runner';
import { solidPng } from './browser/fixtures';

interface FakeUri {
  readonly fsPath: string;
  toString(): string;
}
const file = (p: string): FakeUri => ({ fsPath: p, toString: () => `file://${p}` });

/** The parts of the `vscode` API the run panel host touches; posted messages are collected. */
function fakeVscode(posted: unknown[], listeners: ((m: unknown) => void)[], commands: unknown[][]): unknown {
  return {
    commands: {
      executeCommand: (...args: unknown[]) => {
        commands.push(args);
        return Promise.resolve(undefined);
      },
    },
    Uri: { file, joinPath: (base: FakeUri, ...parts: string[]) => file(path.join(base.fsPath, ...parts)) },
    ViewColumn: { Active: -1 },
    EventEmitter: class<T> {
      private readonly listeners: ((e: T) => void)[] = [];
      readonly event = (l: (e: T) => void): { dispose(): void } => {
        this.listeners.push(l);
        return { dispose: () => undefined };
      };
      fire(e: T): void {
        for (const l of this.listeners) l(e);
      }
      dispose(): void {
        this.listeners.length = 0;
      }
    },
    // VS Code's Node file system hands back a Buffer, as fs.readFile does.
    workspace: { fs: { readFile: (uri: FakeUri) => readFile(uri.fsPath) } },
    window: {
      registerWebviewPanelSerializer: () => ({ dispose: () => undefined }),
      createWebviewPanel: (_type: string, title: string) => ({
        title,
        webview: {
          options: {},
          html: '',
          cspSource: 'vscode-resource:',
          asWebviewUri: (u: FakeUri) => u,
          postMessage: (m: unknown) => {
            posted.push(vscodeSerialised(m));
            return Promise.resolve(true);
          },
          onDidReceiveMessage: (l: (m: unknown) => void) => {
            listeners.push(l);
            return { dispose: () => undefined };
          },
        },
        onDidDispose: () => ({ dispose: () => undefined }),
        reveal: () => undefined,
        dispose: () => undefined,
      }),
    },
  };
}

/**
 * VS Code's webview message serialisation (extHostWebview's serializeWebviewMessage): typed arrays go across as
 * transferred buffers, everything else as JSON. JSON.stringify calls a value's toJSON before the replacer sees it.
 */
function vscodeSerialised(message: unknown): unknown {
  const buffers: Uint8Array[] = [];
  const json = JSON.stringify(message, (_key, value: unknown) => {
    if (ArrayBuffer.isView(value)) {
      buffers.push(new Uint8Array(value.buffer, value.byteOffset, value.byteLength).slice());
      return { $$vscode_array_buffer_reference$$: buffers.length - 1 };
    }
    return value;
  });
  return JSON.parse(json, (_key, value: unknown) => {
    const ref = (value as { $$vscode_array_buffer_reference$$?: number } | null)?.$$vscode_array_buffer_reference$$;
    return typeof ref === 'number' ? buffers[ref] : value;
  });
}

describe('run panel host: what a live run posts to the webview', function () {
  this.timeout(30_000);
  const posted: unknown[] = [];
  const listeners: ((m: unknown) => void)[] = [];
  const commands: unknown[][] = [];
  const moduleWithLoad = Module as unknown as { _load(request: string, ...rest: unknown[]): unknown };
  const load = moduleWithLoad._load;
  let RunPanels: typeof RunPanelsClass;
  const root = mkdtempSync(path.join(tmpdir(), 'mml-host-'));
  const ref = { exerciseId: 'toy', runId: 'live-1' };
  const runDir = path.join(root, '.multimodal-lab', 'runs', 'toy', 'live-1');

  /** Writes a run folder of exercise toy: meta.json (running unless `meta` says otherwise) and JSONL records. */
  function writeRun(
    runId: string,
    meta: object = {},
    records: { scalars?: object[]; text?: object[]; histograms?: object[] } = {},
  ): string {
    const dir = path.join(root, '.multimodal-lab', 'runs', 'toy', runId);
    mkdirSync(path.join(dir, 'images', 'samples'), { recursive: true });
    const base = { version: 1, exerciseId: 'toy', runId, config: 'cpu', startedAt: new Date().toISOString() };
    writeFileSync(path.join(dir, 'meta.json'), JSON.stringify({ ...base, status: 'running', ...meta }));
    for (const [file, lines] of Object.entries(records)) {
      writeFileSync(
        path.join(dir, `${file}.jsonl`),
        lines.map((r) => `${JSON.stringify({ time: 0, ...r })}\n`).join(''),
      );
    }
    return dir;
  }

  before(() => {
    const vscode = fakeVscode(posted, listeners, commands);
    moduleWithLoad._load = function (request: string, ...rest: unknown[]) {
      return request === 'vscode' ? vscode : load.call(this, request, ...rest);
    };
    // Loaded only now, so its `import * as vscode` gets the stand-in.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    ({ RunPanels } = require('../../src/extension/runPanels') as { RunPanels: typeof RunPanelsClass });
    writeRun('live-1');
  });
  after(() => {
    moduleWithLoad._load = load;
  });

  async function openReadyPanel(which = ref): Promise<InstanceType<typeof RunPanels>> {
    const log = { warn: () => undefined, error: () => undefined, info: () => undefined };
    const context = {
      extensionUri: file('/ext'),
      workspaceState: { get: () => undefined, update: () => Promise.resolve() },
    };
    const panels = new RunPanels(context as never, root, log as never);
    panels.open([which]);
    listeners.at(-1)?.({ type: 'ready' });
    // Until the load is posted (milliseconds), with a deadline no busy machine reaches, rather than a count of polls.
    for (
      const end = Date.now() + 20_000;
      Date.now() < end && !posted.some((m) => (m as { type: string }).type === 'load');
    )
      await new Promise((r) => setTimeout(r, 20));
    return panels;
  }

  it('sends a live image as PNG bytes, the same bytes as the file (not a serialised Buffer)', async () => {
    const panels = await openReadyPanel();
    const png = solidPng(3, 2, [10, 200, 30]);
    writeFileSync(path.join(runDir, 'images', 'samples', '4.png'), png);
    await panels.update({
      kind: 'event',
      ref,
      runDir,
      event: { type: 'image', step: 4, name: 'samples', file: 'images/samples/4.png', width: 3, height: 2 },
    });
    await panels.update({ kind: 'status', ref, live: { status: 'running', step: 4 } }); // flushes what is queued
    const append = posted.find(
      (m): m is Extract<ExtensionToRunPanel, { type: 'append' }> => (m as { type: string }).type === 'append',
    );
    const frame = append?.images?.[0];
    assert.ok(frame, 'an append with the image');
    assert.ok(frame.png instanceof Uint8Array, `PNG bytes, got ${JSON.stringify(frame.png).slice(0, 60)}`);
    assert.deepEqual([...frame.png], [...readFileSync(path.join(runDir, 'images', 'samples', '4.png'))]);
    panels.dispose();
  });

  it('adds the planned steps and the divergence to the status it forwards, so the header can say them', async () => {
    posted.length = 0;
    const panels = await openReadyPanel();
    const divergence: RunDivergence = {
      metric: 'loss',
      value: 'Infinity',
      step: 1,
      lastFinite: { 'wer/B': { step: 0, value: 0.116 } },
    };
    await panels.update({ kind: 'event', ref, runDir, event: { type: 'plan', totalSteps: 100 } });
    await panels.update({ kind: 'status', ref, live: { status: 'running', step: 0, stepsPerSec: 2 } });
    await panels.update({
      kind: 'event',
      ref,
      runDir,
      event: {
        type: 'runEnded',
        status: 'nan',
        reason: 'loss became Infinity at step 1: training diverged.',
        divergence,
      },
    });
    await panels.update({
      kind: 'status',
      ref,
      live: { status: 'nan', reason: 'loss became Infinity at step 1: training diverged.', step: 0 },
    });
    const statuses = posted.filter(
      (m): m is Extract<ExtensionToRunPanel, { type: 'status' }> => (m as { type: string }).type === 'status',
    );
    assert.deepEqual(
      statuses.map((s) => [s.live.status, s.live.totalSteps, s.live.divergence?.value]),
      [
        ['running', 100, undefined],
        ['nan', 100, 'Infinity'],
      ],
    );
    assert.deepEqual(statuses[1].live.divergence, divergence);
    panels.dispose();
  });

  it('replays a diverged run that recorded no divergence (a terminal or older run): worked out from its reason and scalars', async () => {
    posted.length = 0;
    const old = { exerciseId: 'toy', runId: 'terminal-1' };
    writeRun(
      'terminal-1',
      {
        startedAt: '2026-01-01T00:00:00Z',
        status: 'nan',
        reason: 'loss became NaN at step 3: training diverged. Usual causes: …',
      },
      {
        scalars: [
          { step: 1, name: 'loss', value: 1.5 },
          { step: 2, name: 'loss', value: 0.7 },
          { step: 2, name: 'acc', value: 0.5 },
          { step: 2, name: 'runner/step_ms', value: 3 },
          { step: 2, name: 'grad', value: null },
        ],
      },
    );
    const panels = await openReadyPanel(old);
    const loadMessage = posted.find(
      (m): m is Extract<ExtensionToRunPanel, { type: 'load' }> => (m as { type: string }).type === 'load',
    );
    assert.deepEqual(loadMessage?.runs[0].divergence, {
      metric: 'loss',
      value: 'NaN',
      step: 3,
      lastFinite: { loss: { step: 2, value: 0.7 }, acc: { step: 2, value: 0.5 } },
    });
    panels.dispose();
  });

  it('joins the replay and the live stream on the record numbers: what the replay read is not sent twice', async () => {
    posted.length = 0;
    const live = { exerciseId: 'toy', runId: 'live-seq' };
    // On disk when the panel opens: loss at steps 0 and 1 (seq 1, 3), the runner's stats of step 0 (seq 2), text seq 4.
    const dir = writeRun(
      'live-seq',
      {},
      {
        scalars: [
          { seq: 1, step: 0, name: 'loss', value: 2 },
          { seq: 2, step: 0, name: 'runner/step_ms', value: 5 },
          { seq: 3, step: 1, name: 'loss', value: 1 },
        ],
        text: [{ seq: 4, step: 1, name: 'caption', text: 'a cat' }],
      },
    );
    const panels = await openReadyPanel(live);
    const event = (e: RunnerToExtension): Promise<void> =>
      panels.update({ kind: 'event', ref: live, runDir: dir, event: e });
    // Streamed while the replay was being read: the same records again, then new ones.
    await event({ type: 'scalar', seq: 3, step: 1, name: 'loss', value: 1 });
    await event({ type: 'stats', seq: 2, step: 0, stepMs: 5, stepsPerSec: 200, numTensors: 3, numBytes: 12 });
    await event({ type: 'text', seq: 4, step: 1, name: 'caption', text: 'a cat' });
    await event({ type: 'scalar', seq: 6, step: 2, name: 'loss', value: 0.5 });
    await event({ type: 'stats', seq: 5, step: 1, stepMs: 4, stepsPerSec: 250, numTensors: 3, numBytes: 12 });
    // A lower step than the replay's last loss, but a new record (a script may log a series out of step order).
    await event({ type: 'scalar', seq: 7, step: 0, name: 'loss/eval', value: 3 });
    await event({ type: 'text', seq: 8, step: 2, name: 'caption', text: 'a dog' });
    // A second record at the same step (several captions per step): new by its number, though its step is not.
    await event({ type: 'text', seq: 9, step: 2, name: 'caption', text: 'a dog, again' });
    await panels.update({ kind: 'status', ref: live, live: { status: 'running', step: 2 } });
    const load = posted.find(
      (m): m is Extract<ExtensionToRunPanel, { type: 'load' }> => (m as { type: string }).type === 'load',
    );
    assert.deepEqual(
      load?.runs[0].scalars.loss?.map((p) => p.step),
      [0, 1],
    );
    const appends = posted.filter(
      (m): m is Extract<ExtensionToRunPanel, { type: 'append' }> => (m as { type: string }).type === 'append',
    );
    const steps = (name: string): number[] => appends.flatMap((a) => a.scalars?.[name]?.map((p) => p.step) ?? []);
    assert.deepEqual(steps('loss'), [2]);
    assert.deepEqual(steps('runner/step_ms'), [1]);
    assert.deepEqual(steps('loss/eval'), [0]);
    assert.deepEqual(
      appends.flatMap((a) => a.text?.map((t) => t.text) ?? []),
      ['a dog', 'a dog, again'],
    );
    panels.dispose();
  });

  it('replays and streams the insight records, joined on their numbers, a sound as WAV bytes', async () => {
    posted.length = 0;
    const live = { exerciseId: 'toy', runId: 'live-insights' };
    const histogram = (seq: number, step: number) => ({
      seq,
      step,
      name: 'weights',
      min: 0,
      max: 1,
      count: 2,
      counts: [1, 1],
    });
    const dir = writeRun('live-insights', {}, { histograms: [histogram(1, 0)] });
    const wav = Uint8Array.from([82, 73, 70, 70, 1, 2, 3, 4]);
    mkdirSync(path.join(dir, 'audio', 'clip'), { recursive: true });
    writeFileSync(path.join(dir, 'audio', 'clip', '1.wav'), wav);
    const panels = await openReadyPanel(live);
    const event = (e: RunnerToExtension): Promise<void> =>
      panels.update({ kind: 'event', ref: live, runDir: dir, event: e });
    await event({ type: 'histogram', ...histogram(1, 0) }); // read by the replay already
    await event({ type: 'histogram', ...histogram(2, 1) });
    await event({
      type: 'audio',
      seq: 3,
      step: 1,
      name: 'clip',
      file: 'audio/clip/1.wav',
      sampleRate: 8000,
      samples: 2,
    });
    await event({
      type: 'audio',
      seq: 4,
      step: 2,
      name: 'clip',
      file: 'audio/clip/2.wav',
      sampleRate: 8000,
      samples: 2,
    });
    await panels.update({ kind: 'status', ref: live, live: { status: 'running', step: 2 } });
    const load = posted.find(
      (m): m is Extract<ExtensionToRunPanel, { type: 'load' }> => (m as { type: string }).type === 'load',
    );
    assert.deepEqual(
      load?.runs[0].insights?.histograms?.map((h) => h.step),
      [0],
    );
    const appends = posted.filter(
      (m): m is Extract<ExtensionToRunPanel, { type: 'append' }> => (m as { type: string }).type === 'append',
    );
    assert.deepEqual(
      appends.flatMap((a) => a.insights?.histograms?.map((h) => h.step) ?? []),
      [1],
    );
    const clips = appends.flatMap((a) => a.insights?.audio ?? []);
    assert.equal(clips.length, 1, 'the sound whose file is missing is left out (and logged)');
    assert.ok(clips[0].wav instanceof Uint8Array, `WAV bytes, got ${JSON.stringify(clips[0].wav).slice(0, 60)}`);
    assert.deepEqual([...clips[0].wav], [...wav]);
    assert.ok(!('file' in clips[0]) && !('seq' in clips[0]), 'the panel gets the entry, not the record');
    panels.dispose();
  });

  it("runs the Stop and Resume commands for the panel's buttons, with the run they belong to", async () => {
    posted.length = 0;
    commands.length = 0;
    const panels = await openReadyPanel();
    const panel = listeners.at(-1)!;
    panel({ type: 'stop', runId: ref.runId });
    panel({ type: 'resume', runId: ref.runId });
    panel({ type: 'stop', runId: 'not-shown-here' });
    for (const end = Date.now() + 20_000; Date.now() < end && commands.length < 2;)
      await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(commands, [
      ['multimodalLab.stopTraining', 'toy'],
      ['multimodalLab.resumeTraining', ref],
    ]);
    panels.dispose();
  });

  it('opens the panel of a run that starts, beside the editor', async () => {
    const started = { exerciseId: 'toy', runId: 'live-1' };
    const panels = new RunPanels(
      {
        extensionUri: file('/ext'),
        workspaceState: { get: () => undefined, update: () => Promise.resolve() },
      } as never,
      root,
      { warn: () => undefined } as never,
    );
    const opened: unknown[] = [];
    panels.onDidOpen((runs) => opened.push(runs));
    await panels.update({
      kind: 'event',
      ref: started,
      runDir,
      event: { type: 'runStarted', runId: 'live-1', config: 'cpu' },
    });
    assert.deepEqual(opened, [[started]]);
    panels.dispose();
  });
});
