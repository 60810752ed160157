// Entry point of the real-`vscode`-API suite (the test-electron contract: a module exporting `run()`).
// esbuild bundles it with mocha into out/test/suite.js; code-server (scripts/e2e.mjs) or desktop VS Code
// (test/vscode/runTestElectron.mjs) loads it into an extension host as `extensionTestsPath`.
import Mocha from 'mocha';
import { format } from 'node:util';
import { registerExtensionTests } from './extension.test';

/** Marker line that scripts/e2e.mjs reads from the extension host's log to print totals. */
export const TOTALS_PREFIX = 'vscode-api totals:';

/** Prefix of every reporter line, so the harness can pick the suite's output out of the workbench log. */
export const LINE_PREFIX = '[vscode-api] ';

export function run(): Promise<void> {
  // One preformatted string per line: the web workbench forwards console arguments unformatted.
  Mocha.reporters.Base.consoleLog = (...args: unknown[]) => console.log(LINE_PREFIX + format(...args));
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 30_000, reporter: 'spec' });
  // The tests are bundled in, not loaded from files, so give them mocha's globals by hand.
  mocha.suite.emit(Mocha.Suite.constants.EVENT_FILE_PRE_REQUIRE, globalThis, 'extension.test', mocha);
  registerExtensionTests();
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      const { passes = 0, failures: failed = 0 } = runner.stats ?? {};
      console.log(`${LINE_PREFIX}${TOTALS_PREFIX} ${passes} passing, ${failed} failing`);
      if (failures > 0) reject(new Error(`${failures} vscode-API test(s) failed.`));
      else resolve();
    });
  });
}
