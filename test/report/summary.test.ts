import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RunTally } from '../../src/report/run-tally.ts';
import { createStyle, stripAnsi } from '../../src/report/style.ts';
import { formatErrorGroups, formatSummary } from '../../src/report/summary.ts';
import type { RunEvent } from '../../src/run/events.ts';
import { fetchThenReport, itemRecord } from './synthetic-events.ts';

function tallyOf(events: RunEvent[]): RunTally {
  const tally = new RunTally();
  for (const event of events) tally.apply(event);
  return tally;
}

test('100 identical timeouts are one line with ×100', () => {
  const failing = new Set(Array.from({ length: 100 }, (_, i) => i + 10));
  const lines = formatErrorGroups(tallyOf(fetchThenReport(200, failing)));
  assert.deepEqual(lines, [
    'errors in fetch (100 failed):',
    '  ×100  TIMEOUT: attempt exceeded 1000ms (first: fetch[10])',
  ]);
});

test('errors group by code and first line of message, most frequent first, per task', () => {
  const events = fetchThenReport(10, new Set([1, 2]));
  const finished = events.pop()!;
  const crash = {
    code: 'WORKER_CRASHED' as const,
    message: 'worker exited with code 1\n    at stack',
  };
  const exit = { code: 'EXIT_CODE' as const, message: 'exit code 2' };
  events.push({ type: 'item-finished', record: itemRecord('fetch', 11, 'failed', crash) });
  events.push({ type: 'item-finished', record: itemRecord('fetch', 12, 'failed', crash) });
  events.push({ type: 'item-finished', record: itemRecord('fetch', 13, 'failed', crash) });
  events.push({ type: 'item-finished', record: itemRecord('report', null, 'failed', exit) });
  events.push(finished);
  assert.deepEqual(formatErrorGroups(tallyOf(events)), [
    'errors in fetch (2 failed):',
    '  ×3  WORKER_CRASHED: worker exited with code 1 … (first: fetch[11])',
    '  ×2  TIMEOUT: attempt exceeded 1000ms (first: fetch[1])',
    'errors in report (0 failed):',
    '  ×1  EXIT_CODE: exit code 2',
  ]);
});

test('more than ten kinds of error end with a count of the rest', () => {
  const events = fetchThenReport(1);
  const finished = events.pop()!;
  const words = 'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi'.split(
    ' ',
  );
  for (let i = 0; i < 14; i += 1) {
    const error = { code: 'TASK_ERROR' as const, message: `bad input ${words[i]}` };
    events.push({ type: 'item-finished', record: itemRecord('fetch', 100 + i, 'failed', error) });
  }
  events.push(finished);
  const lines = formatErrorGroups(tallyOf(events));
  assert.equal(lines.length, 1 + 10 + 1);
  assert.equal(lines.at(-1), '  … 4 other kinds of error (4 items)');
});

test('the summary fits a 40-column terminal by dropping the least useful columns', () => {
  const tally = tallyOf(fetchThenReport(50, new Set([7])));
  const lines = formatSummary(tally, { width: 40 });
  for (const line of lines) assert.ok(line.length <= 40, `too wide (${line.length}): ${line}`);
  assert.match(lines[1]!, /^task\s+status\s+ok\s+failed\s+duration$/);
  assert.match(lines[2]!, /^fetch\s+failed\s+49\s+1\s+2\.0s$/);
});

test('the summary is coloured only through the style it is given', () => {
  const tally = tallyOf(fetchThenReport(5, new Set([1])));
  const plain = formatSummary(tally);
  const coloured = formatSummary(tally, { style: createStyle(true) });
  assert.ok(coloured.join('\n').includes('\u001B[31mfailed\u001B[39m'));
  assert.deepEqual(coloured.map(stripAnsi), plain);
});
