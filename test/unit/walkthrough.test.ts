import * as assert from 'node:assert/strict';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { emptyProgress } from '../../src/core/progress';
import {
  WALKTHROUGH_SIGHTINGS,
  WALKTHROUGH_STEPS,
  gatherWalkthroughFacts,
  walkthroughContextKey,
  walkthroughFacts,
} from '../../src/core/walkthrough';

interface Step {
  id: string;
  title: string;
  description: string;
  completionEvents?: string[];
  media: { markdown?: string };
}
const manifest = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
  contributes: { commands: { command: string }[]; walkthroughs: { id: string; steps: Step[] }[] };
};

async function workspace(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), 'mml-walk-'));
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await writeFile(path.join(root, rel), text);
  }
  return root;
}

describe('walkthrough: the learner loop', () => {
  const loop = manifest.contributes.walkthroughs.find((w) => w.id === 'multimodalLab.welcome');

  it('walks the whole loop in order: trust, start, install, test, hint, quick check, open the run, milestones', () => {
    assert.ok(loop, 'the multimodalLab.welcome walkthrough exists');
    assert.deepEqual(
      loop.steps.map((s) => s.id),
      ['trust', 'startExercise', 'installDependencies', 'runTests', 'readHint', 'quickCheck', 'openRun', 'milestones'],
    );
  });

  it('gives every step a command button and a completion event, and every button names a contributed command', () => {
    const commands = new Set(manifest.contributes.commands.map((c) => c.command));
    for (const step of loop!.steps) {
      const buttons = [...step.description.matchAll(/\]\(command:([\w.]+)/g)].map((m) => m[1]);
      assert.ok(buttons.length > 0, `${step.id} has a command button`);
      for (const b of buttons)
        assert.ok(commands.has(b) || b.startsWith('workbench.'), `${step.id}: ${b} is a contributed command`);
      assert.ok((step.completionEvents ?? []).length > 0, `${step.id} has a completion event`);
    }
  });

  it('completes the evidence steps on the context keys the extension sets, and no other keys', () => {
    const keys = loop!.steps
      .flatMap((s) => s.completionEvents ?? [])
      .filter((e) => e.startsWith('onContext:multimodalLab.'))
      .map((e) => e.slice('onContext:'.length));
    // The trust key is set from workspace.isTrusted (src/extension/walkthrough.ts), the sightings when their panel
    // opens, the others from evidence on disk.
    assert.deepEqual(
      [...keys].sort(),
      [
        ...WALKTHROUGH_STEPS.map(walkthroughContextKey),
        ...WALKTHROUGH_SIGHTINGS.map(walkthroughContextKey),
        'multimodalLab.walkthrough.trusted',
      ].sort(),
    );
  });

  it('completes opening a run and seeing the milestones when their panel opens, not only on the command (a tree row runs it under an internal id)', () => {
    const events = (id: string): string[] => loop!.steps.find((s) => s.id === id)?.completionEvents ?? [];
    assert.ok(events('openRun').includes('onContext:multimodalLab.walkthrough.runOpened'));
    assert.ok(events('milestones').includes('onContext:multimodalLab.walkthrough.milestonesSeen'));
  });

  it('has a markdown page for every step', () => {
    for (const step of loop!.steps) {
      assert.ok(step.media.markdown, `${step.id} has markdown media`);
      assert.ok(
        readFileSync(path.join(__dirname, '..', '..', step.media.markdown), 'utf8').length > 100,
        `${step.media.markdown} has content`,
      );
    }
  });
});

describe('walkthrough: evidence', () => {
  it('a fresh workspace has done nothing', () => {
    const facts = walkthroughFacts({
      progress: emptyProgress(),
      scaffolded: [],
      dependenciesInstalled: false,
      runs: [],
    });
    assert.deepEqual(facts, {
      exerciseStarted: false,
      dependenciesInstalled: false,
      testsRun: false,
      hintRead: false,
      quickCheckTrained: false,
    });
  });

  it('ticks each step from its own evidence only', () => {
    const base = {
      progress: emptyProgress(),
      scaffolded: [] as string[],
      dependenciesInstalled: false,
      runs: [] as object[],
    };
    assert.equal(walkthroughFacts({ ...base, scaffolded: ['clip'] }).exerciseStarted, true);
    const tested = { ...emptyProgress(), exercises: { clip: { tests: { passed: 0, total: 22, at: 'x' } } } };
    assert.deepEqual(
      Object.entries(walkthroughFacts({ ...base, progress: tested }))
        .filter(([, v]) => v)
        .map(([k]) => k),
      ['testsRun'],
    );
    const hinted = { ...emptyProgress(), exercises: { clip: { hintsRevealed: 1 } } };
    assert.equal(walkthroughFacts({ ...base, progress: hinted }).hintRead, true);
    const hintedPerTodo = {
      ...emptyProgress(),
      exercises: { clip: { hintsRevealed: { 3: 0, 5: 2 } as unknown as number } },
    };
    assert.equal(walkthroughFacts({ ...base, progress: hintedPerTodo }).hintRead, true);
    const noneRevealed = { ...emptyProgress(), exercises: { clip: { hintsRevealed: 0 } } };
    assert.equal(walkthroughFacts({ ...base, progress: noneRevealed }).hintRead, false);
  });

  it('counts a quick check once a smoke run has ended, not while it runs and not for a full run', () => {
    const base = { progress: emptyProgress(), scaffolded: [], dependenciesInstalled: true };
    assert.equal(
      walkthroughFacts({ ...base, runs: [{ config: 'smoke', status: 'running' }] }).quickCheckTrained,
      false,
    );
    assert.equal(walkthroughFacts({ ...base, runs: [{ config: 'cpu', status: 'finished' }] }).quickCheckTrained, false);
    assert.equal(walkthroughFacts({ ...base, runs: [{ config: 'smoke', status: 'nan' }] }).quickCheckTrained, true);
  });

  it('reads the evidence from a workspace on disk, ignoring an unreadable meta.json', async () => {
    const empty = await workspace({ 'README.md': '# x' });
    assert.deepEqual(Object.values(await gatherWalkthroughFacts(empty, emptyProgress())), [
      false,
      false,
      false,
      false,
      false,
    ]);
    const busy = await workspace({
      'exercises/clip/train.ts': '',
      'node_modules/@tensorflow/tfjs-core/package.json': '{}',
      '.multimodal-lab/runs/clip/r1/meta.json': JSON.stringify({ config: 'smoke', status: 'finished' }),
      '.multimodal-lab/runs/clip/r2/meta.json': '{"config": "smo',
    });
    const facts = await gatherWalkthroughFacts(busy, emptyProgress());
    assert.deepEqual([facts.exerciseStarted, facts.dependenciesInstalled, facts.quickCheckTrained], [true, true, true]);
  });
});
