import type { Issue } from './issue.ts';
import { isObject } from './job-data.ts';

/** Cron expressions of 5 fields, or 6 with seconds first; validation and `jobrun schedule` agree. */
export const CRON_MODE = '5-or-6-parts';

/** A `schedule:` that croner cannot parse, and a `timezone:` that is not an IANA zone. */
export async function checkSchedule(data: unknown): Promise<Issue[]> {
  if (!isObject(data)) return [];
  const issues: Issue[] = [];
  let timezone: string | undefined;
  if (typeof data.timezone === 'string') {
    if (isTimeZone(data.timezone)) timezone = data.timezone;
    else {
      issues.push({
        path: ['timezone'],
        at: 'value',
        text: `unknown time zone ${JSON.stringify(data.timezone)}; expected an IANA name like Europe/Paris, America/New_York or UTC`,
      });
    }
  }
  if (typeof data.schedule === 'string') {
    // croner is only needed by jobs that have a schedule.
    const { Cron } = await import('croner');
    try {
      new Cron(data.schedule, { paused: true, timezone, mode: CRON_MODE }).stop();
    } catch (error) {
      issues.push({
        path: ['schedule'],
        at: 'value',
        text: `invalid cron expression ${JSON.stringify(data.schedule)}: ${(error as Error).message.replace(/\.$/, '')}; expected 5 fields (minute hour day month weekday), 6 with seconds first, or a nickname like @daily`,
      });
    }
  }
  return issues;
}

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
