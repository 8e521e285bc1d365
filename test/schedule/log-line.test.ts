import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatLogLine } from '../../src/schedule/log-line.ts';

test('a log line is the ISO time, the event and logfmt fields, quoted only when needed', () => {
  const line = formatLogLine(
    'run-skipped',
    { job: 'health', reason: 'previous run still running', pid: 42, exit: undefined, note: '' },
    new Date(0),
  );
  assert.equal(
    line,
    '1970-01-01T00:00:00.000Z run-skipped job=health reason="previous run still running" pid=42 note=""',
  );
});
