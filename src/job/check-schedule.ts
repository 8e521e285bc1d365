import { errorMessage } from '../util/error-message.ts';
import type { Issue } from './issue.ts';
import { isObject } from './job-data.ts';
import { didYouMean, listWords } from './suggest.ts';

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
        text: `invalid cron expression ${JSON.stringify(data.schedule)}: ${describeCronError(data.schedule, error)}`,
      });
    }
  }
  return issues;
}

const NICKNAMES = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];
const FIELD_COUNT_HINT =
  'expected 5 fields (minute hour day month weekday), 6 with seconds first, or a nickname like @daily';

/** The fields of a cron expression in croner's order, with what each accepts. */
const FIELDS = [
  { name: 'second', accepts: 'seconds are 0-59' },
  { name: 'minute', accepts: 'minutes are 0-59' },
  { name: 'hour', accepts: 'hours are 0-23' },
  { name: 'day', accepts: 'days of the month are 1-31' },
  { name: 'month', accepts: 'months are 1-12 or JAN-DEC' },
  { name: 'weekday', accepts: 'weekdays are 0-7 (0 and 7 are Sunday) or SUN-SAT' },
] as const;
/** croner's names for the fields, where they differ from the ones a cron user knows. */
const CRONER_FIELD_NAMES: Record<string, string> = {
  dayOfWeek: 'weekday',
  nearestWeekdays: 'day',
};

/**
 * One explanation of why croner refused an expression, in the user's terms. croner's own messages
 * name a count of parts that jobrun does not accept (it allows a seventh field, a year), number
 * the fields from the seconds jobrun added, and report days and months one less than written.
 */
function describeCronError(expression: string, error: unknown): string {
  const trimmed = expression.trim();
  if (trimmed.startsWith('@')) {
    if (trimmed.toLowerCase() === '@reboot') {
      return '@reboot is not supported: jobrun schedule runs jobs at times of day, not at start-up';
    }
    return `unknown nickname; expected ${listWords(NICKNAMES, 'or')}${didYouMean(trimmed, NICKNAMES)}`;
  }
  const written = trimmed === '' ? [] : trimmed.split(/\s+/);
  if (written.length !== 5 && written.length !== 6) {
    return `${FIELD_COUNT_HINT}; found ${written.length === 0 ? 'none' : `${written.length} field${written.length === 1 ? '' : 's'}`}`;
  }
  const fields = written.length === 6 ? FIELDS : FIELDS.slice(1);
  /** The field croner names, with what the user wrote in it. */
  const fieldOf = (cronerName: string | undefined) => {
    const name = CRONER_FIELD_NAMES[cronerName ?? ''] ?? cronerName;
    const index = fields.findIndex((field) => field.name === name);
    const field = fields[index];
    if (field === undefined) return undefined;
    return { ...field, shown: `the ${field.name} field ${JSON.stringify(written[index])}` };
  };
  const message = errorMessage(error)
    .replace(/^CronPattern: (Syntax error, )?/, '')
    .replace(/\.$/, '');

  const outOfRange = fieldOf(/^Invalid value for (\w+)/.exec(message)?.[1]);
  if (outOfRange !== undefined) return `${outOfRange.shown} is out of range: ${outOfRange.accepts}`;
  // croner numbers the fields of its own form, seconds first.
  const entry = /^configuration entry (\d+) \(.*\) contains illegal characters$/.exec(message);
  const illegal = fieldOf(entry === null ? undefined : FIELDS[Number(entry[1])]?.name);
  if (illegal !== undefined) {
    return `${illegal.shown} holds characters cron does not know; a field holds numbers, names (MON, JAN), *, ranges (1-5), lists (1,3) and steps (*/5)`;
  }
  const empty = fieldOf(/^configuration entry (\w+) \(\) is empty/.exec(message)?.[1]);
  if (empty !== undefined) return `${empty.shown} has an empty entry in its list`;
  return message.charAt(0).toLowerCase() + message.slice(1);
}

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
