import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createReporter } from '../../src/report/create-reporter.ts';
import { captureStream, ESCAPE, fetchThenReport } from './synthetic-events.ts';

const CLOCK = String.raw`\d\d:\d\d:\d\d\.\d{3}`;

test('plain prints one timestamped line per state change and finished item, then the summary', async () => {
  const stdout = captureStream();
  const stderr = captureStream();
  const reporter = await createReporter('plain', { stdout, stderr });
  for (const event of fetchThenReport(3, new Set([1]))) reporter.onEvent(event);
  await reporter.close();
  const lines = stdout.text().split('\n');
  assert.match(
    lines[0]!,
    new RegExp(`^${CLOCK}  run crawl run-1  2 tasks  results: /tmp/results/crawl.jsonl$`),
  );
  assert.match(lines[1]!, new RegExp(`^${CLOCK}  fetch  → running  coroutine ×4, 3 items$`));
  assert.match(lines[2]!, new RegExp(`^${CLOCK}  report  → waiting$`));
  assert.match(lines[3]!, new RegExp(`^${CLOCK}  fetch\\[0\\]  ok  41\\.7ms$`));
  assert.match(
    lines[4]!,
    new RegExp(
      `^${CLOCK}  fetch\\[1\\]  failed  TIMEOUT: attempt exceeded 1000ms  after 1 attempt$`,
    ),
  );
  assert.match(lines[5]!, new RegExp(`^${CLOCK}  fetch\\[2\\]  ok  41\\.7ms$`));
  assert.match(lines[6]!, new RegExp(`^${CLOCK}  fetch  → failed  2\\.0s  2 ok, 1 failed of 3$`));
  assert.match(lines[7]!, new RegExp(`^${CLOCK}  report  skipped$`));
  assert.match(lines[8]!, new RegExp(`^${CLOCK}  report  → skipped$`));
  assert.equal(lines[9], '');
  assert.equal(lines[10], 'run crawl failed in 2.3s');
  assert.ok(stdout.text().includes('results: /tmp/results/crawl.jsonl\n'));
  assert.ok(stdout.text().includes('  ×1  TIMEOUT: attempt exceeded 1000ms (first: fetch[1])'));
  assert.doesNotMatch(stdout.text(), ESCAPE);
  assert.equal(stderr.text(), '');
});

test('plain prints each line of a log message, and the interruption', async () => {
  const stdout = captureStream();
  const reporter = await createReporter('plain', {
    stdout,
    stderr: captureStream(),
    env: { FORCE_COLOR: '1' },
  });
  reporter.onEvent({
    type: 'log',
    task: 'fetch',
    index: 3,
    message: 'first\nsecond',
    at: new Date().toISOString(),
  });
  reporter.onEvent({
    type: 'run-interrupted',
    signal: 'SIGINT',
    force: false,
    at: new Date().toISOString(),
  });
  await reporter.close();
  const lines = stdout.text().trimEnd().split('\n');
  assert.equal(lines.length, 3);
  assert.match(lines[0]!, new RegExp(`^${CLOCK}  fetch\\[3\\]  log  first$`));
  assert.match(lines[1]!, new RegExp(`^${CLOCK}  fetch\\[3\\]  log  second$`));
  assert.match(lines[2]!, /interrupted \(SIGINT\): no new items start/);
  assert.doesNotMatch(stdout.text(), ESCAPE, 'plain never colours, even with FORCE_COLOR');
});

test('plain cuts lines to the width of a 40-column terminal', async () => {
  const stdout = captureStream({ columns: 40, rows: 20 });
  const reporter = await createReporter('plain', { stdout, stderr: captureStream() });
  for (const event of fetchThenReport(5, new Set([0, 1, 2, 3, 4]))) reporter.onEvent(event);
  await reporter.close();
  for (const line of stdout.text().split('\n')) assert.ok(line.length <= 40, `too wide: ${line}`);
  assert.match(stdout.text(), /fetch\[3\] {2}failed {2}TIMEOUT…\n/);
});
