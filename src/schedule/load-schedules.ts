import { JobValidationError } from '../errors.ts';
import { loadJob } from '../job/load.ts';
import type { Job } from '../job/types.ts';
import { expandTargets } from './targets.ts';

/** A job that has `schedule:`, ready for the scheduler. */
export interface ScheduledJob extends Job {
  schedule: string;
}

/** Every job named by the targets, split by whether it has a schedule. */
export interface ScheduleSet {
  /** In target order. */
  scheduled: ScheduledJob[];
  /** Valid jobs without `schedule:`; the scheduler logs and ignores them. */
  unscheduled: Job[];
}

/**
 * Loads and validates every job file of the targets (see `expandTargets`) before any of them is
 * used, so one bad file refuses the whole set.
 *
 * @throws {JobValidationError} every problem of every file, when any file is invalid.
 */
export async function loadScheduleSet(targets: readonly string[]): Promise<ScheduleSet> {
  const { files, problems } = await expandTargets(targets);
  const scheduled: ScheduledJob[] = [];
  const unscheduled: Job[] = [];
  for (const file of files) {
    let job: Job;
    try {
      job = await loadJob(file);
    } catch (error) {
      if (!(error instanceof JobValidationError)) throw error;
      problems.push(...error.problems);
      continue;
    }
    // loadJob has checked `schedule:` and `timezone:` as croner reads them here.
    if (isScheduled(job)) scheduled.push(job);
    else unscheduled.push(job);
  }
  if (problems.length > 0) throw new JobValidationError(problems);
  return { scheduled, unscheduled };
}

function isScheduled(job: Job): job is ScheduledJob {
  return job.schedule !== undefined;
}
