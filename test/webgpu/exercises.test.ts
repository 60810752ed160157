// Every exercise on the webgpu rung (forced; Dawn on lavapipe in CI): the reference solution's tests pass and its
// smoke training run lowers the loss, through the real runner, with only asynchronous tensor reads.
import * as assert from 'node:assert/strict';
import { only } from '../runner/harness';
import { checkSmokeRun, runTests, titleOf } from '../content/checks';
import { authoredExercises, exerciseWorkspace } from '../content/harness';
import { webgpuReady } from './setup';

const SMOKE_TIMEOUT_MS = 900_000;

describe('webgpu: every exercise', function () {
  this.timeout(SMOKE_TIMEOUT_MS + 60_000);
  // Fails at once, with what to install, when this machine has no adapter.
  before(async () => {
    await webgpuReady();
  });

  for (const id of authoredExercises()) {
    it(`${id}: the solution's tests pass on webgpu`, async () => {
      const events = await runTests(exerciseWorkspace(id, 'solution'), id, 'webgpu', SMOKE_TIMEOUT_MS);
      assert.equal(only(events, 'backend')[0]?.active, 'webgpu');
      const failed = only(events, 'testFailed').map((e) => `${titleOf(events, e.id)}: ${e.message.slice(0, 400)}`);
      assert.deepEqual(failed, []);
      assert.ok(only(events, 'testPassed').length > 0, 'no test passed');
    });

    it(`${id}: the solution's smoke run on webgpu lowers the loss`, async () => {
      await checkSmokeRun(id, 'webgpu', SMOKE_TIMEOUT_MS);
    });
  }
});
