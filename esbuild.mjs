// Bundles the extension host code, the runner child process and one browser bundle per webview.
// Type checking is separate (`npm run typecheck`), as in vscode-extension-samples/esbuild-sample.
import * as esbuild from 'esbuild';
import { readdirSync, existsSync } from 'node:fs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const nodeCommon = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  // jsonc-parser's UMD `main` hides its requires from the bundler; its ESM build bundles cleanly.
  mainFields: ['module', 'main'],
};

/** One browser bundle per `webview/src/<panel>/main.ts`. */
const webviewEntries = existsSync('webview/src')
  ? readdirSync('webview/src', { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(`webview/src/${d.name}/main.ts`))
      .map((d) => ({ in: `webview/src/${d.name}/main.ts`, out: d.name }))
  : [];

const builds = [
  { ...nodeCommon, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
];
if (existsSync('src/runner/main.ts')) {
  builds.push({
    ...nodeCommon,
    entryPoints: ['src/runner/main.ts'],
    outfile: 'dist/runner.js',
    logOverride: { 'require-resolve-not-external': 'silent' },
  });
}
if (webviewEntries.length > 0) {
  builds.push({
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    sourcemap: !production,
    minify: production,
    logLevel: 'warning',
    entryPoints: webviewEntries,
    outdir: 'dist/webview',
  });
}
if (!production && existsSync('test/vscode/suite.ts')) {
  // The vscode-API suite runs inside an extension host (test-electron contract); mocha is bundled in.
  builds.push({
    ...nodeCommon,
    entryPoints: ['test/vscode/suite.ts'],
    outfile: 'out/test/suite.js',
    external: ['vscode'],
    // mocha's parallel mode (unused here) require.resolve()s files that a bundle cannot hold.
    logOverride: { 'require-resolve-not-external': 'silent' },
  });
}

if (watch) {
  for (const b of builds) (await esbuild.context(b)).watch();
  console.log('[esbuild] watching…');
} else {
  const started = Date.now();
  await Promise.all(builds.map((b) => esbuild.build(b)));
  console.log(`[esbuild] ${builds.length} bundle(s) in ${Date.now() - started} ms${production ? ' (production)' : ''}`);
}
