import { Cron } from 'croner';
import { CRON_MODE } from '../job/check-schedule.ts';
import type { Job } from '../job/types.ts';
import type { Problem } from '../errors.ts';
import { errorMessage } from '../util/error-message.ts';

/**
 * A croner schedule for an expression in a timezone (the machine's local time when `timezone` is
 * undefined). With `onDue` it starts ticking at once; without, it is paused and only computes run
 * times. Throws croner's `TypeError`/`RangeError` for an expression or timezone it cannot read.
 */
export function createCron(
  expression: string,
  timezone: string | undefined,
  onDue?: () => void,
): Cron {
  const options = { mode: CRON_MODE, timezone, paused: onDue === undefined } as const;
  return onDue === undefined ? new Cron(expression, options) : new Cron(expression, options, onDue);
}

/**
 * Checks a job's `schedule` and `timezone` the way the scheduler will read them. The loader checks
 * cron expressions too; this is the scheduler's own guard, so it never starts on a schedule that
 * would throw later.
 */
export function checkSchedule(job: Job): Problem | undefined {
  if (job.schedule === undefined) return undefined;
  try {
    createCron(job.schedule, job.timezone).stop();
    return undefined;
  } catch (error) {
    const reason = errorMessage(error);
    const isTimezone = job.timezone !== undefined && /timezone/i.test(reason);
    return {
      file: job.file,
      line: 0,
      col: 0,
      path: isTimezone ? 'timezone' : 'schedule',
      message: isTimezone
        ? `expected an IANA timezone such as "Europe/Paris", got "${job.timezone}"`
        : `expected a cron expression of 5 or 6 fields or a nickname such as "@hourly", got "${job.schedule}" (${reason})`,
    };
  }
}

/** The machine's own timezone, used for jobs without `timezone:`. */
export function localTimezone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}
