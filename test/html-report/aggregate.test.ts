import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RunAggregator } from '../../src/html-report/aggregate.ts';
import { TIMELINE_STATUSES } from '../../src/html-report/model.ts';
import { MAX_TIMELINE_BARS } from '../../src/html-report/timeline-builder.ts';

const START = Date.parse('2026-01-01T00:00:00.000Z');
const at = (ms: number): string => new Date(START + ms).toISOString();

function item(fields: Record<string, unknown>): Record<string, unknown> {
  return {
    type: 'item',
    task: 't',
    index: 0,
    item: 0,
    status: 'ok',
    result: null,
    error: null,
    attempts: 1,
    startedAt: at(0),
    durationMs: 10,
    worker: 'coroutine',
    ...fields,
  };
}

function aggregate(records: Record<string, unknown>[]): ReturnType<RunAggregator['finish']> {
  const aggregator = new RunAggregator();
  aggregator.add({
    type: 'run',
    job: 'j',
    runId: 'r',
    executor: { kind: 'coroutine' },
    startedAt: at(0),
  });
  for (const record of records) aggregator.add(record);
  return aggregator.finish('results.jsonl', false);
}

describe('the report aggregator', () => {
  test('records and fields it does not know are passed over; later fields are used', () => {
    const data = aggregate([
      { type: 'service', name: 'site', status: 'ok', readyMs: 120, exitCode: null },
      { type: 'progress', task: 't', done: 3 },
      // As `--resume` writes it: the start, duration and worker of the earlier run that made it.
      item({ index: 0, key: 'k0', cached: true, startedAt: at(-86_400_000), durationMs: 7 }),
      item({ index: 1, key: 'k1', shiny: { new: true } }),
      item({ index: 2, status: 'weird' }),
      {
        type: 'summary',
        status: 'ok',
        tasks: {
          t: { status: 'ok', ok: 2, failed: 0, skipped: 0, cancelled: 0, cached: 1, total: 5 },
        },
        durationMs: 50,
        finishedAt: at(50),
        extra: [1, 2],
      },
    ]);
    assert.equal(data.status, 'ok');
    assert.deepEqual(data.services, [{ name: 'site', status: 'ok', readyMs: 120, exitCode: null }]);
    const task = data.tasks[0];
    assert.equal(task?.total, 5);
    assert.equal(task?.counts.cached, 1);
    assert.equal(task?.counts.ok, 2);
    assert.equal(data.counts.items, 3);
    // The cached item did not run here: no bar, no duration.
    assert.equal(data.timeline.shown, 2);
    assert.equal(task?.durations?.count, 2);
    assert.ok((data.timeline.startDelta[0] ?? 0) >= 0, 'the first bar starts in this run');
    assert.equal(data.durationMs, 50);
  });

  test('items running at once on one worker get a lane each, reused as soon as free', () => {
    const data = aggregate([
      item({ index: 0, startedAt: at(0), durationMs: 100 }),
      item({ index: 1, startedAt: at(10), durationMs: 100 }),
      item({ index: 2, startedAt: at(20), durationMs: 10 }),
      item({ index: 3, startedAt: at(40), durationMs: 10 }),
      item({ index: 4, startedAt: at(0), durationMs: 30, worker: 'process-7' }),
      item({ index: 5, startedAt: at(30), durationMs: 30, worker: 'process-7' }),
    ]);
    assert.deepEqual(
      data.timeline.lanes.map((lane) => lane.name),
      ['coroutine #1', 'coroutine #2', 'coroutine #3', 'process-7'],
    );
    const laneOf = new Map<number, number>();
    data.timeline.index.forEach((index, bar) =>
      laneOf.set(index, data.timeline.lane[bar] as number),
    );
    assert.deepEqual(
      [0, 1, 2, 3, 4, 5].map((index) => laneOf.get(index)),
      [0, 1, 2, 2, 3, 3],
    );
  });

  test('a run past the bar limit keeps every failure and a sample of the rest', () => {
    const records: Record<string, unknown>[] = [];
    const total = MAX_TIMELINE_BARS + 1000;
    for (let index = 0; index < total; index++) {
      const isFailed = index % 1000 === 0;
      records.push(
        item({
          index,
          item: index,
          startedAt: at(index),
          durationMs: 1,
          status: isFailed ? 'failed' : 'ok',
          error: isFailed ? { code: 'TASK_ERROR', message: `bad ${index}` } : null,
        }),
      );
    }
    const data = aggregate(records);
    assert.equal(data.timeline.itemsRan, total);
    assert.equal(data.timeline.shown, MAX_TIMELINE_BARS);
    const failedBars = data.timeline.status.filter(
      (status) => TIMELINE_STATUSES[status] === 'failed',
    );
    assert.equal(failedBars.length, Math.ceil(total / 1000));
    assert.equal(data.failures.length, 1);
    assert.equal(data.failures[0]?.count, Math.ceil(total / 1000));
    // The charts count every item, drawn or not.
    const finished = (data.series.finished.t ?? []).reduce((sum, value) => sum + value, 0);
    assert.equal(finished, total);
  });
});
