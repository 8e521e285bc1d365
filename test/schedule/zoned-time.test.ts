import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatInTimezone } from '../../src/schedule/zoned-time.ts';

test('an instant shows as local time with the offset of its timezone', () => {
  const instant = new Date('2026-01-01T18:30:00Z');
  assert.equal(formatInTimezone(instant, 'Asia/Kolkata'), '2026-01-02T00:00:00+05:30');
  assert.equal(formatInTimezone(instant, 'UTC'), '2026-01-01T18:30:00+00:00');
  assert.equal(formatInTimezone(instant, 'America/New_York'), '2026-01-01T13:30:00-05:00');
});

test('the offset follows daylight saving time', () => {
  assert.equal(
    formatInTimezone(new Date('2026-07-01T12:00:00Z'), 'Europe/Paris'),
    '2026-07-01T14:00:00+02:00',
  );
  assert.equal(
    formatInTimezone(new Date('2026-01-01T12:00:00Z'), 'Europe/Paris'),
    '2026-01-01T13:00:00+01:00',
  );
});
