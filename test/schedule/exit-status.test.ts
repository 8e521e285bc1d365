import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exitStatusOf } from '../../src/schedule/exit-status.ts';

test('a run child exit code reads as the status the scheduler logs', () => {
  assert.equal(exitStatusOf(0, null), 'ok');
  assert.equal(exitStatusOf(1, null), 'failed');
  assert.equal(exitStatusOf(75, null), 'locked');
  assert.equal(exitStatusOf(129, null), 'interrupted');
  assert.equal(exitStatusOf(130, null), 'interrupted');
  assert.equal(exitStatusOf(143, null), 'interrupted');
  assert.equal(exitStatusOf(null, 'SIGTERM'), 'interrupted');
  assert.equal(exitStatusOf(null, 'SIGHUP'), 'interrupted');
  assert.equal(exitStatusOf(74, null), 'write-failed');
  assert.equal(exitStatusOf(2, null), 'crashed');
  assert.equal(exitStatusOf(null, 'SIGKILL'), 'crashed');
  assert.equal(exitStatusOf(null, null), 'crashed');
});
