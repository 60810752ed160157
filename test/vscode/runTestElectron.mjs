// Runs the real-`vscode`-API suite (test/vscode/suite.ts → out/test/suite.js) in desktop VS Code through
// @vscode/test-electron, for machines with internet access (it downloads VS Code into .vscode-test/).
// Offline machines run the same suite in code-server: `npm run test:e2e` (scripts/e2e.mjs, mode e2e-api).
// Usage: npm run build && node test/vscode/runTestElectron.mjs   (VSCODE_VERSION=1.100.3 to pin a version)
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTests } from '@vscode/test-electron';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const suite = join(repoRoot, 'out', 'test', 'suite.js');
if (!existsSync(suite) || !existsSync(join(repoRoot, 'dist', 'extension.js'))) {
  console.error('out/test/suite.js or dist/extension.js is missing: run `npm run build` first.');
  process.exit(1);
}

// The suite writes notes and progress into the workspace, so give it a fresh copy of sample-workspace/.
const sandbox = mkdtempSync(join(tmpdir(), 'multimodal-lab-electron-'));
const workspace = join(sandbox, 'workspace');
cpSync(join(repoRoot, 'sample-workspace'), workspace, {
  recursive: true,
  filter: (src) => !['.multimodal-lab', 'notes'].includes(basename(src)),
});

try {
  await runTests({
    version: process.env.VSCODE_VERSION ?? 'stable',
    extensionDevelopmentPath: repoRoot,
    extensionTestsPath: suite,
    launchArgs: [
      workspace,
      '--disable-extensions',
      '--disable-workspace-trust',
      '--user-data-dir',
      join(sandbox, 'user-data'),
    ],
  });
  rmSync(sandbox, { recursive: true, force: true });
} catch (error) {
  console.error(
    `vscode-API tests failed: ${error instanceof Error ? error.message : error} (workspace kept in ${sandbox})`,
  );
  process.exitCode = 1;
}
