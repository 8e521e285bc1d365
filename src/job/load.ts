import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { JobValidationError, type Problem } from '../errors.ts';
import { errorMessage } from '../util/error-message.ts';
import { checkExecutors } from './check-executors.ts';
import { checkExpressions } from './check-expressions.ts';
import { checkFiles, checkResultsFile } from './check-files.ts';
import { checkGraph } from './check-graph.ts';
import { checkResources } from './check-resources.ts';
import { checkSchedule } from './check-schedule.ts';
import { checkServices } from './check-services.ts';
import { checkShapes } from './check-shapes.ts';
import { formatJobPath, issueMessage, type Issue } from './issue.ts';
import { isObject, type RawObject } from './job-data.ts';
import { normalizeJob } from './normalize.ts';
import { decodeJobText, documentData, parseYaml } from './parse-yaml.ts';
import { locate } from './positions.ts';
import { schemaIssues } from './schema-issues.ts';
import { validateAgainstSchema } from './schema.ts';
import { didYouMean, listWords } from './suggest.ts';
import type { Job } from './types.ts';

/** Options of `loadJob` and `validateJob`. */
export interface LoadJobOptions {
  /**
   * Values that replace `vars.NAME` (from `--var NAME=VALUE`). Each name must be declared under
   * the job's `vars:`; an unknown name is a problem.
   * @default {}
   * @example
   * await loadJob('jobs/crawl.yaml', { vars: { site: 'https://example.com' } });
   */
  vars?: Record<string, unknown>;
  /**
   * The Redis URL that `queue` executors use whatever the file says (`--connection`,
   * `JOBRUN_REDIS_URL`): a queue executor without `connection:` is then no problem.
   */
  connection?: string;
}

interface Analysis {
  problems: Problem[];
  data?: RawObject;
}

/**
 * Reads, parses and validates a job file and returns its normalized `Job`.
 *
 * @throws {JobValidationError} carrying every problem found, sorted by place in the file.
 * @example
 * const job = await loadJob('jobs/crawl.yaml');
 * job.tasks[0]?.needs; // ['list']
 */
export async function loadJob(file: string, options: LoadJobOptions = {}): Promise<Job> {
  const { problems, data } = await analyzeJob(file, options);
  if (problems.length > 0 || data === undefined) throw new JobValidationError(problems);
  const path = resolve(file);
  return normalizeJob(data, path, dirname(path));
}

/**
 * Every problem of a job file, sorted by line and column: YAML syntax and duplicate keys, the
 * JSON Schema, then what a schema cannot see (unknown tasks, cycles, expression references,
 * missing modules, exports and files, cron and time zone). `[]` when the job is valid.
 */
export async function validateJob(file: string, options: LoadJobOptions = {}): Promise<Problem[]> {
  return (await analyzeJob(file, options)).problems;
}

async function analyzeJob(file: string, options: LoadJobOptions): Promise<Analysis> {
  const problem = (line: number, col: number, path: string, message: string): Problem => ({
    file,
    line,
    col,
    path,
    message,
  });
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : errorMessage(error);
    return { problems: [problem(0, 0, '', `cannot read job file: ${reason}`)] };
  }
  const decoded = decodeJobText(bytes);
  if ('problem' in decoded) {
    const { line, col, message } = decoded.problem;
    return { problems: [problem(line, col, '', message)] };
  }
  const parsed = parseYaml(decoded.text);
  const { document, lineCounter, errors } = parsed;
  if (errors.length > 0) {
    // A broken document's shape is a guess; checking it further would only add noise.
    return {
      problems: sortProblems(
        errors.map((error) => problem(error.line, error.col, '', error.message)),
      ),
    };
  }
  const read = documentData(parsed);
  if ('problem' in read) {
    const { line, col, message } = read.problem;
    return { problems: [problem(line, col, '', message)] };
  }
  const data = read.data;
  const overrideProblems = checkVarOverrides(data, options.vars);
  // `--var` values are the job's vars from here on: the results path and every check see them.
  if (options.vars !== undefined && isObject(data) && isObject(data.vars)) {
    data.vars = { ...data.vars, ...options.vars };
  }
  const dir = dirname(resolve(file));
  const issues: Issue[] = schemaIssues(validateAgainstSchema(data), data);
  // The semantic checks also run on a job the schema rejected, so that one pass reports all.
  issues.push(...checkGraph(data), ...checkExpressions(data), ...checkShapes(data));
  issues.push(...checkServices(data), ...checkResources(data));
  issues.push(...checkExecutors(data, options.connection !== undefined));
  const [files, schedule] = await Promise.all([checkFiles(data, dir), checkSchedule(data)]);
  issues.push(...files, ...schedule, ...checkResultsFile(data, file, dir));

  const problems = issues.map((issue) => {
    const inValue =
      issue.offset === undefined ? undefined : { offset: issue.offset, source: decoded.text };
    const { line, col } = locate(document, lineCounter, issue.path, issue.at, inValue);
    return problem(line, col, formatJobPath(issue.path), issueMessage(issue));
  });
  problems.push(...overrideProblems.map((message) => problem(0, 0, 'vars', message)));
  return { problems: sortProblems(problems), ...(isObject(data) ? { data } : {}) };
}

function checkVarOverrides(
  data: unknown,
  overrides: Record<string, unknown> | undefined,
): string[] {
  if (overrides === undefined) return [];
  const declared = isObject(data) && isObject(data.vars) ? Object.keys(data.vars) : [];
  const listed =
    declared.length === 0
      ? 'this job declares no vars'
      : `declared vars are ${listWords(declared)}`;
  return Object.keys(overrides)
    .filter((name) => !declared.includes(name))
    .map((name) => `--var ${name}: unknown var "${name}"; ${listed}${didYouMean(name, declared)}`);
}

/** By place in the file (problems without a place first), without repeats. */
function sortProblems(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems
    .filter((entry) => {
      const key = `${entry.line}:${entry.col}:${entry.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort((a, b) => a.line - b.line || a.col - b.col || a.message.localeCompare(b.message));
}
