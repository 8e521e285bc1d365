import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ActionError } from '../../src/actions/action-error.ts';
import { performRun } from '../../src/actions/run-action.ts';

const context = { item: 'x', index: 0, task: 't', job: 'j', attempt: 1 };

test(
  'an aborted command that ignores SIGTERM is killed after the grace period',
  { timeout: 30_000 },
  async () => {
    const controller = new AbortController();
    const tracked = new Set<number>();
    const running = performRun(`trap '' TERM; echo ready; while :; do sleep 0.1; done`, context, {
      signal: controller.signal,
      killGraceMs: 300,
      processes: { add: (pgid) => tracked.add(pgid), delete: (pgid) => tracked.delete(pgid) },
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(tracked.size, 1, 'its process group is reported while it runs');
    controller.abort();
    await assert.rejects(running, (error: unknown) => {
      assert.ok(error instanceof ActionError);
      assert.equal(error.code, 'CANCELLED');
      return true;
    });
    assert.equal(tracked.size, 0, 'and forgotten once reaped');
  },
);

test('death by a signal fails with EXIT_CODE naming the signal', { timeout: 30_000 }, async () => {
  await assert.rejects(
    performRun('kill -9 $$', context, { signal: new AbortController().signal }),
    { code: 'EXIT_CODE', message: 'command was killed by SIGKILL' },
  );
});

test(
  'an aborted signal reason that is an ActionError (a timeout) is kept',
  { timeout: 30_000 },
  async () => {
    const controller = new AbortController();
    const running = performRun('sleep 5', context, { signal: controller.signal });
    controller.abort(new ActionError('TIMEOUT', 'too slow'));
    await assert.rejects(running, { code: 'TIMEOUT', message: 'too slow' });
  },
);
