import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkSchedule } from '../../src/job/check-schedule.ts';

const COUNT_HINT =
  'expected 5 fields (minute hour day month weekday), 6 with seconds first, or a nickname like @daily';

// Each refused expression gets one explanation, in the fields a cron user writes.
const CASES: Array<[string, string]> = [
  ['* * *', `${COUNT_HINT}; found 3 fields`],
  ['0 0 0 1 1 * 2030', `${COUNT_HINT}; found 7 fields`],
  ['61 * * * *', 'the minute field "61" is out of range: minutes are 0-59'],
  ['60 0 * * * *', 'the second field "60" is out of range: seconds are 0-59'],
  ['0 0 32 * *', 'the day field "32" is out of range: days of the month are 1-31'],
  ['0 0 1 13 *', 'the month field "13" is out of range: months are 1-12 or JAN-DEC'],
  [
    '0 0 * * 8',
    'the weekday field "8" is out of range: weekdays are 0-7 (0 and 7 are Sunday) or SUN-SAT',
  ],
  ['0 x * * *', 'the hour field "x" holds characters cron does not know'],
  ['1,,2 * * * *', 'the minute field "1,,2" has an empty entry in its list'],
  ['@dayly', 'unknown nickname; expected @yearly, '],
  ['@reboot', '@reboot is not supported'],
];

describe('checkSchedule', () => {
  for (const [schedule, expected] of CASES) {
    test(schedule, async () => {
      const issues = await checkSchedule({ name: 'j', schedule, tasks: {} });
      assert.equal(issues.length, 1);
      const text = issues[0]?.text ?? '';
      const prefix = `invalid cron expression ${JSON.stringify(schedule)}: `;
      assert.ok(text.startsWith(prefix + expected), text);
      // One explanation: croner's own wording (parts, configuration entries) never shows.
      assert.doesNotMatch(text, /CronPattern|parts|configuration entry|seven/);
      assert.equal(text.match(/expected/g)?.length ?? 0, expected.includes('expected') ? 1 : 0);
    });
  }

  test('valid expressions and nicknames pass', async () => {
    for (const schedule of ['*/5 * * * *', '0 30 9 * * MON-FRI', '@daily', '@Hourly']) {
      assert.deepEqual(await checkSchedule({ schedule }), [], schedule);
    }
  });
});
