import { isAbsolute, resolve } from 'node:path';
import { evaluateValue, resolveReference, toText, type Scope } from '../expr/evaluate.ts';
import { hasExpression, parseTemplate } from '../expr/parse-template.ts';
import type { Job } from './types.ts';

/** The run a results path is expanded for. */
export interface RunIdentity {
  id: string;
  /** ISO time. */
  startedAt: string;
}

/**
 * The `results:` of a job as it loads: `vars`, `env` and `job` expressions are known now and
 * expanded; `run.*` stays for `expandResultsPath` at each run's start. Without `results:`,
 * `results/<name>.jsonl`; a relative path is resolved against the job file's folder `dir`.
 */
export function resolveResultsTemplate(
  results: unknown,
  name: string,
  vars: Record<string, unknown>,
  dir: string,
): string {
  if (typeof results !== 'string') return resolve(dir, 'results', `${name}.jsonl`);
  let path = results;
  if (hasExpression(results)) {
    const scope: Scope = {
      vars,
      env: process.env,
      tasks: {},
      job: { name },
      run: { id: '', startedAt: '' },
    };
    path = parseTemplate(results)
      .parts.map((part) => {
        if (typeof part === 'string') return part;
        if (part.root === 'run') return `\${{ ${part.source} }}`;
        return toText(resolveReference(part, scope));
      })
      .join('');
  }
  return isAbsolute(path) ? path : resolve(dir, path);
}

/**
 * The results file a run of `job` writes: its `results` with `${{ run.id }}` and
 * `${{ run.startedAt }}` expanded by the evaluator the engine uses. The scheduler passes the same
 * id and start time to the run it starts (`JOBRUN_RUN_ID`, `JOBRUN_RUN_STARTED_AT`), and the run
 * inherits the scheduler's environment, so the path the scheduler logs is the path written.
 *
 * @example
 * expandResultsPath(job, { id: '3f2a', startedAt: '2026-03-01T10:00:00.000Z' });
 * //=> '/srv/jobs/results/3f2a.jsonl' for `results: results/${{ run.id }}.jsonl`
 */
export function expandResultsPath(
  job: Pick<Job, 'name' | 'results' | 'vars' | 'dir'>,
  run: RunIdentity,
  env: Record<string, string | undefined> = process.env,
): string {
  const value = evaluateValue(job.results, {
    vars: job.vars,
    env,
    tasks: {},
    job: { name: job.name },
    run: { id: run.id, startedAt: run.startedAt },
  });
  return resolve(job.dir, toText(value));
}
