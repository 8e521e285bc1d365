import assert from 'node:assert/strict';
import { test } from 'node:test';
import { holdOutput } from '../../src/report/held-output.ts';
import { captureStream } from './synthetic-events.ts';

test('held output comes back in order, each to its own stream, after an empty line', () => {
  const stdout = captureStream();
  const stderr = captureStream();
  const held = holdOutput(stdout, stderr);
  stdout.write('first line\n');
  stderr.write(Buffer.from('a warning\n'));
  held.write('stdout', 'FRAME\n');
  stdout.write('second, ');
  stdout.write('one chunk at a time\n');
  stdout.write('');
  assert.equal(stdout.text(), 'FRAME\n', 'only the listing gets through while it holds');
  held.release();
  assert.equal(
    stdout.text(),
    'FRAME\n\nfirst line\nsecond, one chunk at a time\n',
    'a line written in pieces stays one line',
  );
  assert.equal(stderr.text(), 'a warning\n');
  stdout.write('direct again\n');
  assert.match(stdout.text(), /direct again\n$/);
  assert.equal(Object.hasOwn(stdout, 'write'), false, 'the stream has its own write back');
});

test('held output keeps only the latest text past its limit, and says how much it dropped', () => {
  const stdout = captureStream();
  const stderr = captureStream();
  const held = holdOutput(stdout, stderr, 100);
  for (let i = 0; i < 50; i += 1) stdout.write(`line ${String(i).padStart(3, '0')}\n`); // 9 bytes each
  held.release();
  const lines = stdout.text().trim().split('\n');
  assert.equal(lines.at(-1), 'line 049');
  assert.equal(lines.length, 11, stdout.text());
  assert.equal(lines[0], 'line 039');
  assert.match(
    stderr.text(),
    /^jobrun: 39 earlier writes to stdout\/stderr during the listing are not shown/,
  );
});
