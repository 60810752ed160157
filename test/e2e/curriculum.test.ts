// A learner's first session with Multimodal Lab, in a real VS Code (code-server) driven through Chromium:
// open the workspace, find the curriculum, tick a reading, reload, and take notes.
// Started by scripts/e2e.mjs, which provides a running code-server and a fresh copy of sample-workspace/.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  activeEditorText,
  activityBarIcon,
  childNames,
  collapse,
  e2eEnvironment,
  eventually,
  expand,
  rowText,
  screenshot,
  showMultimodalLab,
  treeRow,
  workbenchSuite,
  waitForWorkbench,
} from './workbench';

interface CourseReading {
  readonly id: string;
  readonly title: string;
  readonly questions: readonly string[];
}
interface CourseFile {
  readonly readings: readonly CourseReading[];
  readonly exercises: readonly unknown[];
  readonly milestones: readonly unknown[];
}

const course = JSON.parse(readFileSync(join(__dirname, '..', '..', 'templates', 'course.json'), 'utf8')) as CourseFile;
const clip = course.readings.find((r) => r.id === 'clip');
const groups = [
  { label: 'Reading path', count: 12 },
  { label: 'Exercises', count: course.exercises.length },
  { label: 'Milestones', count: course.milestones.length },
];

describe('Multimodal Lab in code-server (UI)', function () {
  this.timeout(120_000);
  const env = e2eEnvironment();
  before(() => {
    assert.ok(clip, 'templates/course.json has a reading with id "clip"');
  });
  // A blank page: the first test opens the workspace and waits for the workbench itself.
  const wb = workbenchSuite(env, 'ui', { open: false });

  it('opens the sample workspace', async () => {
    await wb.page.goto(env.folderUrl);
    await waitForWorkbench(wb.page);
    await eventually(
      'the explorer to show README.md',
      async () =>
        wb.page
          .locator('.part.sidebar')
          .getByRole('treeitem', { name: /README\.md/ })
          .first()
          .isVisible(),
      45_000,
    );
    await activityBarIcon(wb.page).waitFor({ timeout: 30_000 });
    await screenshot(wb.page, env.screenshotDir, '01-workspace');
  });

  it('shows the Curriculum tree from the activity-bar icon', async () => {
    await showMultimodalLab(wb.page);
    for (const group of groups) {
      await treeRow(wb.page, group.label).waitFor({ timeout: 15_000 });
    }
    assert.match(await rowText(treeRow(wb.page, 'Reading path')), /0\/12/);
    await screenshot(wb.page, env.screenshotDir, '02-curriculum');
  });

  it(`lists 12 readings, ${course.exercises.length} exercises and ${course.milestones.length} milestones`, async () => {
    // The tree only renders rows in view, so count one expanded group at a time.
    for (const group of groups) {
      for (const other of groups) {
        if (other !== group) await collapse(treeRow(wb.page, other.label));
      }
      await expand(treeRow(wb.page, group.label));
      const names = await eventually(`${group.count} children under "${group.label}"`, async () => {
        const seen = await childNames(wb.page, group.label);
        return seen.length === group.count ? seen : undefined;
      });
      assert.equal(names.length, group.count, `${group.label}: ${names.join(' | ')}`);
      if (group.label === 'Reading path') {
        assert.ok(
          names.some((n) => n.startsWith('CLIP')),
          `a reading titled CLIP… among ${names.join(' | ')}`,
        );
      }
      await screenshot(wb.page, env.screenshotDir, `03-${group.label.toLowerCase().replace(/\s+/g, '-')}`);
    }
    for (const group of groups) await expand(treeRow(wb.page, group.label));
  });

  it('ticking a reading moves the Reading path count from 0/12 to 1/12', async () => {
    const header = treeRow(wb.page, 'Reading path');
    assert.match(await rowText(header), /0\/12/);
    const checkbox = treeRow(wb.page, 'CLIP').getByRole('checkbox');
    assert.equal(await checkbox.getAttribute('aria-checked'), 'false');
    await checkbox.click();
    await eventually('"Reading path" to show 1/12', async () => /1\/12/.test(await rowText(header)));
    assert.equal(await checkbox.getAttribute('aria-checked'), 'true');
    await screenshot(wb.page, env.screenshotDir, '04-ticked');
  });

  it('keeps the tick after a window reload and records it in progress.json', async () => {
    const progressFile = join(env.workspace, '.multimodal-lab', 'progress.json');
    const progress = await eventually('.multimodal-lab/progress.json to record clip', async () => {
      if (!existsSync(progressFile)) return undefined;
      const json = JSON.parse(readFileSync(progressFile, 'utf8')) as { readings?: Record<string, { readAt?: string }> };
      return json.readings?.clip?.readAt ? json : undefined;
    });
    assert.ok(!Number.isNaN(Date.parse(progress.readings?.clip?.readAt ?? '')), 'readAt is an ISO date');

    await wb.page.reload();
    await waitForWorkbench(wb.page);
    await showMultimodalLab(wb.page);
    const header = treeRow(wb.page, 'Reading path');
    await expand(header);
    await eventually(
      '"Reading path" to show 1/12 after reload',
      async () => /1\/12/.test(await rowText(header)),
      30_000,
    );
    assert.equal(await treeRow(wb.page, 'CLIP').getByRole('checkbox').getAttribute('aria-checked'), 'true');
    await screenshot(wb.page, env.screenshotDir, '05-after-reload');
  });

  it('Open Notes on a reading opens notes/clip.md with its guiding questions', async () => {
    await treeRow(wb.page, 'CLIP').click({ button: 'right' });
    const item = wb.page
      .locator('.context-view .monaco-menu')
      .getByRole('menuitem', { name: /^Open (Reading )?Notes$/ });
    await item.waitFor({ timeout: 10_000 });
    await screenshot(wb.page, env.screenshotDir, '06-context-menu');
    await item.click();

    const tab = wb.page.locator('.tabs-container .tab[aria-label^="clip.md"]');
    await tab.first().waitFor({ timeout: 15_000 });
    const questions = clip?.questions ?? [];
    assert.ok(questions.length > 0, 'the CLIP reading has guiding questions');
    const firstQuestionStart = questions[0].slice(0, 30);
    await eventually('the notes editor to show the first guiding question', async () =>
      (await activeEditorText(wb.page)).includes(firstQuestionStart),
    );

    const notes = readFileSync(join(env.workspace, 'notes', 'clip.md'), 'utf8');
    for (const question of questions) assert.ok(notes.includes(question), `notes/clip.md contains "${question}"`);
    assert.ok(notes.includes(clip?.title ?? '\0'), 'notes/clip.md names the reading');
    await wb.page.mouse.move(900, 700); // no hover tooltip over the tree in the screenshot
    await screenshot(wb.page, env.screenshotDir, '07-notes');
  });

  it('clicking a reading opens its details: why read it, the guiding questions, the exercises that use it', async () => {
    const flamingo = course.readings.find((r) => r.id === 'flamingo');
    assert.ok(flamingo, 'templates/course.json has a reading with id "flamingo"');
    await treeRow(wb.page, 'Flamingo').click();
    const preview = wb.page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
    await eventually(
      'the details preview to show the first guiding question',
      async () =>
        (
          (await preview
            .locator('body')
            .textContent({ timeout: 2_000 })
            .catch(() => '')) ?? ''
        ).includes(flamingo.questions[0].slice(0, 40)),
      30_000,
    );
    const text = (await preview.locator('body').textContent()) ?? '';
    assert.match(text, /Why read it\./);
    assert.match(text, /Exercise 6: Flamingo cross-attention vs LLaVA projection/);
    await screenshot(wb.page, env.screenshotDir, '08-reading-details');
  });
});
