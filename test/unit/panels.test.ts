import * as assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { makeNonce, panelHtml } from '../../src/core/panelHtml';
import { deleteRun, renameRun } from '../../src/core/runs';
import { groupScalars, loadRunSnapshot } from '../../src/core/runSnapshot';
import { runDir } from '../../src/core/runStore';
import { isExtensionToRunPanel, isMilestonePanelMessage, isRunPanelMessage } from '../../src/protocol/panels';

describe('panel HTML', () => {
  const page = {
    cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
    nonce: makeNonce(),
    title: 'Run <toy>',
    script: 'vscode-webview://x/dist/webview/run.js',
    styles: ['vscode-webview://x/media/panels/run.css'],
  };

  it('has a strict CSP: nothing by default, scripts only with the nonce, no remote origins', () => {
    const html = panelHtml(page);
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1] ?? '';
    assert.equal(
      csp,
      `default-src 'none'; img-src ${page.cspSource} blob: data:; style-src ${page.cspSource}; font-src ${page.cspSource}; media-src blob:; script-src 'nonce-${page.nonce}'`,
    );
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
    assert.match(
      html,
      new RegExp(
        `<script nonce="${page.nonce.replace(/[+/=]/g, '\\$&')}" src="vscode-webview://x/dist/webview/run.js"></script>`,
      ),
    );
    assert.equal((html.match(/<script/g) ?? []).length, 1, 'one script, the nonced one');
    assert.doesNotMatch(html, /style="/);
  });

  it('escapes the title and refuses a weak nonce', () => {
    assert.match(panelHtml(page), /<title>Run &lt;toy&gt;<\/title>/);
    assert.throws(() => panelHtml({ ...page, nonce: 'abc' }), /nonce must be base64/);
  });

  it('makes a different 128-bit nonce each time', () => {
    const a = makeNonce();
    assert.notEqual(a, makeNonce());
    assert.equal(Buffer.from(a, 'base64').length, 16);
  });
});

describe('panel message guards', () => {
  it('accepts only the run panel messages the host handles', () => {
    assert.ok(isRunPanelMessage({ type: 'ready' }));
    assert.ok(isRunPanelMessage({ type: 'stop', runId: 'r1' }));
    assert.ok(isRunPanelMessage({ type: 'error', message: 'boom' }));
    for (const bad of [
      null,
      'ready',
      { type: 'stop' },
      { type: 'stop', runId: '' },
      { type: 'delete', runId: 'r1' },
      { type: 'resume', runId: 7 },
    ]) {
      assert.equal(isRunPanelMessage(bad), false, JSON.stringify(bad));
    }
  });

  it('accepts milestone links of the two kinds only', () => {
    assert.ok(isMilestonePanelMessage({ type: 'open', link: { kind: 'run', exerciseId: 'ddpm', runId: 'r' } }));
    assert.ok(isMilestonePanelMessage({ type: 'open', link: { kind: 'tests', exerciseId: 'clip' } }));
    assert.equal(isMilestonePanelMessage({ type: 'open', link: { kind: 'file', path: '/etc/passwd' } }), false);
    assert.equal(isMilestonePanelMessage({ type: 'open', link: { kind: 'run', exerciseId: 'ddpm' } }), false);
  });

  it('in the webview, rejects a load from another protocol version', () => {
    assert.ok(isExtensionToRunPanel({ type: 'load', protocol: 1, runs: [] }));
    assert.equal(isExtensionToRunPanel({ type: 'load', protocol: 2, runs: [] }), false);
  });
});

describe('run snapshots for the panels', () => {
  it('groups scalars by name in step order and turns NaN into null', () => {
    const g = groupScalars([
      { step: 2, name: 'loss', value: 1, time: 2 },
      { step: 1, name: 'loss', value: 2, time: 1 },
      { step: 1, name: 'acc/seen', value: Number.NaN, time: 1 },
    ]);
    assert.deepEqual(g, {
      loss: [
        { step: 1, value: 2, time: 1 },
        { step: 2, value: 1, time: 2 },
      ],
      'acc/seen': [{ step: 1, value: null, time: 1 }],
    });
  });

  it('reads a run with its PNG bytes and the notices of what could not be read', async () => {
    const ws = await mkdtemp(path.join(tmpdir(), 'mml-snap-'));
    const dir = runDir(ws, 'toy', 'r1');
    await mkdir(path.join(dir, 'images', 'samples'), { recursive: true });
    await writeFile(
      path.join(dir, 'meta.json'),
      JSON.stringify({
        version: 1,
        runId: 'r1',
        exerciseId: 'toy',
        status: 'finished',
        startedAt: 'x',
        config: 'cpu',
        name: 'baseline',
      }),
    );
    await writeFile(path.join(dir, 'scalars.jsonl'), '{"step":1,"name":"loss","value":2,"time":1}\n{"step":2,"na');
    await writeFile(
      path.join(dir, 'images.jsonl'),
      '{"step":1,"name":"samples","file":"images/samples/1.png","width":2,"height":1,"time":1}\n{"step":2,"name":"samples","file":"images/samples/2.png","width":2,"height":1,"time":2}\n',
    );
    await writeFile(path.join(dir, 'images', 'samples', '1.png'), Buffer.from([137, 80, 78, 71]));
    const snap = await loadRunSnapshot(ws, 'toy', 'r1');
    assert.equal(snap.label, 'baseline');
    assert.deepEqual(snap.scalars, { loss: [{ step: 1, value: 2, time: 1 }] });
    assert.deepEqual(
      snap.images.map((i) => [i.step, [...i.png]]),
      [[1, [137, 80, 78, 71]]],
    );
    assert.deepEqual(snap.notices, [
      'scalars.jsonl: the last line (2) was cut off mid-write, probably by a killed process; it was skipped',
      'images: 1 logged image(s) are missing from disk and are not shown',
    ]);
  });

  it('refuses run ids that would leave the runs folder', () => {
    assert.throws(() => runDir('/ws', 'toy', '../../etc'), /Not a run id/);
    assert.throws(() => runDir('/ws', '..', 'r1'), /Not a run id/);
  });
});

describe('run management', () => {
  it('renames a run in its meta.json, keeping everything else', async () => {
    const ws = await mkdtemp(path.join(tmpdir(), 'mml-runs-'));
    const dir = runDir(ws, 'toy', 'r1');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'meta.json'), JSON.stringify({ runId: 'r1', status: 'finished', config: 'cpu' }));
    await renameRun(dir, '  with guidance w=3 ');
    assert.deepEqual(JSON.parse(await readFile(path.join(dir, 'meta.json'), 'utf8')), {
      runId: 'r1',
      status: 'finished',
      config: 'cpu',
      name: 'with guidance w=3',
    });
    await assert.rejects(renameRun(dir, '   '), /cannot be empty/);
  });

  it('deletes a run folder, and refuses anything else', async () => {
    const ws = await mkdtemp(path.join(tmpdir(), 'mml-runs-'));
    const dir = runDir(ws, 'toy', 'r1');
    await mkdir(dir, { recursive: true });
    await assert.rejects(deleteRun(ws, path.join(ws, '.multimodal-lab', 'runs', 'toy')), /not a run folder/);
    await assert.rejects(deleteRun(ws, ws), /not a run folder/);
    await deleteRun(ws, dir);
    await assert.rejects(stat(dir), /ENOENT/);
    await stat(path.join(ws, '.multimodal-lab', 'runs', 'toy'));
  });
});
