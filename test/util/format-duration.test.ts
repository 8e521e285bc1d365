import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatDuration, formatRoundedDuration } from '../../src/util/format-duration.ts';

test('durations read as ms, seconds, then minutes', () => {
  assert.equal(formatRoundedDuration(12.4), '12ms');
  assert.equal(formatRoundedDuration(1234), '1.2s');
  assert.equal(formatRoundedDuration(125_000), '2m05s');
});

test('an item duration keeps tenths of a millisecond below 100 ms only', () => {
  assert.equal(formatDuration(0.04), '0.0ms');
  assert.equal(formatDuration(41.73), '41.7ms');
  assert.equal(formatDuration(812.4), '812ms');
  assert.equal(formatDuration(1234), '1.2s');
});

test('past an hour, hours and minutes', () => {
  assert.equal(formatDuration(3_725_000), '1h02m');
  assert.equal(formatRoundedDuration(3_725_000), '1h02m');
});

test('a value no clock gives reads as a dash', () => {
  for (const format of [formatDuration, formatRoundedDuration]) {
    assert.equal(format(-1), '–');
    assert.equal(format(Number.NaN), '–');
    assert.equal(format(Number.POSITIVE_INFINITY), '–');
  }
});
