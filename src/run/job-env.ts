import { evaluateValue, toText, type Scope } from '../expr/evaluate.ts';
import type { Job } from '../job/types.ts';

/**
 * The job's `env:` for a run: each value's expressions (`vars`, `env`, `job`) evaluated against
 * `env`, jobrun's environment, and written as text.
 *
 * @example
 * resolveJobEnv(job, process.env); // { REGION: 'eu-west-1', SITE: 'https://example.org' }
 */
export function resolveJobEnv(
  job: Job,
  env: Record<string, string | undefined>,
): Record<string, string> {
  if (job.env === undefined) return {};
  const scope: Scope = {
    vars: job.vars,
    env,
    tasks: {},
    job: { name: job.name },
    run: { id: '', startedAt: '' },
  };
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(job.env)) {
    values[name] = toText(evaluateValue(value, scope));
  }
  return values;
}

/**
 * Puts `values` into `process.env` for the length of a run, so that run commands, pool workers
 * (which start during the run and inherit it) and functions on every executor see the same
 * variables. Returns what puts the previous values back.
 */
export function applyToProcessEnv(values: Record<string, string>): () => void {
  const names = Object.keys(values);
  if (names.length === 0) return () => undefined;
  const previous = new Map(names.map((name) => [name, process.env[name]]));
  Object.assign(process.env, values);
  return () => {
    for (const [name, value] of previous) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}

/**
 * The values of the job's `secrets:`: each name's value in the job's `env:`, else in `env`.
 * Unset and empty values have nothing to mask.
 */
export function secretValues(job: Job, env: Record<string, string | undefined>): string[] {
  if (job.secrets === undefined || job.secrets.length === 0) return [];
  const jobEnv = resolveJobEnv(job, env);
  return job.secrets.map((name) => jobEnv[name] ?? env[name] ?? '').filter((value) => value !== '');
}
