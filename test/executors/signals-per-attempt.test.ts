import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { test } from 'node:test';
import { createExecutor } from '../../src/executors/create-executor.ts';
import { errorOf, fn, KINDS, request, valueOf } from './support.ts';

// A caller that passes a signal of its own to each attempt (a `jobrun worker` does) leaves no
// listener behind once the attempt has ended, and a later abort of one still cancels only its own.

for (const kind of KINDS) {
  test(`${kind}: an attempt's own signal holds no listener once it ended`, async () => {
    const executor = await createExecutor({ kind, maxWorkers: 2 });
    try {
      const controllers = Array.from({ length: 20 }, () => new AbortController());
      const outcomes = await Promise.all(
        controllers.map((controller, i) =>
          executor.execute(request(fn('double.js'), i, i), { signal: controller.signal }),
        ),
      );
      for (const outcome of outcomes) valueOf(outcome);
      for (const { signal } of controllers)
        assert.equal(getEventListeners(signal, 'abort').length, 0);

      const kept = new AbortController();
      const cancelled = new AbortController();
      const running = Promise.all([
        executor.execute(request(fn('sleep.js'), 300), { signal: kept.signal }),
        executor.execute(request(fn('sleep.js'), 300), { signal: cancelled.signal }),
      ]);
      cancelled.abort();
      const [keptOutcome, cancelledOutcome] = await running;
      valueOf(keptOutcome);
      assert.equal(errorOf(cancelledOutcome).code, 'CANCELLED');
    } finally {
      await executor.shutdown({ force: true });
    }
  });
}
