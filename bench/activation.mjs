// Activation benchmark: loads dist/extension.js under a minimal stand-in for the `vscode` module, then times
// (1) loading the bundle, (2) activate(), and (3) the first full render of the Curriculum tree (course + progress
// read, every item built). Each sample is a fresh Node process, so the numbers are cold starts.
// The real-editor figure comes from the e2e API suite (the extension's exported activationMs in code-server).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const samples = Number(process.env.SAMPLES ?? 15);

const child = String.raw`
const Module = require('module');
const path = require('path');
const { performance } = require('perf_hooks');
const root = process.argv[1], ws = process.argv[2];
const anything = () => new Proxy(function () {}, { get: (t, k) => (k === 'then' ? undefined : k === 'dispose' ? () => {} : anything()), set: () => true, apply: () => anything() });
class EventEmitter { constructor() { this.l = []; this.event = (f) => { this.l.push(f); return { dispose() {} }; }; } fire(x) { this.l.forEach((f) => f(x)); } dispose() {} }
class TreeItem { constructor(label, c) { this.label = label; this.collapsibleState = c; } }
const uri = (p) => ({ fsPath: p, path: p, toString: () => 'file://' + p });
let provider;
const vscode = new Proxy({
  EventEmitter, TreeItem, TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 }, TreeItemCheckboxState: { Unchecked: 0, Checked: 1 },
  ThemeIcon: class { constructor(id) { this.id = id; } }, ThemeColor: class {}, MarkdownString: class { constructor(v = '') { this.value = v; } appendMarkdown(s) { this.value += s; return this; } },
  languages: anything(), commands: anything(), env: anything(), tests: anything(), DiagnosticSeverity: { Error: 0 },
  StatusBarAlignment: { Left: 1, Right: 2 }, TestRunProfileKind: { Run: 1, Debug: 2, Coverage: 3 }, ProgressLocation: { Notification: 15 },
  RelativePattern: class {}, ExtensionMode: { Production: 1, Development: 2, Test: 3 },
  Uri: { joinPath: (u, ...p) => uri(path.join(u.fsPath, ...p)), file: uri, from: (c) => uri(c.path) },
  workspace: new Proxy({ workspaceFolders: [{ uri: uri(ws) }], isTrusted: true, getConfiguration: () => ({ get: (k, d) => d }) }, { get: (t, k) => (k in t ? t[k] : anything()) }),
  window: new Proxy({ createTreeView: (id, o) => { provider = o.treeDataProvider; return anything(); } }, { get: (t, k) => (k in t ? t[k] : anything()) }),
}, { get: (t, k) => (k in t ? t[k] : anything()) });
const load = Module._load;
Module._load = function (req, ...rest) { return req === 'vscode' ? vscode : load.call(this, req, ...rest); };
(async () => {
  const t0 = performance.now();
  const ext = require(path.join(root, 'dist/extension.js'));
  const t1 = performance.now();
  const context = { subscriptions: [], extensionUri: uri(root), extensionMode: 1 };
  ext.activate(context);
  const t2 = performance.now();
  let items = 0;
  const walk = async (node) => { for (const c of await provider.getChildren(node)) { await provider.getTreeItem(c); items++; await walk(c); } };
  await walk(undefined);
  const t3 = performance.now();
  process.stdout.write(JSON.stringify({ load: t1 - t0, activate: t2 - t1, firstTree: t3 - t2, items }));
})();
`;

const ws = mkdtempSync(path.join(tmpdir(), 'mml-bench-'));
const runs = [];
for (let i = 0; i < samples; i++) {
  const r = spawnSync(process.execPath, ['-e', child, root, ws], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  runs.push(JSON.parse(r.stdout));
}
// Baseline in the same run: a fresh Node process requiring an empty module, so machine noise shows in both.
const empty = path.join(ws, 'empty.js');
writeFileSync(empty, 'module.exports = {};');
const base = [];
for (let i = 0; i < samples; i++) {
  const r = spawnSync(
    process.execPath,
    [
      '-e',
      `const {performance}=require('perf_hooks');const t=performance.now();require(${JSON.stringify(empty)});process.stdout.write(String(performance.now()-t))`,
    ],
    { encoding: 'utf8' },
  );
  base.push(Number(r.stdout));
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const m = (k) => median(runs.map((r) => r[k]));
const result = {
  samples,
  items: runs[0].items,
  medianMs: {
    loadBundle: m('load'),
    activate: m('activate'),
    firstTreeRender: m('firstTree'),
    emptyModuleBaseline: median(base),
  },
};
console.log(JSON.stringify(result, null, 2));
console.log(
  `activate(): ${result.medianMs.activate.toFixed(2)} ms; bundle load ${result.medianMs.loadBundle.toFixed(2)} ms ` +
    `(${(result.medianMs.loadBundle / result.medianMs.emptyModuleBaseline).toFixed(1)}× an empty module); ` +
    `first tree render (${result.items} items) ${result.medianMs.firstTreeRender.toFixed(2)} ms`,
);
