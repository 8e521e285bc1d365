import type { Job } from '../job/types.ts';

/** What a run's results path may refer to besides `job.name`. */
export interface RunIdentity {
  id: string;
  /** ISO time. */
  startedAt: string;
}

// The results template may only use run and job names (the loader leaves the rest to the run),
// so an exact replacement of these three references gives the path the child will write.
const REFERENCE = /\$\{\{\s*(run\.id|run\.startedAt|job\.name)\s*\}\}/g;

/**
 * The results file a run of `job` writes, with `${{ run.id }}`, `${{ run.startedAt }}` and
 * `${{ job.name }}` expanded. The scheduler passes the same id and start time to the child through
 * `JOBRUN_RUN_ID` and `JOBRUN_RUN_STARTED_AT`, so the logged path is the path written.
 *
 * @example
 * expandResultsPath(job, { id: '3f2a', startedAt: '2026-03-01T10:00:00.000Z' });
 * //=> '/srv/jobs/results/3f2a.jsonl' for `results: results/${{ run.id }}.jsonl`
 */
export function expandResultsPath(job: Pick<Job, 'name' | 'results'>, run: RunIdentity): string {
  return job.results.replace(REFERENCE, (_match, name: string) => {
    if (name === 'run.id') return run.id;
    if (name === 'run.startedAt') return run.startedAt;
    return job.name;
  });
}
