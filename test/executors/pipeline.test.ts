import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { createExecutor } from '../../src/executors/create-executor.ts';
import { PIPELINE_DEPTH } from '../../src/executors/pool-executor.ts';
import type { ResolvedAction } from '../../src/actions/types.ts';
import { tempDir } from '../helpers/files.ts';
import { errorOf, fn, maxOverlap, request, valueOf } from './support.ts';

// A pool worker holds up to PIPELINE_DEPTH attempts and runs them one at a time. These cases put
// attempts behind a head in one worker's FIFO (maxWorkers 1 hands it every queued attempt) and
// check that each guarantee of a lone attempt still holds for them.

const TOUCH_FILE: ResolvedAction = {
  type: 'function',
  module: {
    path: fileURLToPath(new URL('./fixtures/touch-file.js', import.meta.url)),
    exportName: 'default',
    source: './touch-file.js#default',
  },
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const tmp = tempDir('pipeline');

test('pools ask for maxWorkers × PIPELINE_DEPTH attempts in flight; coroutines for none', async () => {
  assert.ok(PIPELINE_DEPTH >= 2);
  for (const kind of ['process', 'thread'] as const) {
    const executor = await createExecutor({ kind, maxWorkers: 3 });
    assert.equal(executor.inFlightLimit, 3 * PIPELINE_DEPTH);
    await executor.shutdown();
  }
  const coroutine = await createExecutor({ kind: 'coroutine', maxWorkers: 3 });
  assert.equal(coroutine.inFlightLimit, undefined);
  await coroutine.shutdown();
});

for (const kind of ['process', 'thread'] as const) {
  describe(`${kind} pool pipeline`, { timeout: 60_000 }, () => {
    test('a crash fails only the running head; the attempts waiting behind it run elsewhere', async () => {
      const executor = await createExecutor({ kind, maxWorkers: 1 });
      try {
        const [crashed, ...waiting] = await Promise.all([
          executor.execute(request(fn('crash-exit.js'))),
          ...[1, 2, 3].map((i) => executor.execute(request(fn('double.js'), i, i))),
        ]);
        assert.equal(errorOf(crashed).code, 'WORKER_CRASHED');
        assert.match(errorOf(crashed).message, /exited with code 3/);
        const values = waiting.map(valueOf) as { value: number; workerId: string }[];
        assert.deepEqual(
          values.map((v) => v.value),
          [2, 4, 6],
        );
        for (const v of values) assert.notEqual(v.workerId, crashed?.workerId);
      } finally {
        await executor.shutdown();
      }
    });

    test('a timed-out head fails alone; the waiting attempts start their own clocks later', async () => {
      const executor = await createExecutor({ kind, maxWorkers: 1 });
      try {
        // Each waiting attempt's 250 ms would have run out behind the 400 ms head if its clock
        // started when it was handed to the worker.
        const [hung, ...waiting] = await Promise.all([
          executor.execute(request(fn('hang.js')), { timeoutMs: 400 }),
          ...[1, 2, 3].map((i) =>
            executor.execute(request(fn('double.js'), i, i), { timeoutMs: 250 }),
          ),
        ]);
        assert.equal(errorOf(hung).code, 'TIMEOUT');
        const values = waiting.map(valueOf) as { value: number; workerId: string }[];
        assert.deepEqual(
          values.map((v) => v.value),
          [2, 4, 6],
        );
        for (const v of values) assert.notEqual(v.workerId, hung?.workerId);
      } finally {
        await executor.shutdown();
      }
    });

    test('a cancelled waiting attempt resolves CANCELLED at once and never runs', async () => {
      const executor = await createExecutor({ kind, maxWorkers: 1 });
      try {
        const marker = join(tmp, `${kind}-cancelled.txt`);
        const controller = new AbortController();
        const started: string[] = [];
        const head = executor.execute(request(fn('sleep.js'), 500));
        const events: string[] = [];
        void head.then(() => events.push('head'));
        const cancelled = executor
          .execute(request(TOUCH_FILE, marker), {
            signal: controller.signal,
            onStart: (id) => started.push(id),
          })
          .then((outcome) => {
            events.push('cancelled');
            return outcome;
          });
        const behind = executor.execute(request(fn('double.js'), 4));
        // Long enough for the worker to start and hold all three; well before the head ends.
        await sleep(150);
        controller.abort();
        const outcome = await cancelled;
        assert.deepEqual(events, ['cancelled'], 'it resolved before the head ended');
        assert.equal(errorOf(outcome).code, 'CANCELLED');
        assert.equal(outcome.workerId, null);
        const headValue = valueOf(await head) as { workerId: string };
        const behindValue = valueOf(await behind) as { workerId: string };
        assert.equal(behindValue.workerId, headValue.workerId, 'the worker was not stopped');
        assert.deepEqual(started, []);
        assert.equal(existsSync(marker), false, 'the cancelled attempt never ran');
      } finally {
        await executor.shutdown();
      }
    });

    test('onStart fires when an attempt starts running, not when it is handed over', async () => {
      const executor = await createExecutor({ kind, maxWorkers: 1 });
      try {
        // Warm up so both attempts are handed to a ready worker at the same moment.
        await executor.execute(request(fn('double.js'), 0));
        const order: string[] = [];
        let secondStartedMs = 0;
        const dispatchedMs = performance.now();
        const first = executor
          .execute(request(fn('sleep.js'), 300), { onStart: () => order.push('first started') })
          .then((outcome) => {
            order.push('first finished');
            return outcome;
          });
        const second = executor.execute(request(fn('double.js'), 1), {
          onStart: () => {
            secondStartedMs = performance.now();
            order.push('second started');
          },
        });
        const [a, b] = await Promise.all([first, second]);
        assert.equal(a.workerId, b.workerId, 'both ran on the one worker');
        assert.deepEqual(order, ['first started', 'first finished', 'second started']);
        const waitedMs = secondStartedMs - dispatchedMs;
        assert.ok(waitedMs >= 250, `started ${waitedMs.toFixed(0)} ms after dispatch`);
      } finally {
        await executor.shutdown();
      }
    });

    test('each start is counted after the previous outcome, even when replies arrive together', async () => {
      const executor = await createExecutor({ kind, maxWorkers: 1 });
      try {
        // Instant items: a worker's replies often reach the pool in one read.
        let running = 0;
        let maxRunning = 0;
        const starts = new Map<number, number>();
        const outcomes = await Promise.all(
          Array.from({ length: 300 }, (_, i) =>
            executor
              .execute(request(fn('double.js'), i, i), {
                onStart: () => {
                  starts.set(i, (starts.get(i) ?? 0) + 1);
                  maxRunning = Math.max(maxRunning, ++running);
                },
              })
              .then(async (outcome) => {
                // A few hops deep, like the engine's record of an item.
                await Promise.resolve();
                await Promise.resolve();
                running--;
                return outcome;
              }),
          ),
        );
        assert.equal(maxRunning, 1, 'one worker, one attempt running at a time');
        assert.equal(starts.size, 300, 'every attempt that ran had its start counted');
        for (const count of starts.values()) assert.equal(count, 1);
        assert.deepEqual(
          outcomes.map((o) => (valueOf(o) as { value: number }).value),
          Array.from({ length: 300 }, (_, i) => 2 * i),
        );
      } finally {
        await executor.shutdown();
      }
    });

    test('a drain lets the running attempt finish; the waiting ones never start', async () => {
      const executor = await createExecutor({ kind, maxWorkers: 1 });
      try {
        // A ready worker, so the head is running when the drain comes.
        await executor.execute(request(fn('double.js'), 0));
        const drain = new AbortController();
        const markers = [1, 2, 3].map((i) => join(tmp, `${kind}-drain-${i}.txt`));
        const head = executor.execute(request(fn('sleep.js'), 400), {
          stopSignal: drain.signal,
        });
        const events: string[] = [];
        void head.then(() => events.push('head'));
        const waiting = markers.map((marker) =>
          executor.execute(request(TOUCH_FILE, marker), { stopSignal: drain.signal }),
        );
        await sleep(150);
        drain.abort();
        const held = await Promise.all(waiting);
        assert.deepEqual(events, [], 'they resolved before the head ended');
        assert.deepEqual(
          held.map((o) => errorOf(o).code),
          ['CANCELLED', 'CANCELLED', 'CANCELLED'],
        );
        assert.equal((valueOf(await head) as { workerId: string }).workerId, (await head).workerId);
        assert.deepEqual(events, ['head'], 'the running head finished');
        for (const marker of markers) assert.equal(existsSync(marker), false);
        const late = await executor.execute(request(fn('double.js'), 1), {
          stopSignal: drain.signal,
        });
        assert.equal(errorOf(late).code, 'CANCELLED');
      } finally {
        await executor.shutdown();
      }
    });

    test('a forced shutdown cancels the waiting attempts too, and none of them runs', async () => {
      const executor = await createExecutor({ kind, maxWorkers: 1 });
      const markers = [1, 2, 3].map((i) => join(tmp, `${kind}-shutdown-${i}.txt`));
      const head = executor.execute(request(fn('sleep.js'), 2000));
      const waiting = markers.map((marker) => executor.execute(request(TOUCH_FILE, marker)));
      await sleep(150);
      await executor.shutdown({ force: true });
      const outcomes = await Promise.all([head, ...waiting]);
      assert.deepEqual(
        outcomes.map((o) => errorOf(o).code),
        ['CANCELLED', 'CANCELLED', 'CANCELLED', 'CANCELLED'],
      );
      for (const marker of markers) assert.equal(existsSync(marker), false);
    });

    test('running attempts never overlap beyond maxWorkers, counted either side', async () => {
      const executor = await createExecutor({ kind, maxWorkers: 2 });
      try {
        let running = 0;
        let maxRunning = 0;
        const outcomes = await Promise.all(
          Array.from({ length: 4 * PIPELINE_DEPTH }, (_, i) =>
            executor
              .execute(request(fn('sleep.js'), 25, i), {
                onStart: () => (maxRunning = Math.max(maxRunning, ++running)),
              })
              .finally(() => running--),
          ),
        );
        assert.ok(maxRunning <= 2, `at most 2 started attempts were open, saw ${maxRunning}`);
        const overlap = maxOverlap(outcomes);
        assert.ok(overlap <= 2, `at most 2 attempts ran at once, saw ${overlap}`);
        assert.equal(maxRunning, 2, 'both workers were used');
      } finally {
        await executor.shutdown();
      }
    });
  });
}
