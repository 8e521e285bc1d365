import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createReporter } from '../../src/report/create-reporter.ts';
import { captureStream, fetchThenReport } from './synthetic-events.ts';

test('json prints exactly the events, one JSON object per line, and nothing else', async () => {
  const stdout = captureStream({ columns: 40, rows: 10 });
  const stderr = captureStream();
  const reporter = await createReporter('json', { stdout, stderr, env: { FORCE_COLOR: '1' } });
  const events = fetchThenReport(4, new Set([2]));
  for (const event of events) reporter.onEvent(event);
  await reporter.close();
  const text = stdout.text();
  assert.ok(text.endsWith('\n'));
  const lines = text.slice(0, -1).split('\n');
  assert.equal(lines.length, events.length);
  assert.deepEqual(
    lines.map((line) => JSON.parse(line) as unknown),
    events,
  );
  assert.equal(stderr.text(), '');
});
