/**
 * A mocha root hook for the workspace's `npm test`: selects the same backend as the extension (and as
 * `lab.run` from a terminal) before the first test, and prints the one "Running on … because …" line.
 * Inside the extension's test runner it does nothing: the runner has chosen already.
 */
import { ensureBackend } from './index';

export const mochaHooks = {
  async beforeAll(): Promise<void> {
    await ensureBackend();
  },
};
