import assert from 'node:assert/strict';
import { test } from 'node:test';
import { listingLines, taskRow } from '../../src/report/live-rows.ts';
import { progressText } from '../../src/report/plain-reporter.ts';
import { formatEta, formatRate, taskProgress } from '../../src/report/progress.ts';
import { RunTally } from '../../src/report/run-tally.ts';
import { createStyle } from '../../src/report/style.ts';
import type { RunEvent } from '../../src/run/events.ts';
import { fetchThenReport, mapTask } from './synthetic-events.ts';

const style = createStyle(false);
/** When the synthetic run's `fetch` task starts running. */
const START_MS = Date.parse('2026-03-01T12:00:00.000Z');

/** A tally of `fetchThenReport(total)` with its first `done` items finished. */
function tallyAfter(total: number, done: number): RunTally {
  const events = fetchThenReport(total);
  const tally = new RunTally({ trackInFlight: true });
  let finished = 0;
  for (const event of events) {
    if (finished === done && event.type === 'item-started') break;
    tally.apply(event);
    if (event.type === 'item-finished') finished += 1;
  }
  return tally;
}

const fetchOf = (tally: RunTally) => tally.tasks.get('fetch')!;
const layout = (nowMs: number) => ({ idWidth: 6, width: 100, nowMs, style });

test('rate is items done per second since the task started; ETA is the items left at that rate', () => {
  const fetch = fetchOf(tallyAfter(100, 50));
  assert.deepEqual(taskProgress(fetch, START_MS + 10_000), {
    done: 50,
    perSecond: 5,
    etaMs: 10_000,
  });
  assert.equal(
    taskRow(fetch, layout(START_MS + 10_000)),
    'fetch   50/100  ✔ 50  coroutine  10.0s  5.0 items/s  ETA 10s',
  );
  // 40 more seconds at the same count: the rate falls, the ETA grows.
  assert.match(taskRow(fetch, layout(START_MS + 50_000)), /50\.0s {2}1\.0 items\/s {2}ETA 50s$/);
});

test('no rate before a second has passed or an item has finished', () => {
  assert.equal(taskProgress(fetchOf(tallyAfter(100, 50)), START_MS + 999).perSecond, null);
  const none = fetchOf(tallyAfter(100, 0));
  assert.deepEqual(taskProgress(none, START_MS + 60_000), {
    done: 0,
    perSecond: null,
    etaMs: null,
  });
  assert.equal(taskRow(none, layout(START_MS + 60_000)), 'fetch   0/100  ✔ 0  coroutine  1m00s');
});

test('a map of unknown size shows its rate without an ETA', () => {
  const tally = new RunTally();
  const at = '2026-03-01T12:00:00.000Z';
  const events: RunEvent[] = [
    {
      type: 'run-started',
      job: 'stream',
      runId: 'run-1',
      startedAt: at,
      resultsPath: '/tmp/results/stream.jsonl',
      tasks: [mapTask('consume', null)],
    },
    { type: 'task-state', task: 'consume', state: 'running', at },
    {
      type: 'task-progress',
      task: 'consume',
      ok: 300,
      failed: 0,
      skipped: 0,
      cancelled: 0,
      cached: 0,
    },
  ];
  for (const event of events) tally.apply(event);
  const consume = tally.tasks.get('consume')!;
  assert.equal(
    taskRow(consume, { ...layout(START_MS + 4_000), idWidth: 7 }),
    'consume  300  ✔ 300  coroutine  4.0s  75 items/s',
  );
});

test('the listing shows rate and ETA on running map rows only, and not in its final frame', () => {
  const tally = tallyAfter(100, 50);
  const frame = { columns: 100, rows: 30, nowMs: START_MS + 10_000, style, spinner: '⠋' };
  const running = listingLines(tally, { ...frame, isFinal: false });
  assert.equal(running[0], '⠋ fetch   50/100  ✔ 50  coroutine  10.0s  5.0 items/s  ETA 10s');
  assert.equal(running.at(-1), '◼ report  waiting  process');
  const final = listingLines(tally, { ...frame, isFinal: true });
  assert.equal(final[0], '↓ fetch   50/100  ✔ 50  coroutine  10.0s');
  assert.equal(final.length, 2, 'no items in flight in the final frame');
});

test('rates and ETAs read well at every scale', () => {
  assert.equal(formatRate(0.25), '0.3 items/s');
  assert.equal(formatRate(4.2), '4.2 items/s');
  assert.equal(formatRate(1234.4), '1234 items/s');
  assert.equal(formatEta(400), 'ETA 1s');
  assert.equal(formatEta(16_200), 'ETA 17s');
  assert.equal(formatEta(125_000), 'ETA 2m05s');
  assert.equal(formatEta(3_725_000), 'ETA 1h02m');
});

test("plain's progress line: elapsed time, counts of a total, rate and ETA", () => {
  const fetch = fetchOf(tallyAfter(100, 50));
  assert.equal(
    progressText(fetch, START_MS + 10_000),
    'fetch  progress  10.0s  50 ok, 0 failed of 100  5.0 items/s  ETA 10s',
  );
  const tally = tallyAfter(2, 2);
  tally.apply({
    type: 'task-state',
    task: 'report',
    state: 'running',
    at: '2026-03-01T12:00:02.000Z',
  });
  assert.equal(
    progressText(tally.tasks.get('report')!, START_MS + 12_000),
    'report  progress  10.0s',
  );
});
