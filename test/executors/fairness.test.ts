import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createExecutor } from '../../src/executors/create-executor.ts';
import type { ActionOutcome } from '../../src/executors/types.ts';
import { fn, maxOverlap, request, valueOf } from './support.ts';

// A pool worker holds a few attempts ahead of time, but an item never waits behind another while
// a worker of its pool is idle: an idle worker takes over held attempts that have not started.
// Every assertion reads the start and end stamps the workers took themselves, never a total time,
// so a slow or busy machine changes the figures but not the verdict.

interface Span {
  start: number;
  end: number;
  workerId: string;
}

const LONG_MS = 1500;
const SHORT_MS = 10;

/** How many of `spans` ran on each worker, as a sorted list of counts. */
function countsPerWorker(spans: Span[]): number[] {
  const counts = new Map<string, number>();
  for (const { workerId } of spans) counts.set(workerId, (counts.get(workerId) ?? 0) + 1);
  return [...counts.values()].sort();
}

for (const kind of ['thread', 'process'] as const) {
  describe(`${kind} pool fairness`, { timeout: 120_000 }, () => {
    test('four long and four short items on 2 workers: two long items each', async () => {
      // A cold pool: the first worker to be ready is handed the four long items at once, since
      // they come first; the other must take two of them back once it is ready.
      const executor = await createExecutor({ kind, maxWorkers: 2 });
      try {
        const lengths = [
          LONG_MS,
          LONG_MS,
          LONG_MS,
          LONG_MS,
          SHORT_MS,
          SHORT_MS,
          SHORT_MS,
          SHORT_MS,
        ];
        const outcomes = await Promise.all(
          lengths.map((ms, i) => executor.execute(request(fn('sleep.js'), ms, i))),
        );
        const spans = outcomes.map(valueOf) as Span[];
        const long = spans.slice(0, 4);
        const short = spans.slice(4);
        // Two long items back to back on each worker is the shortest schedule; three or four on
        // one worker means they waited there while the other worker was idle.
        assert.deepEqual(countsPerWorker(long), [2, 2], 'each worker ran two long items');
        const secondLongStarts = long
          .map((span) => span.start)
          .sort((a, b) => a - b)
          .slice(2);
        const firstSecondLong = Math.min(...secondLongStarts);
        for (const [i, span] of short.entries()) {
          assert.ok(
            span.start < firstSecondLong,
            `short item ${i} started ${span.start - firstSecondLong} ms after a worker began its second long item`,
          );
        }
        assert.ok(maxOverlap(outcomes) <= 2);
      } finally {
        await executor.shutdown();
      }
    });

    test('one long item and 40 short ones on 4 workers: every short one ends first', async () => {
      const executor = await createExecutor({ kind, maxWorkers: 4 });
      try {
        const outcomes = await Promise.all([
          executor.execute(request(fn('sleep.js'), 2 * LONG_MS, 0)),
          ...Array.from({ length: 40 }, (_, i) =>
            executor.execute(request(fn('sleep.js'), 20, i + 1)),
          ),
        ]);
        const [long, ...short] = outcomes.map(valueOf) as Span[];
        assert.ok(long !== undefined);
        const late = short.filter((span) => span.end > long.end);
        assert.deepEqual(
          late.map((span) => span.workerId),
          [],
          'no short item waited behind the long one',
        );
        assert.ok(maxOverlap(outcomes) <= 4);
      } finally {
        await executor.shutdown();
      }
    });

    test('taking attempts back never runs one twice nor more than maxWorkers at once', async () => {
      // Uneven items keep workers going idle while others hold attempts: many take-backs, some
      // racing with the holder starting the attempt.
      const executor = await createExecutor({ kind, maxWorkers: 2 });
      try {
        const starts = new Map<number, number>();
        let running = 0;
        let maxRunning = 0;
        const lengths = Array.from({ length: 60 }, (_, i) => (i % 7 === 0 ? 60 : i % 3));
        const outcomes: ActionOutcome[] = await Promise.all(
          lengths.map((ms, i) =>
            executor
              .execute(request(fn('sleep.js'), ms, i), {
                onStart: () => {
                  starts.set(i, (starts.get(i) ?? 0) + 1);
                  maxRunning = Math.max(maxRunning, ++running);
                },
              })
              .finally(() => running--),
          ),
        );
        assert.ok(maxRunning <= 2, `at most 2 started attempts were open, saw ${maxRunning}`);
        assert.ok(maxOverlap(outcomes) <= 2, 'at most 2 attempts ran at once');
        assert.equal(starts.size, lengths.length, 'every attempt started');
        for (const [i, count] of starts) assert.equal(count, 1, `attempt ${i} started once`);
        for (const outcome of outcomes) valueOf(outcome);
      } finally {
        await executor.shutdown();
      }
    });
  });
}
