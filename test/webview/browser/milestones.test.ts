/// <reference lib="dom" />
import * as assert from 'node:assert/strict';
import { panelSuite, postToPanel } from './harness';

describe('webview (chromium): milestone panel', function () {
  this.timeout(30_000);
  const panels = panelSuite(['milestones']);

  it('shows each milestone with its evidence (✓/○), what is missing, and links that post open', async () => {
    const { page, problems } = await panels.open('milestones');
    await postToPanel(page, {
      type: 'milestones',
      protocol: 1,
      items: [
        {
          id: 'clip',
          title: 'CLIP from scratch',
          met: true,
          evidence: [{ label: 'clip tests pass', met: true, link: { kind: 'tests', exerciseId: 'clip' } }],
        },
        {
          id: 'ddpm',
          title: 'A diffusion model',
          met: false,
          evidence: [
            { label: 'ddpm tests pass', met: true, link: { kind: 'tests', exerciseId: 'ddpm' } },
            { label: 'FID proxy ≤ 40', met: false, link: { kind: 'run', exerciseId: 'ddpm', runId: 'r7' } },
          ],
        },
      ],
    });
    await page.waitForSelector('.milestone');
    assert.equal(await page.$eval('h1', (h) => h.textContent), 'Milestones · 1 of 2 reached');
    assert.deepEqual(
      await page.$$eval('.milestone[data-id="ddpm"] .evidence .mark', (m) => m.map((x) => x.textContent)),
      ['✓', '○'],
    );
    assert.equal(
      await page.$eval('.milestone[data-id="ddpm"] .missing', (p) => p.textContent),
      'Still missing: FID proxy ≤ 40.',
    );
    assert.equal(await page.$$eval('.milestone[data-id="clip"] .missing', (p) => p.length), 0);
    await page.click('.milestone[data-id="ddpm"] .evidence li:nth-child(2) button');
    const posted = await page.evaluate(() => (window as unknown as { __posted: unknown[] }).__posted);
    assert.deepEqual(posted, [
      { type: 'ready' },
      { type: 'open', link: { kind: 'run', exerciseId: 'ddpm', runId: 'r7' } },
    ]);
    assert.deepEqual(problems, []);
    await page.close();
  });
});
