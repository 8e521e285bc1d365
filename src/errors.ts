/**
 * The one error base of jobrun. Every error jobrun throws on purpose carries a stable string
 * `code`; `cmd/jobrun.ts` is the only place that turns codes into exit codes.
 */
export class JobrunError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'JobrunError';
    this.code = code;
  }
}

/** A problem found in a job file, with its place in the file. */
export interface Problem {
  /** Absolute or as-given path of the job file. */
  file: string;
  /** 1-based line; 0 when the problem has no place in the file (e.g. an unreadable file). */
  line: number;
  /** 1-based column; 0 when unknown. */
  col: number;
  /** Dotted path inside the job, e.g. `tasks.fetch.executor.kind`; empty for the whole file. */
  path: string;
  /** One line: what was expected, what was found, and a suggestion where there is one. */
  message: string;
}

/** A job file that cannot run: every problem found, not only the first. */
export class JobValidationError extends JobrunError {
  readonly problems: readonly Problem[];

  constructor(problems: readonly Problem[]) {
    const first = problems[0];
    super(
      'INVALID_JOB',
      first === undefined
        ? 'Invalid job file'
        : `${first.file}: ${problems.length} problem${problems.length === 1 ? '' : 's'}`,
    );
    this.name = 'JobValidationError';
    this.problems = problems;
  }
}

/** Bad command-line usage (unknown option, missing argument). */
export class UsageError extends JobrunError {
  constructor(message: string) {
    super('USAGE', message);
    this.name = 'UsageError';
  }
}

/** Another run of the same job holds the lock beside its results file. */
export class LockHeldError extends JobrunError {
  readonly holderPid: number | null;
  readonly lockPath: string;

  constructor(lockPath: string, holderPid: number | null) {
    super(
      'LOCKED',
      `another run of this job is in progress (pid ${holderPid ?? 'unknown'}, lock ${lockPath})`,
    );
    this.name = 'LockHeldError';
    this.lockPath = lockPath;
    this.holderPid = holderPid;
  }
}

/** Formats a problem as `FILE:LINE:COL  message`. */
export function formatProblem(problem: Problem): string {
  const place = problem.line > 0 ? `${problem.file}:${problem.line}:${problem.col}` : problem.file;
  return `${place}  ${problem.message}`;
}
