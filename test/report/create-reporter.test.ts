import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  createReporter,
  defaultOutputMode,
  OUTPUT_MODES,
} from '../../src/report/create-reporter.ts';
import { shouldUseColor } from '../../src/report/style.ts';
import { captureStream } from './synthetic-events.ts';

test('the default mode is live on a TTY, plain otherwise or when CI is set', () => {
  assert.equal(defaultOutputMode({ isTTY: true }, {}), 'live');
  assert.equal(defaultOutputMode({ isTTY: false }, {}), 'plain');
  assert.equal(defaultOutputMode({}, {}), 'plain');
  assert.equal(defaultOutputMode({ isTTY: true }, { CI: 'true' }), 'plain');
  assert.equal(defaultOutputMode({ isTTY: true }, { CI: '1' }), 'plain');
  assert.equal(defaultOutputMode({ isTTY: true }, { CI: 'false' }), 'live');
});

test('OUTPUT_MODES lists every mode, and an unknown mode is a usage error', async () => {
  assert.deepEqual([...OUTPUT_MODES], ['live', 'plain', 'json', 'quiet']);
  const options = { stdout: captureStream(), stderr: captureStream() };
  await assert.rejects(createReporter('fancy' as never, options), {
    code: 'USAGE',
    message: 'Expected `--output` to be one of live, plain, json, quiet, got `fancy`',
  });
});

test('colours follow NO_COLOR, FORCE_COLOR, TERM=dumb and the TTY', () => {
  assert.equal(shouldUseColor({ isTTY: true }, {}), true);
  assert.equal(shouldUseColor({ isTTY: false }, {}), false);
  assert.equal(shouldUseColor({ isTTY: true }, { NO_COLOR: '1' }), false);
  assert.equal(shouldUseColor({ isTTY: true }, { NO_COLOR: '1', FORCE_COLOR: '1' }), false);
  assert.equal(shouldUseColor({ isTTY: false }, { FORCE_COLOR: '1' }), true);
  assert.equal(shouldUseColor({ isTTY: true }, { FORCE_COLOR: '0' }), false);
  assert.equal(shouldUseColor({ isTTY: true }, { TERM: 'dumb' }), false);
});
