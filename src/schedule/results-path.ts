import { evaluateValue } from '../expr/evaluate.ts';
import type { Job } from '../job/types.ts';

/** The run a results path is expanded for. */
export interface RunIdentity {
  id: string;
  /** ISO time. */
  startedAt: string;
}

/**
 * The results file a run of `job` writes: its `results` template expanded by the same evaluator
 * the engine uses (`${{ run.id }}`, `${{ run.startedAt }}`, `${{ job.name }}`, `vars`, `env`).
 * The scheduler passes the same id and start time to the child through `JOBRUN_RUN_ID` and
 * `JOBRUN_RUN_STARTED_AT`, and the child inherits the scheduler's environment, so the logged path
 * is the path written.
 *
 * @example
 * expandResultsPath(job, { id: '3f2a', startedAt: '2026-03-01T10:00:00.000Z' });
 * //=> '/srv/jobs/results/3f2a.jsonl' for `results: results/${{ run.id }}.jsonl`
 */
export function expandResultsPath(
  job: Pick<Job, 'name' | 'results' | 'vars'>,
  run: RunIdentity,
): string {
  const value = evaluateValue(job.results, {
    vars: job.vars,
    env: process.env,
    tasks: {},
    job: { name: job.name },
    run: { id: run.id, startedAt: run.startedAt },
  });
  return typeof value === 'string' ? value : JSON.stringify(value);
}
