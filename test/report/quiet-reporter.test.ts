import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createReporter } from '../../src/report/create-reporter.ts';
import { captureStream, ESCAPE, fetchThenReport } from './synthetic-events.ts';

test('quiet prints nothing at all when the run succeeds', async () => {
  const stdout = captureStream();
  const stderr = captureStream();
  const reporter = await createReporter('quiet', { stdout, stderr });
  for (const event of fetchThenReport(20)) reporter.onEvent(event);
  await reporter.close();
  assert.equal(stdout.text(), '');
  assert.equal(stderr.text(), '');
});

test('quiet prints grouped errors on stderr and the summary on stdout when the run fails', async () => {
  const stdout = captureStream({ columns: 100, rows: 30 });
  const stderr = captureStream();
  const reporter = await createReporter('quiet', { stdout, stderr, env: { FORCE_COLOR: '1' } });
  for (const event of fetchThenReport(10, new Set([3, 4, 5]))) reporter.onEvent(event);
  await reporter.close();
  assert.equal(
    stderr.text(),
    'errors in fetch (3 failed):\n  ×3  TIMEOUT: attempt exceeded 1000ms (first: fetch[3])\n',
  );
  const out = stdout.text().split('\n');
  assert.equal(out[0], 'run crawl failed in 2.3s');
  assert.match(
    out[1]!,
    /^task\s+status\s+ok\s+failed\s+skipped\s+cancelled\s+total\s+duration\s+items\/s$/,
  );
  assert.match(out[2]!, /^fetch\s+failed\s+7\s+3\s+0\s+0\s+10\s+2\.0s\s+5\.0$/);
  assert.match(out[3]!, /^report\s+skipped\s+0\s+0\s+1\s+0\s+1\s+–\s+–$/);
  assert.equal(out[4], 'results: /tmp/results/crawl.jsonl');
  assert.doesNotMatch(stdout.text() + stderr.text(), ESCAPE);
});

test('quiet names the signal of an interrupted run on stderr', async () => {
  const stdout = captureStream();
  const stderr = captureStream();
  const reporter = await createReporter('quiet', { stdout, stderr });
  const events = fetchThenReport(2);
  const finished = events.pop();
  assert.ok(finished?.type === 'run-finished');
  events.push({
    type: 'run-interrupted',
    signal: 'SIGTERM',
    force: false,
    at: new Date().toISOString(),
  });
  events.push({ ...finished, summary: { ...finished.summary, status: 'cancelled' } });
  for (const event of events) reporter.onEvent(event);
  await reporter.close();
  assert.equal(stderr.text(), 'run interrupted by SIGTERM\n');
  assert.match(stdout.text(), /^run crawl cancelled in 2\.3s\n/);
});
