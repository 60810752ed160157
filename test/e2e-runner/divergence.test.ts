/// <reference lib="dom" />
// Issue 19, defect 7: a diverged run's ending contradicted itself (a NaN badge beside an Infinity text, "Step 0",
// no curve, "No summary yet"). In a real VS Code (code-server), train the fixture exercise "Watch a run", make it
// diverge once the run panel shows it live, and check that the panel says the same as meta.json and scalars.jsonl:
// which value went non-finite at which step, and the last finite values before it.
import * as assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunMeta } from '../../src/protocol/runFiles';
import { formatValue } from '../../webview/src/run/format';
import { e2eEnvironment, eventually, screenshot, workbenchSuite } from '../e2e/workbench';
import { ensureExerciseStarted, runCommand, trainFromTree, visibleWebview } from './helpers';

const ROW = '2. Watch a run';

describe('A diverged run in the run panel (code-server)', function () {
  this.timeout(240_000);
  const env = e2eEnvironment();
  const wb = workbenchSuite(env, 'divergence', {
    // The specs after this one expect no panel of this run in front.
    closing: async (page) => {
      if (page) await runCommand(page, 'View: Close All Editors').catch(() => undefined);
    },
  });

  it('shows which value went non-finite at which step, the step reached, the loss chart and the last finite values', async () => {
    await ensureExerciseStarted(wb.page, ROW, join(env.workspace, 'exercises', 'watch'));
    const runDir = await trainFromTree(wb.page, ROW, join(env.workspace, '.multimodal-lab', 'runs', 'watch'));
    const view = visibleWebview(wb.page);
    await view.locator('.run-header[data-status="running"]').first().waitFor({ timeout: 60_000 });
    await view.locator('.chart-group[data-group="loss"] canvas').first().waitFor({ timeout: 30_000 });
    // The fixture's train.ts sets a learning rate of 1e6 once this file exists: the loss overflows a few steps later.
    writeFileSync(join(runDir, 'diverge-now'), '');
    const meta = await eventually(
      'meta.json to record the divergence',
      async () => {
        const m = JSON.parse(readFileSync(join(runDir, 'meta.json'), 'utf8')) as RunMeta;
        return m.status === 'nan' ? m : undefined;
      },
      60_000,
    );
    const d = meta.divergence;
    assert.ok(d, 'meta.json records how the run diverged');
    assert.equal(d.metric, 'loss');
    assert.ok(['NaN', 'Infinity', '-Infinity'].includes(d.value), d.value);
    const said = `loss became ${d.value} at step ${d.step}`;

    // The records on disk agree with the divergence record: the last finite loss is the last loss line.
    const losses = readFileSync(join(runDir, 'scalars.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { step: number; name: string; value: number | null })
      .filter((r) => r.name === 'loss');
    const lastLoss = losses[losses.length - 1];
    assert.deepEqual(d.lastFinite.loss, { step: lastLoss.step, value: lastLoss.value });
    assert.equal(d.step, lastLoss.step + 1);

    await eventually(
      'the panel to show the divergence',
      async () => /^Diverged/.test((await view.locator('.run-header .status').first().textContent()) ?? ''),
      30_000,
    );
    assert.equal(
      await view.locator('.run-header .status').first().textContent(),
      `Diverged: ${said}`,
      'the badge names the exact value',
    );
    const reason = (await view.locator('.run-header .reason').first().textContent()) ?? '';
    assert.ok(reason.startsWith(`${said}: training diverged.`), `the text says the same: ${reason}`);
    assert.match(
      reason,
      new RegExp(`The loss chart shows its values up to step ${lastLoss.step} \\(last finite value `),
    );
    const facts = await view
      .locator('.run-header .facts')
      .first()
      .evaluate((dl) => Array.from(dl.children).map((c) => c.textContent));
    assert.equal(facts[facts.indexOf('Step') + 1], String(d.step), 'the header shows the step the run reached');
    // The chart redraws on the next animation frame after the ending's status; on a loaded 2-core machine that
    // frame can come seconds late (a CI run once read an empty note after 10 s), so the wait is as long as the badge's.
    const note = new RegExp(
      `${said} \\(dashed line\\): last finite value ${formatValue(lastLoss.value).replace('+', '\\+')} at step ${lastLoss.step}`,
    );
    const chartNote = async (): Promise<string> =>
      (await view.locator('.chart-group[data-group="loss"] .chart-note').textContent()) ?? '';
    await eventually('the loss chart to mark the divergence', async () => note.test(await chartNote()), 30_000).catch(
      () => undefined,
    );
    assert.match(await chartNote(), note);
    assert.equal(
      (await view.locator('.chart-group[data-group="loss"] canvas').count()) > 0,
      true,
      'the loss chart is drawn',
    );
    const rows = await view
      .locator('.last-finite tbody tr')
      .evaluateAll((trs) => trs.map((tr) => Array.from(tr.children).map((c) => c.textContent)));
    assert.deepEqual(
      rows,
      Object.entries(d.lastFinite)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([m, v]) => [m, formatValue(v.value), String(v.step)]),
    );
    const summary = (await view.locator('.summary').textContent()) ?? '';
    assert.doesNotMatch(summary, /No summary yet/);
    assert.match(summary, new RegExp(`No summary: the run diverged \\(${said}\\)`));
    await screenshot(wb.page, env.screenshotDir, 'divergence-01-panel');
    await view.locator('.last-finite').scrollIntoViewIfNeeded();
    await screenshot(wb.page, env.screenshotDir, 'divergence-02-last-finite-values');
  });
});
