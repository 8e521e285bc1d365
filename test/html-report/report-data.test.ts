import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { readRecords } from '../helpers/results.ts';
import { TIMELINE_STATUSES, type ReportData } from '../../src/html-report/model.ts';
import { embeddedData, runFixtureJob, type FixtureRun } from './fixture-run.ts';

let fixture: FixtureRun;
let data: ReportData;
let html: string;

before(async () => {
  fixture = await runFixtureJob();
  const report = await runCli(['report', fixture.results], { cwd: fixture.dir });
  assert.equal(report.code, 0, report.stderr);
  const htmlPath = join(fixture.dir, 'results', 'report-fixture.html');
  assert.match(report.stdout, /^report: .*report-fixture\.html \(19 items, \d+ KB\)\n$/);
  html = readFileSync(htmlPath, 'utf8');
  data = embeddedData(htmlPath);
});

after(() => rmSync(fixture.dir, { recursive: true, force: true }));

describe('jobrun report on a real run', () => {
  test('the header: job, status, counts per task', () => {
    assert.equal(data.job, 'report-fixture');
    assert.equal(data.status, 'failed');
    assert.equal(data.incomplete, null);
    assert.ok(data.startedAt !== null && data.finishedAt !== null);
    assert.deepEqual(data.executor, { kind: 'process', maxWorkers: 2 });
    assert.deepEqual(Object.keys(data.workers).sort(), ['coroutine', 'process']);
    assert.deepEqual(
      { ...data.counts },
      { items: 19, ok: 13, failed: 5, skipped: 1, cancelled: 0, cached: 0, retried: 3 },
    );
    const tasks = Object.fromEntries(data.tasks.map((task) => [task.name, task]));
    assert.deepEqual(Object.keys(tasks).sort(), ['after', 'shell', 'square']);
    assert.equal(tasks.square?.status, 'failed');
    assert.equal(tasks.square?.total, 12);
    assert.deepEqual(
      { ...tasks.square?.counts },
      { ok: 9, failed: 3, skipped: 0, cancelled: 0, cached: 0, retried: 3 },
    );
    assert.deepEqual(
      { ...tasks.shell?.counts },
      { ok: 4, failed: 2, skipped: 0, cancelled: 0, cached: 0, retried: 0 },
    );
    assert.equal(tasks.after?.status, 'skipped');
    assert.equal(tasks.after?.durations, null);
  });

  test('durations per task: percentiles, a histogram of every item that ran, the slowest first', () => {
    const square = data.tasks.find((task) => task.name === 'square');
    assert.ok(square?.durations && square.histogram);
    assert.equal(square.durations.count, 12);
    assert.ok(square.durations.p50 <= square.durations.p90);
    assert.ok(square.durations.p90 <= square.durations.p99);
    assert.ok(square.durations.p99 <= square.durations.max);
    assert.equal(
      square.histogram.counts.reduce((sum, count) => sum + count, 0),
      12,
    );
    assert.equal(square.slowest.length, 10);
    const slowest = square.slowest.map((item) => item.durationMs);
    assert.deepEqual(
      slowest,
      [...slowest].sort((a, b) => b - a),
    );
    // Failed items ran twice, 500 ms apart (a retry): they are the slowest.
    assert.deepEqual(
      square.slowest
        .slice(0, 3)
        .map((item) => item.index)
        .sort((a, b) => Number(a) - Number(b)),
      [3, 7, 11],
    );
  });

  test('failures are grouped by code and message, numbers and paths set aside', () => {
    const groups = Object.fromEntries(data.failures.map((group) => [group.code, group]));
    assert.equal(data.failures.length, 2);
    assert.equal(groups.TASK_ERROR?.pattern, 'item <n> is unlucky (see <path>)');
    assert.equal(groups.TASK_ERROR?.count, 3);
    assert.deepEqual(groups.TASK_ERROR?.tasks, { square: 3 });
    assert.deepEqual(
      groups.TASK_ERROR?.items.map((item) => item.index).sort((a, b) => Number(a) - Number(b)),
      [3, 7, 11],
    );
    assert.match(groups.TASK_ERROR?.stack ?? '', /unlucky/);
    assert.equal(groups.EXIT_CODE?.pattern, 'command exited with code 1');
    assert.deepEqual(groups.EXIT_CODE?.items.map((item) => item.item).sort(), ['c', 'e']);
    assert.match(
      html,
      /<code class="pattern">item &lt;n&gt; is unlucky \(see &lt;path&gt;\)<\/code>/,
    );
  });

  test('the timeline: a bar per item that ran, in lanes per worker that never overlap', () => {
    const { timeline } = data;
    const records = readRecords(fixture.results).filter(
      (record) => record.type === 'item' && record.startedAt !== null,
    );
    assert.equal(timeline.shown, 18);
    assert.equal(timeline.itemsRan, 18);
    const workers = new Set(records.map((record) => String(record.worker)));
    assert.deepEqual(new Set(timeline.lanes.map((lane) => lane.worker)), workers);
    const coroutineLanes = timeline.lanes.filter((lane) => lane.worker === 'coroutine');
    assert.ok(coroutineLanes.length >= 1 && coroutineLanes.length <= 3, `${coroutineLanes.length}`);

    let start = 0;
    const byLane = new Map<number, [number, number][]>();
    for (let bar = 0; bar < timeline.shown; bar++) {
      start += timeline.startDelta[bar] as number;
      const lane = timeline.lane[bar] as number;
      const spans = byLane.get(lane) ?? [];
      spans.push([start / 10, (start + (timeline.duration[bar] as number)) / 10]);
      byLane.set(lane, spans);
      const status = TIMELINE_STATUSES[timeline.status[bar] as number];
      const failure = timeline.failure[bar] as number;
      assert.equal(failure >= 0, status === 'failed');
    }
    for (const spans of byLane.values()) {
      for (let at = 1; at < spans.length; at++) {
        assert.ok((spans[at]?.[0] as number) >= (spans[at - 1]?.[1] as number) - 1);
      }
    }
    assert.equal(
      timeline.status.filter((status) => TIMELINE_STATUSES[status] === 'failed').length,
      5,
    );
  });

  test('throughput counts every item that ran, per task', () => {
    const sum = (values: number[] | undefined): number =>
      (values ?? []).reduce((total, value) => total + value, 0);
    assert.equal(sum(data.series.finished.square), 12);
    assert.equal(sum(data.series.finished.shell), 6);
    // Never more running than the records' own spans overlap (the executor's bound, measured
    // from the main thread, can be passed by a few ms of reply latency on a loaded machine).
    const spans = readRecords(fixture.results)
      .filter((record) => record.type === 'item' && record.task === 'shell')
      .map((record) => {
        const start = Date.parse(String(record.startedAt));
        return [start, start + Number(record.durationMs)] as const;
      });
    const overlap = Math.max(
      ...spans.map(([at]) => spans.filter(([start, end]) => start <= at && at < end).length),
    );
    assert.ok(overlap >= 1);
    assert.ok(Math.max(...(data.series.running.shell ?? [])) <= overlap + 0.01);
  });

  test('the page is self-contained: nothing in it is fetched', () => {
    assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none';/);
    assert.doesNotMatch(html, /<script[^>]+src=|<link\b|@import|url\(/i);
    assert.doesNotMatch(html, /https?:\/\//);
  });

  test('-o writes the report where asked', async () => {
    const output = join(fixture.dir, 'elsewhere.html');
    const report = await runCli(['report', fixture.results, '-o', output]);
    assert.equal(report.code, 0, report.stderr);
    assert.equal(embeddedData(output).counts.items, 19);
  });
});

describe('jobrun report on a run that did not finish', () => {
  test('a results file without its summary makes a report marked incomplete', async () => {
    const copy = join(fixture.dir, 'no-summary.jsonl');
    const lines = readFileSync(fixture.results, 'utf8').trimEnd().split('\n');
    writeFileSync(copy, lines.slice(0, -1).join('\n') + '\n');
    const report = await runCli(['report', copy]);
    assert.equal(report.code, 0, report.stderr);
    assert.match(report.stdout, /incomplete run: the results file has no summary/);
    const partial = embeddedData(join(fixture.dir, 'no-summary.html'));
    assert.equal(partial.status, 'incomplete');
    assert.equal(partial.counts.items, 19);
    assert.match(readFileSync(join(fixture.dir, 'no-summary.html'), 'utf8'), /Incomplete run:/);
  });

  test('a last line cut off (a killed run) makes a report of the records before it', async () => {
    const copy = join(fixture.dir, 'killed.jsonl');
    const lines = readFileSync(fixture.results, 'utf8').trimEnd().split('\n');
    const cut = lines.at(-2) as string;
    writeFileSync(copy, [...lines.slice(0, -2), cut.slice(0, cut.length >> 1)].join('\n'));
    const report = await runCli(['report', copy, '-o', join(fixture.dir, 'killed-report.html')]);
    assert.equal(report.code, 0, report.stderr);
    assert.match(report.stdout, /incomplete run: the last line of the results file is cut off/);
    const partial = embeddedData(join(fixture.dir, 'killed-report.html'));
    assert.equal(partial.status, 'incomplete');
    assert.equal(partial.counts.items, 18);
    assert.equal(existsSync(join(fixture.dir, 'killed.html')), false);
  });

  test('an unchanged copy stays a complete run', () => {
    const copy = join(fixture.dir, 'copy.jsonl');
    copyFileSync(fixture.results, copy);
    assert.equal(readRecords(copy).at(-1)?.type, 'summary');
  });
});
