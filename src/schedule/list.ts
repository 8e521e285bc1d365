import { createCron, localTimezone } from './cron.ts';
import { loadScheduleSet } from './load-schedules.ts';
import { formatInTimezone } from './zoned-time.ts';

export interface ScheduleListOptions {
  /** How many upcoming run times to show per job. @default 5 */
  count?: number;
  /** The instant the upcoming runs are counted from. @default new Date() */
  now?: Date;
}

/**
 * `jobrun schedule --list`: per scheduled job its name, file, expression, timezone and the next
 * `count` run times in that timezone; jobs without `schedule:` are listed as ignored.
 *
 * @throws {JobValidationError} every problem of every file, when any file is invalid.
 * @example
 * process.stdout.write(await formatScheduleList(['jobs/'], { count: 3 }));
 * // health  /srv/jobs/health.yaml
 * //   schedule  @hourly
 * //   timezone  Europe/Paris
 * //   next      2026-03-01T11:00:00+01:00
 * //             2026-03-01T12:00:00+01:00
 * //             2026-03-01T13:00:00+01:00
 */
export async function formatScheduleList(
  targets: readonly string[],
  options: ScheduleListOptions = {},
): Promise<string> {
  const { count = 5, now = new Date() } = options;
  const set = await loadScheduleSet(targets);
  const blocks = set.scheduled.map((job) => {
    const timezone = job.timezone ?? localTimezone();
    const cron = createCron(job.schedule, job.timezone);
    const times = cron.nextRuns(count, now).map((date) => formatInTimezone(date, timezone));
    cron.stop();
    const lines = [
      `${job.name}  ${job.file}`,
      `  schedule  ${job.schedule}`,
      `  timezone  ${job.timezone ?? `${timezone} (local)`}`,
      ...times.map((time, i) => `  ${i === 0 ? 'next    ' : '        '}  ${time}`),
    ];
    return lines.join('\n');
  });
  const ignored = set.unscheduled.map((job) => `${job.name}  ${job.file}\n  no schedule, ignored`);
  const all = [...blocks, ...ignored];
  return all.length === 0 ? 'no job files found\n' : all.join('\n\n') + '\n';
}
