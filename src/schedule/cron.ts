import { Cron } from 'croner';
import { CRON_MODE } from '../job/check-schedule.ts';

/**
 * A croner schedule for an expression in a timezone (the machine's local time when `timezone` is
 * undefined). With `onDue` it starts ticking at once; without, it is paused and only computes run
 * times. It reads an expression as `checkSchedule` (`src/job/check-schedule.ts`) does, with the
 * same `CRON_MODE`: that check, which every job passes as it loads, is the one place that says
 * what a valid `schedule:` is and explains a bad one.
 */
export function createCron(
  expression: string,
  timezone: string | undefined,
  onDue?: () => void,
): Cron {
  const options = { mode: CRON_MODE, timezone, paused: onDue === undefined } as const;
  return onDue === undefined ? new Cron(expression, options) : new Cron(expression, options, onDue);
}

/** The machine's own timezone, used for jobs without `timezone:`. */
export function localTimezone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}
