import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createExecutor } from '../../dist/src/executors/create-executor.js';
import type { Executor } from '../../dist/src/executors/types.js';
import { errorOf, fn, KINDS, request, valueOf } from '../executors/support.ts';

// `ctx` is plain data: a copy keeps its signal, and a signal belongs to one attempt while it
// runs (jobrun reuses abort controllers only when nothing could tell).

for (const kind of KINDS) {
  describe(`ctx on ${kind}`, { timeout: 60_000 }, () => {
    let executor: Executor;
    before(async () => {
      executor = await createExecutor({ kind, maxWorkers: 1 });
    });
    after(() => executor.shutdown());

    test('{ ...ctx } keeps every key, signal included', async () => {
      const value = valueOf(await executor.execute(request(fn('signals.js', 'spread'), 'x', 0)));
      assert.deepEqual(value, {
        keys: ['attempt', 'index', 'item', 'job', 'log', 'signal', 'task', 'workerId'],
        isSignal: true,
        isAborted: false,
      });
    });

    test('a signal aborted by a timeout is never the next attempt’s', async () => {
      const timedOut = await executor.execute(request(fn('wait-for-abort.js')), {
        timeoutMs: 200,
      });
      assert.equal(errorOf(timedOut).code, 'TIMEOUT');
      const next = valueOf(await executor.execute(request(fn('signals.js', 'spread'), 'y', 1)));
      assert.equal((next as { isAborted: boolean }).isAborted, false);
    });

    test('a signal that still has a listener is never handed to a later attempt', async () => {
      valueOf(await executor.execute(request(fn('signals.js', 'keepListening'))));
      const later = valueOf(await executor.execute(request(fn('signals.js', 'compareWithKept'))));
      assert.deepEqual(later, { isSame: false, isAborted: false });
    });
  });
}
